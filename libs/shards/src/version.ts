import { readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { JsonlWriter, writeFileAtomic } from '@apollo/document';
import type { TaskSpec } from '@apollo/stage';
import type { ConvertConfig } from './config';
import { readCrawlDelta, type CrawlDelta, type RemovalReason } from './delta';
import { ConvertLayout, groupPath, type ShardGroup } from './layout';
import type { Manifest } from './manifest';
import { groupWriter, partEntry, partsIndexJson, type PartsIndex } from './parquet-sink';
import { readParquetRows } from './read';
import { docToRow, rowToDoc } from './row';
import type { ShardWriter } from './shard-writer';
import { sha256File } from './sha256';

/** One line of `changes/added.jsonl` or `changes/removed.jsonl`. */
export interface ChangeEntry {
  id: string;
  url: string | null;
  lang: string;
  source: string;
  /** added: `new` or `changed` (from the crawl delta; `new` for documents the delta does not name); removed: a `RemovalReason`. */
  reason: string;
}

/**
 * The `version` block of a manifest: which version this is, what it was built on, and how its
 * rows relate to the base's. Conservation: `base.documents = carried + removed` and
 * `rows = carried + added`; `verifyShards` checks both.
 */
export interface VersionBlock {
  /** 1 for a version without a base, else the base's number + 1. */
  number: number;
  /** The previous version, or null. */
  base: {
    /** Absolute path of the base's manifest.json. */
    manifest: string;
    /** sha256 of that manifest file as read. */
    sha256: string;
    /** Base version number (1 when its manifest has no version block). */
    number: number;
    /** Rows of the base version. */
    documents: number;
  } | null;
  /** Crawl delta sources read (absolute paths), and their lines by change. */
  crawlDelta: { paths: string[]; files: number; entries: { new: number; changed: number; deleted: number } };
  /** This run's documents (the stage's write phase output). */
  added: number;
  /** Base rows left out. */
  removed: number;
  /** Base rows copied into this version. */
  carried: number;
  removedByReason: Partial<Record<RemovalReason, number>>;
  /** Ids the delta removes that the base does not hold (dropped upstream in an earlier version). */
  removalsNotInBase: number;
  /** The change lists, relative to the output folder, with their sha256. */
  changes: { added: string; removed: string; addedSha256: string; removedSha256: string };
}

function changeEntry(row: Record<string, unknown>, reason: string): ChangeEntry {
  const url = row.url === null || row.url === undefined ? null : String(row.url);
  return { id: String(row.id), url, lang: String(row.lang), source: String(row.source), reason };
}

/**
 * Lists this run's documents into `changes/added.jsonl`, reading only four columns of the
 * write tasks' parts; returns their ids (held in memory: a refresh's documents, not the corpus).
 */
async function listAdded(layout: ConvertLayout, indexes: PartsIndex[], delta: CrawlDelta, out: JsonlWriter): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const index of [...indexes].sort((a, b) => a.rank - b.rank)) {
    for (const part of index.parts) {
      for await (const row of readParquetRows(join(layout.partsDir(index.rank), part.file), ['id', 'url', 'lang', 'source'])) {
        const id = String(row.id);
        ids.add(id);
        await out.write(changeEntry(row, delta.additions.get(id) ?? 'new'));
      }
    }
  }
  return ids;
}

interface CarryResult {
  index: PartsIndex;
  baseRows: number;
  carried: number;
  removedByReason: Partial<Record<RemovalReason, number>>;
  removalsNotInBase: number;
}

/**
 * Streams the base version's rows (one row group in memory at a time) into `parts/base/`,
 * grouped and cut into files exactly like a write task's parts; rows the delta removes, and
 * rows an incoming document replaces, go to `changes/removed.jsonl` instead.
 */
