import { access, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '@apollo/document';
import { readRunRecord, type TaskSpec, type TaskStats } from '@apollo/stage';
import { writeApolloRelease } from './apollo';
import { renderCard } from './card';
import type { ConvertConfig } from './config';
import { compareGroups, ConvertLayout, groupPath, type ShardGroup } from './layout';
import { cutGroup, joinPieces, type PartPiece } from './join';
import { buildManifest, type CreationInfo, type Manifest, type ManifestShard } from './manifest';
import { groupMetadata, type PartEntry, type PartsIndex } from './parquet-sink';
import { CopyBuffers, PARQUET_WRITER_NAME } from './parquet/file-writer';
import { footerRowCount } from './parquet/footer';
import type { ShardRowGroup } from './shard-writer';
import { sha256File } from './sha256';
import { buildVersion, type VersionBlock } from './version';

/**
 * One shard of the plan. A shard that is exactly one part as a write task wrote it is that part,
 * renamed (`from`); any other is joined from its parts' row groups (`pieces`).
 */
export interface PlannedShard extends ShardGroup {
  /** Part file renamed to this shard, relative to the output folder. */
  from?: string;
  /** Row groups of parts copied into this shard, in order. */
  pieces?: PartPiece[];
  /** Shard file, relative to the output folder. */
  to: string;
  rows: number;
  characters: number;
  tokens: number;
  /** sha256 of a renamed part as its write task computed it; absent for joined shards and parts of earlier versions. */
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
 * Cuts every group into shards and names them. Groups are ordered by language, source, kind;
 * inside a group the rows carried from a base version come first (`carried`, in
 * `parts/base/`), then each task's rows by rank, each task's parts in the order it wrote them.
 * The row groups of a group's parts are cut again at the size cap as one task would have cut
 * them (`cutGroup`); a shard that is one whole part is renamed, the others are joined. Parts
 * listed without row groups (indexes of earlier versions) each stay a shard of their own.
 * The same parts always give the same plan.
 */
export function planShards(indexes: PartsIndex[], layout: ConvertLayout, shardMaxBytes: number, carried?: PartsIndex): PlannedShard[] {
  const byGroup = new Map<string, { group: ShardGroup; parts: (PartEntry & { from: string })[] }>();
  const sources: { dir: string; index: PartsIndex }[] = [
    ...(carried ? [{ dir: layout.carryDir(), index: carried }] : []),
    ...[...indexes].sort((a, b) => a.rank - b.rank).map((index) => ({ dir: layout.partsDir(index.rank), index })),
  ];
  for (const { dir, index } of sources) {
    const base = `parts/${dir.slice(layout.partsRoot().length + 1)}`;
    for (const p of index.parts) {
      const key = groupPath(p.group);
      const entry = byGroup.get(key) ?? { group: p.group, parts: [] };
      entry.parts.push({ ...p, from: `${base}/${p.file}` });
      byGroup.set(key, entry);
    }
  }
  const planned: PlannedShard[] = [];
  for (const { group, parts } of [...byGroup.values()].sort((a, b) => compareGroups(a.group, b.group))) {
    const shards = groupShards(parts, shardMaxBytes);
    shards.forEach((s, i) => planned.push({ lang: group.lang, source: group.source, kind: group.kind, ...s, to: layout.shardPath(group, i, shards.length) }));
  }
  return planned;
}

type UnnamedShard = Omit<PlannedShard, keyof ShardGroup | 'to'>;

function groupShards(parts: (PartEntry & { from: string })[], shardMaxBytes: number): UnnamedShard[] {
  const whole = (p: PartEntry & { from: string }): UnnamedShard => ({ from: p.from, rows: p.rows, characters: p.chars, tokens: p.tokens, ...(p.sha256 ? { sha256: p.sha256 } : {}) });
  if (!parts.every((p) => p.rowGroups)) return parts.map(whole);
  const byFrom = new Map(parts.map((p) => [p.from, p]));
  return cutGroup(parts as { from: string; rowGroups: ShardRowGroup[] }[], shardMaxBytes).map((cut) => {
    const [only, ...more] = cut.pieces;
    const part = byFrom.get(only!.from)!;
    if (more.length === 0 && only!.rowGroups[0] === 0 && only!.rowGroups[1] === part.rowGroups!.length) return whole(part);
    return { pieces: cut.pieces, rows: cut.rows, characters: cut.characters, tokens: cut.tokens };
  });
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
    shards: planShards(indexes, layout, c.shardMaxBytes, built?.carried),
    ...(built ? { version: built.version } : {}),
  };
  // No plan means no shard was moved yet: anything under data/ or apollo/ is stale.
  await rm(layout.dataRoot(), { recursive: true, force: true });
  await rm(layout.apolloDir(), { recursive: true, force: true });
  await writeFileAtomic(layout.planFile(), JSON.stringify(plan, null, 2) + '\n');
  return plan;
}

/** Part index entries by part path (`parts/<dir>/<file>`), read from `parts/<dir>/index.json` when first needed. */
class PartLookup {
  private readonly dirs = new Map<string, Map<string, PartEntry>>();
  constructor(private readonly layout: ConvertLayout) {}

  async entry(from: string): Promise<PartEntry & { rowGroups: ShardRowGroup[] }> {
    const [, dir, ...rest] = from.split('/');
    let entries = this.dirs.get(dir!);
    if (!entries) {
      const file = join(this.layout.partsRoot(), dir!, 'index.json');
      const index = JSON.parse(await readFile(file, 'utf8')) as PartsIndex;
      entries = new Map(index.parts.map((p) => [p.file, p]));
      this.dirs.set(dir!, entries);
    }
    const entry = entries.get(rest.join('/'));
    if (!entry?.rowGroups) throw new Error(`${from}: not listed with its row groups in parts/${dir}/index.json`);
    return entry as PartEntry & { rowGroups: ShardRowGroup[] };
  }
}

/** Renames a part to its shard name, unless an earlier attempt already did. */
async function renamePart(layout: ConvertLayout, s: PlannedShard & { from: string }): Promise<void> {
  const from = join(layout.root, s.from);
  const to = join(layout.root, s.to);
  if (await exists(from)) {
    await mkdir(dirname(to), { recursive: true });
    await rename(from, to);
  } else if (!(await exists(to))) {
    throw new Error(`${s.to}: neither the shard nor its part ${s.from} exists; rerun the write phase (--overwrite)`);
  }
}

/** Writes a joined shard under `finalize/tmp/` and renames it into place; returns its sha256. */
async function joinShard(
  layout: ConvertLayout,
  parts: PartLookup,
  s: PlannedShard & { pieces: PartPiece[] },
  buffers: CopyBuffers,
): Promise<string> {
  const tmp = join(layout.joinTmpDir(), `${s.to.replaceAll('/', '_')}`);
  await mkdir(layout.joinTmpDir(), { recursive: true });
  const pieces = [];
  for (const p of s.pieces) {
    const entry = await parts.entry(p.from);
    pieces.push({ source: { path: join(layout.root, p.from), bytes: entry.bytes, rowGroups: entry.rowGroups }, rowGroups: p.rowGroups });
  }
  const closed = await joinPieces(tmp, pieces, groupMetadata(s), buffers);
  if (closed.rows !== s.rows) throw new Error(`${s.to}: joined ${closed.rows} rows, the plan counted ${s.rows}`);
  const to = join(layout.root, s.to);
  await mkdir(dirname(to), { recursive: true });
  await rename(tmp, to);
  return closed.sha256;
}

/**
 * Makes every shard of the plan: renames the parts that are shards as they are, joins the
 * others. A joined shard appears at once (written aside, then renamed), so one that exists
 * is complete and is skipped on a rerun; a part is deleted once the last shard that reads it
 * exists. Returns the sha256 of the shards joined by this attempt.
 */
async function buildShards(layout: ConvertLayout, plan: FinalizePlan): Promise<Map<string, string>> {
  const joined = new Map<string, string>();
  const lastUse = new Map<string, number>();
  plan.shards.forEach((s, i) => s.pieces?.forEach((p) => lastUse.set(p.from, i)));
  const parts = new PartLookup(layout);
  const buffers = new CopyBuffers();
  // What a killed attempt was writing; it is written again.
  await rm(layout.joinTmpDir(), { recursive: true, force: true });
  for (const [i, s] of plan.shards.entries()) {
    if (s.from !== undefined) {
      await renamePart(layout, { ...s, from: s.from });
      continue;
    }
    if (!s.pieces) throw new Error(`${s.to}: the plan names neither a part nor pieces`);
    if (!(await exists(join(layout.root, s.to)))) joined.set(s.to, await joinShard(layout, parts, { ...s, pieces: s.pieces }, buffers));
    // Free the disk as we go: a part every shard after this one does without.
    for (const p of s.pieces) if (lastUse.get(p.from) === i) await rm(join(layout.root, p.from), { force: true });
  }
  await rm(layout.joinTmpDir(), { recursive: true, force: true });
  return joined;
}

/**
 * Checksums every shard (the sha256 computed while writing it, by the write task for a renamed
 * part or by this attempt for a joined shard; read and hashed otherwise: `verify` rereads them
 * anyway) and checks its footer's row count against the plan's.
 */
async function describeShards(layout: ConvertLayout, plan: FinalizePlan, joined: Map<string, string>): Promise<ManifestShard[]> {
  const shards: ManifestShard[] = [];
  for (const s of plan.shards) {
    const path = join(layout.root, s.to);
    const [info, sha256, rows] = await Promise.all([stat(path), s.sha256 ?? joined.get(s.to) ?? sha256File(path), footerRowCount(path)]);
    if (rows !== s.rows) throw new Error(`${s.to}: ${rows} rows in the footer, the write tasks counted ${s.rows}`);
    shards.push({ path: s.to, lang: s.lang, source: s.source, kind: s.kind, rows, bytes: info.size, sha256, characters: s.characters, tokens: s.tokens });
  }
  return shards;
}

/**
 * The finalize phase: makes the shards from the write tasks' parts (renamed, or joined where
 * a group's rows are spread over several tasks), then writes manifest.json, the dataset card
 * and, if asked, the Apollo release format. Safe to rerun after a crash at any point: the plan
 * is written before anything moves, renames and joined shards that exist are skipped, parts
 * are deleted only once no later shard reads them, and every other file is rewritten atomically.
 */
export async function finalizeShards(task: TaskSpec<ConvertConfig>): Promise<{ manifest: Manifest; stats: TaskStats }> {
  const started = new Date();
  const layout = new ConvertLayout(task.output);
  const plan = await loadOrMakePlan(task, layout);
  const joined = await buildShards(layout, plan);
  const manifest = buildManifest(task.config.datasetName, plan.created, await describeShards(layout, plan, joined), plan.version);
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
