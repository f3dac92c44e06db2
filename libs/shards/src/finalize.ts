import { access, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '@apollo/document';
import { readRunRecord, type TaskSpec, type TaskStats } from '@apollo/stage';
import { writeApolloRelease } from './apollo';
import { renderCard } from './card';
import type { ConvertConfig } from './config';
import { compareGroups, ConvertLayout, type ShardGroup } from './layout';
import { buildManifest, type CreationInfo, type Manifest, type ManifestShard } from './manifest';
import type { PartsIndex } from './parquet-sink';
import { PARQUET_WRITER_NAME } from './parquet/file-writer';
import { parquetRowCount } from './read';
import { sha256File } from './sha256';
import { buildVersion, type VersionBlock } from './version';

/** One planned move: a write task's part file and the shard name it gets. */
export interface PlannedShard extends ShardGroup {
  /** Part file, relative to the output folder. */
  from: string;
  /** Shard file, relative to the output folder. */
  to: string;
  rows: number;
  characters: number;
  tokens: number;
  /** sha256 the write task computed while writing the part; absent for parts of earlier versions. */
  sha256?: string;
}

/** `finalize/plan.json`: fixed before the first file moves, so a rerun finishes the same plan. */
export interface FinalizePlan {
  created: CreationInfo;
  shards: PlannedShard[];
  /** Present when the run builds a version (`base` or `crawlDelta` set); fixed with the plan. */
  version?: VersionBlock;
}

export const WRITER_NAME = PARQUET_WRITER_NAME;

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export { sha256File };

async function readPartsIndex(layout: ConvertLayout, rank: number): Promise<PartsIndex> {
  const file = layout.partsIndex(rank);
  try {
    return JSON.parse(await readFile(file, 'utf8')) as PartsIndex;
  } catch (err) {
    throw new Error(`${file}: write task ${rank} has no parts index (${(err as Error).message}); finish the write phase first`);
  }
}

/**
 * Names every part: groups ordered by language, source, kind; inside a group the rows carried
 * from a base version first (`carried`, in `parts/base/`), then by task rank, then by the order
 * the task wrote its parts. The same parts always give the same names.
 */
export function planShards(indexes: PartsIndex[], layout: ConvertLayout, carried?: PartsIndex): PlannedShard[] {
  const byGroup = new Map<string, { group: ShardGroup; parts: { from: string; rows: number; chars: number; tokens: number; sha256?: string }[] }>();
  const sources: { dir: string; index: PartsIndex }[] = [
    ...(carried ? [{ dir: layout.carryDir(), index: carried }] : []),
    ...[...indexes].sort((a, b) => a.rank - b.rank).map((index) => ({ dir: layout.partsDir(index.rank), index })),
  ];
  for (const { dir, index } of sources) {
    const base = `parts/${dir.slice(layout.partsRoot().length + 1)}`;
    for (const p of index.parts) {
      const key = `${p.group.lang}/${p.group.source}_${p.group.kind}`;
      const entry = byGroup.get(key) ?? { group: p.group, parts: [] };
      entry.parts.push({ from: `${base}/${p.file}`, rows: p.rows, chars: p.chars, tokens: p.tokens, ...(p.sha256 ? { sha256: p.sha256 } : {}) });
      byGroup.set(key, entry);
    }
  }
  const planned: PlannedShard[] = [];
  for (const { group, parts } of [...byGroup.values()].sort((a, b) => compareGroups(a.group, b.group))) {
    parts.forEach((p, i) => {
      planned.push({
        lang: group.lang,
        source: group.source,
        kind: group.kind,
        from: p.from,
        to: layout.shardPath(group, i, parts.length),
        rows: p.rows,
        characters: p.chars,
        tokens: p.tokens,
        ...(p.sha256 ? { sha256: p.sha256 } : {}),
      });
    });
  }
  return planned;
}

async function loadOrMakePlan(task: TaskSpec<ConvertConfig>, layout: ConvertLayout): Promise<FinalizePlan> {
  try {
    return JSON.parse(await readFile(layout.planFile(), 'utf8')) as FinalizePlan;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${layout.planFile()}: unreadable plan: ${(err as Error).message}`);
  }
  const run = await readRunRecord(task.output);
  if (!run) throw new Error(`${task.output}: no run.json; not a convert output folder`);
  const indexes: PartsIndex[] = [];
  for (let rank = 0; rank < run.worldSize; rank++) indexes.push(await readPartsIndex(layout, rank));
  const c = task.config;
  // A version's changes and carried rows are made before the plan, so a crash before the plan
  // is written simply makes them again.
  const versioned = c.base !== null || c.crawlDelta.length > 0;
  const built = versioned ? await buildVersion(task, layout, indexes) : undefined;
  const plan: FinalizePlan = {
    created: {
      createdAt: new Date().toISOString(),
      runStartedAt: task.runStartedAt,
      tool: 'apollo convert',
      writer: WRITER_NAME,
      node: process.version,
      inputFiles: run.inputs.length,
      tasks: run.worldSize,
      config: {
        rowGroupSize: c.rowGroupSize,
        rowGroupMaxBytes: c.rowGroupMaxBytes,
        shardMaxBytes: c.shardMaxBytes,
        compression: c.compression,
        charsPerToken: c.charsPerToken,
      },
    },
    shards: planShards(indexes, layout, built?.carried),
    ...(built ? { version: built.version } : {}),
  };
  // No plan means no shard was moved yet: anything under data/ or apollo/ is stale.
  await rm(layout.dataRoot(), { recursive: true, force: true });
  await rm(layout.apolloDir(), { recursive: true, force: true });
  await writeFileAtomic(layout.planFile(), JSON.stringify(plan, null, 2) + '\n');
  return plan;
}

/** Moves each part to its shard name; parts already moved by an earlier attempt are skipped. */
async function moveParts(layout: ConvertLayout, plan: FinalizePlan): Promise<void> {
  for (const s of plan.shards) {
    const from = join(layout.root, s.from);
    const to = join(layout.root, s.to);
    if (await exists(from)) {
      await mkdir(dirname(to), { recursive: true });
      await rename(from, to);
    } else if (!(await exists(to))) {
      throw new Error(`${s.to}: neither the shard nor its part ${s.from} exists; rerun the write phase (--overwrite)`);
    }
  }
}

/**
 * Checksums every shard (the write task's sha256 when it computed one: a rename does not change
 * the bytes, and `verify` rereads them) and checks its footer's row count against what the write
 * task counted.
 */
async function describeShards(layout: ConvertLayout, plan: FinalizePlan): Promise<ManifestShard[]> {
  const shards: ManifestShard[] = [];
  for (const s of plan.shards) {
    const path = join(layout.root, s.to);
    const [info, sha256, rows] = await Promise.all([stat(path), s.sha256 ?? sha256File(path), parquetRowCount(path)]);
    if (rows !== s.rows) throw new Error(`${s.to}: ${rows} rows in the footer, the write task counted ${s.rows}`);
    shards.push({ path: s.to, lang: s.lang, source: s.source, kind: s.kind, rows, bytes: info.size, sha256, characters: s.characters, tokens: s.tokens });
  }
  return shards;
}

/**
 * The finalize phase: moves the write tasks' parts to their shard names, then writes
 * manifest.json, the dataset card and, if asked, the Apollo release format. Safe to rerun
 * after a crash at any point: the plan is written before anything moves, moves are renames
 * that are skipped once done, and every other file is rewritten atomically.
 */
export async function finalizeShards(task: TaskSpec<ConvertConfig>): Promise<{ manifest: Manifest; stats: TaskStats }> {
  const started = new Date();
  const layout = new ConvertLayout(task.output);
  const plan = await loadOrMakePlan(task, layout);
  await moveParts(layout, plan);
  const manifest = buildManifest(task.config.datasetName, plan.created, await describeShards(layout, plan), plan.version);
  if (task.config.apolloFormat) manifest.apollo = await writeApolloRelease(task.output, manifest.shards);
  await writeFileAtomic(layout.manifestFile(), JSON.stringify(manifest, null, 2) + '\n');
  await writeFileAtomic(layout.cardFile(), renderCard(manifest, task.config.license));
  await rm(layout.partsRoot(), { recursive: true, force: true });
  const finished = new Date();
  const stats: TaskStats = {
    stage: task.stage,
    phase: task.phase,
    rank: 0,
    worldSize: 1,
    files: [],
    docsIn: manifest.totals.documents,
    docsOut: manifest.totals.documents,
    dropped: {},
    bytesIn: 0,
    bytesOut: manifest.totals.bytes,
    charsIn: 0,
    charsOut: manifest.totals.characters,
    fileErrors: [],
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    seconds: (finished.getTime() - started.getTime()) / 1000,
    extra: {
      shards: manifest.totals.shards,
      tokens: manifest.totals.tokens,
      apolloFiles: manifest.apollo?.files.length ?? 0,
      ...(manifest.version ? { version: manifest.version.number, added: manifest.version.added, removed: manifest.version.removed, carried: manifest.version.carried } : {}),
    },
  };
  return { manifest, stats };
}