async function carryBase(
  task: TaskSpec<ConvertConfig>,
  layout: ConvertLayout,
  baseDir: string,
  base: Manifest,
  delta: CrawlDelta,
  incoming: Set<string>,
  removedOut: JsonlWriter,
): Promise<CarryResult> {
  const c = task.config;
  const tmp = `${layout.carryDir()}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  await rm(layout.carryDir(), { recursive: true, force: true });
  const writers = new Map<string, { group: ShardGroup; writer: ShardWriter }>();
  const result: CarryResult = { index: { rank: -1, rows: 0, parts: [] }, baseRows: 0, carried: 0, removedByReason: {}, removalsNotInBase: 0 };
  const matched = new Set<string>();
  try {
    for (const shard of base.shards) {
      let rows = 0;
      for await (const row of readParquetRows(join(baseDir, shard.path))) {
        rows++;
        const id = String(row.id);
        const reason: RemovalReason | undefined = delta.removals.get(id) ?? (incoming.has(id) ? 'superseded' : undefined);
        if (reason) {
          if (delta.removals.has(id)) matched.add(id);
          result.removedByReason[reason] = (result.removedByReason[reason] ?? 0) + 1;
          await removedOut.write(changeEntry(row, reason));
          continue;
        }
        const doc = rowToDoc(row);
        const group: ShardGroup = { lang: doc.lang!, source: doc.source, kind: doc.kind };
        const key = groupPath(group);
        let entry = writers.get(key);
        if (!entry) {
          entry = { group, writer: groupWriter(tmp, group, c) };
          writers.set(key, entry);
        }
        await entry.writer.write(docToRow(doc, c.charsPerToken));
        result.carried++;
      }
      // A base shard shorter than its manifest says is a damaged base: stop before publishing a version built on it.
      if (rows !== shard.rows) throw new Error(`${join(baseDir, shard.path)}: ${rows} rows read, the base manifest says ${shard.rows}`);
      result.baseRows += rows;
    }
    for (const [key, { group, writer }] of writers) {
      for (const f of await writer.close()) {
        result.index.parts.push(partEntry(group, key, f));
      }
    }
    result.index.rows = result.carried;
    // Finalize reads the row groups of carried parts from here when it joins them with new ones,
    // also on a rerun after a crash (the plan names the parts, not their row groups).
    if (result.carried > 0) await writeFileAtomic(join(tmp, 'index.json'), partsIndexJson(result.index));
    await rename(tmp, layout.carryDir()).catch(async (err: NodeJS.ErrnoException) => {
      // Nothing carried means no folder was ever made.
      if (err.code !== 'ENOENT' || result.carried > 0) throw err;
    });
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  result.removalsNotInBase = [...delta.removals.keys()].filter((id) => !matched.has(id)).length;
  return result;
}

async function readBaseManifest(baseDir: string): Promise<{ manifest: Manifest; path: string; sha256: string }> {
  const path = new ConvertLayout(baseDir).manifestFile();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`${path}: cannot read the base version's manifest (${(err as Error).message}); --base must be a finished convert output folder`);
  }
  const manifest = JSON.parse(text) as Manifest;
  if (manifest.format !== 'apollo-shards/1') throw new Error(`${path}: not an apollo-shards/1 manifest`);
  return { manifest, path, sha256: await sha256File(path) };
}

/**
 * Builds a corpus version (called by finalize before it plans the shard names): reads the
 * crawl delta, lists this run's documents as added, carries the base's remaining rows into
 * `parts/base/`, and writes `changes/added.jsonl` and `changes/removed.jsonl` atomically.
 * Returns the carried parts (to be named with the new ones) and the manifest's version block.
 */
export async function buildVersion(
  task: TaskSpec<ConvertConfig>,
  layout: ConvertLayout,
  indexes: PartsIndex[],
): Promise<{ carried: PartsIndex | undefined; version: VersionBlock }> {
  const c = task.config;
  const delta = await readCrawlDelta(c.crawlDelta);
  const base = c.base === null ? undefined : await readBaseManifest(c.base);
  const addedOut = new JsonlWriter(join(layout.root, layout.changesPath('added')));
  const removedOut = new JsonlWriter(join(layout.root, layout.changesPath('removed')));
  try {
    const incoming = await listAdded(layout, indexes, delta, addedOut);
    const carry = base ? await carryBase(task, layout, c.base!, base.manifest, delta, incoming, removedOut) : undefined;
    await addedOut.commit();
    await removedOut.commit();
    const removedByReason = carry?.removedByReason ?? {};
    const version: VersionBlock = {
      number: base ? (base.manifest.version?.number ?? 1) + 1 : 1,
      base: base ? { manifest: base.path, sha256: base.sha256, number: base.manifest.version?.number ?? 1, documents: carry!.baseRows } : null,
      crawlDelta: { paths: c.crawlDelta, files: delta.files, entries: delta.entries },
      added: addedOut.count,
      removed: removedOut.count,
      carried: carry?.carried ?? 0,
      removedByReason,
      removalsNotInBase: carry ? carry.removalsNotInBase : delta.removals.size,
      changes: {
        added: layout.changesPath('added'),
        removed: layout.changesPath('removed'),
        addedSha256: await sha256File(addedOut.path),
        removedSha256: await sha256File(removedOut.path),
      },
    };
    return { carried: carry && carry.index.parts.length > 0 ? carry.index : undefined, version };
  } catch (err) {
    await Promise.all([addedOut.abort(), removedOut.abort()]);
    throw err;
  }
}
