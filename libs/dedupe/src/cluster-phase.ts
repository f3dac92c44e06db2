import { LANGS, writeFileAtomic } from '@apollo/document';
import { readRunRecord, type SinglePhase, type TaskRuntime, type TaskSpec, type TaskStats, phaseStats } from '@apollo/stage';
import { EDGE_BYTES, KEEP_BYTES, writeKeepKey } from './bucket-entry';
import { ensureSpaces, type SpaceMeta } from './buckets-phase';
import { addSpaceFigures, emptyClusterStats, type ClusterStats } from './cluster';
import { numHashes, type DedupeConfig } from './config';
import { writeDuplicates, type DuplicateRecord } from './duplicates-file';
import { sourceRanks } from './keep-policy';
import { DedupeLayout, EXACT_SPACE, keySpaces, PHASE_CLUSTER } from './layout';
import { estimateJaccard } from './minhash';
import { RunFileReader } from './run-file';
import { FLAG_NO_SHINGLES, OTHER_LANG, readSignatureFile, SignatureFileError, type SignatureRecord } from './signature-file';
import type { SignatureStore } from './signature-store';
import { IndexedStore, openRunStore } from './corpus-index';
import { clusterAgainstIndex } from './cluster-against';
import { UnionFind } from './union-find';

/** `clusters/summary.json`. */
export interface ClusterSummary {
  stats: ClusterStats;
  /** Documents and duplicates per language (`other` for documents without a known language). */
  byLang: Record<string, { docs: number; exactDuplicates: number; nearDuplicates: number }>;
  worldSize: number;
  /** The index version the run was checked against, if any. */
  against?: string;
}

/** Joins the documents of every edge of a space. */
function unionEdges(uf: UnionFind, store: SignatureStore, path: string): void {
  const r = new RunFileReader(path, EDGE_BYTES);
  try {
    while (r.next()) {
      const b = r.current;
      const o = r.offset;
      uf.union(store.globalIndex(b.readUInt32LE(o), b.readUInt32LE(o + 4)), store.globalIndex(b.readUInt32LE(o + 8), b.readUInt32LE(o + 12)));
    }
  } finally {
    r.close();
  }
}

/** Streams every signature record of the run in (rank, ordinal) order, checksums checked. */
async function* allRecords(store: SignatureStore): AsyncGenerator<SignatureRecord> {
  for (const file of store.files) yield* readSignatureFile(file);
}

function langName(index: number): string {
  return index === OTHER_LANG ? 'other' : (LANGS[index] ?? 'other');
}

/**
 * Clusters the run from the key spaces' edges with bounded memory: a union-find over all
 * documents (8 bytes each) joins copies to their representatives and verified near pairs; the
 * kept document of each cluster is the keep policy's favourite, found in one pass over the
 * signature files holding only one 30-byte key per cluster; a second pass writes one
 * duplicate record per dropped document in (rank, ordinal) order, reading the kept document's
 * record back by position. Unfinished key spaces are merged here first, so the phase also
 * works when the buckets phase was not run as separate jobs.
 */
export async function clusterRun(output: string, worldSize: number, config: DedupeConfig, rt: TaskRuntime): Promise<ClusterSummary> {
  const layout = new DedupeLayout(output);
  const store = await openRunStore(output, worldSize, config, true);
  try {
    const spaces = keySpaces(numHashes(config) > 0 ? config.bands : 0);
    const { metas, ran } = await ensureSpaces(spaces, { output, config, store, worldSize, log: rt.log });
    if (ran > 0) rt.log.info('merged key spaces the buckets phase had not finished', { spaces: ran });
    if (store instanceof IndexedStore) return await clusterAgainstIndex(output, worldSize, config, store, spaces, metas, rt);
    const n = store.total;
    const uf = new UnionFind(n);
    for (const space of spaces) unionEdges(uf, store, layout.edgesFile(space));

    const stats = addSpaceFigures(emptyClusterStats(n), metas as SpaceMeta[], EXACT_SPACE);

    // Pass 1: the keep policy's favourite per cluster (clusters of one keep their document).
    const rankOfSource = sourceRanks(config.sourcePriority);
    const best = new Map<number, { doc: number; key: Buffer }>();
    const key = Buffer.alloc(KEEP_BYTES);
    const keepKey = (rec: SignatureRecord) => {
      writeKeepKey(key, 0, { sourceRank: rankOfSource[rec.sourceIndex]!, contentLength: rec.contentLength, id: Buffer.from(rec.id, 'hex'), rank: rec.rank, ordinal: rec.ordinal });
      return key;
    };
    const byLang: ClusterSummary['byLang'] = {};
    for await (const rec of allRecords(store)) {
      const i = store.globalIndex(rec.rank, rec.ordinal);
      if (rec.flags & FLAG_NO_SHINGLES) stats.noShingles++;
      const entry = (byLang[langName(rec.langIndex)] ??= { docs: 0, exactDuplicates: 0, nearDuplicates: 0 });
      entry.docs++;
      rt.progress(1, 0);
      if (uf.setSize(i) < 2) continue;
      const root = uf.find(i);
      const k = keepKey(rec);
      const cur = best.get(root);
      if (!cur) best.set(root, { doc: i, key: Buffer.from(k) });
      else if (k.compare(cur.key) < 0) {
        cur.doc = i;
        k.copy(cur.key);
      }
    }

    // Pass 2: one duplicate record per dropped document, in (rank, ordinal) order.
    const rankOf = (doc: number) => {
      // The last rank whose first document number is <= doc holds it (an empty rank shares its
      // first number with the next rank, so it is never the last one for a valid doc).
      let lo = 0;
      let hi = store.offsets.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (store.offsets[mid]! <= doc) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    };
    let keptCache: { doc: number; exact: Buffer; signature: Uint32Array; id: string } | undefined;
    const keptRecord = (doc: number) => {
      if (keptCache?.doc !== doc) {
        const rank = rankOf(doc);
        const ordinal = doc - store.offsets[rank]!;
        const raw = store.record(rank, ordinal);
        keptCache = { doc, exact: Buffer.from(raw.subarray(8, 24)), id: raw.toString('hex', 24, 40), signature: store.signature(rank, ordinal) };
      }
      return keptCache;
    };
    async function* duplicates(): AsyncGenerator<DuplicateRecord> {
      for await (const rec of allRecords(store)) {
        const i = store.globalIndex(rec.rank, rec.ordinal);
        const size = uf.setSize(i);
        const keptDoc = size < 2 ? i : best.get(uf.find(i))!.doc;
        if (keptDoc === i) {
          stats.kept++;
          if (size >= 2) stats.clusters++;
          if (size > stats.largestCluster) stats.largestCluster = size;
          continue;
        }
        const kept = keptRecord(keptDoc);
        const exact = Buffer.from(rec.exactHash).equals(kept.exact);
        const lang = byLang[langName(rec.langIndex)]!;
        if (exact) {
          stats.exactDuplicates++;
          lang.exactDuplicates++;
        } else {
          stats.nearDuplicates++;
          lang.nearDuplicates++;
        }
        const keptRank = rankOf(keptDoc);
        yield {
          rank: rec.rank,
          ordinal: rec.ordinal,
          id: rec.id,
          kind: exact ? 'exact' : 'near',
          similarity: exact ? 1 : Math.round(estimateJaccard(rec.signature, kept.signature) * 1e4) / 1e4,
          keptRank,
          keptOrdinal: keptDoc - store.offsets[keptRank]!,
          keptId: kept.id,
          clusterSize: size,
        };
      }
    }
    await writeDuplicates(layout.duplicatesFile(), duplicates());
    const summary: ClusterSummary = { stats, byLang, worldSize };
    await writeFileAtomic(layout.summaryFile(), JSON.stringify(summary, null, 2) + '\n');
    return summary;
  } finally {
    store.close();
  }
}

/**
 * Clusters the run and writes `clusters/duplicates.jsonl` (the decisions) and
 * `clusters/summary.json`.
 */
export async function runClusterTask(task: TaskSpec<DedupeConfig>, rt: TaskRuntime): Promise<TaskStats> {
  const startedAt = new Date();
  const run = await readRunRecord(task.output);
  if (!run) throw new Error(`${task.output}: no run.json; the cluster phase needs the signatures phase's output folder`);
  let summary: ClusterSummary;
  try {
    summary = await clusterRun(task.output, run.worldSize, task.config, rt);
  } catch (err) {
    if (err instanceof SignatureFileError) throw new Error(`${err.message}; delete it and its completion marker, then rerun its signatures task`);
    throw err;
  }
  const s = summary.stats;
  rt.log.info('clustered', { docs: s.docs, clusters: s.clusters, exact: s.exactDuplicates, near: s.nearDuplicates, rejectedPairs: s.rejectedPairs });
  return phaseStats(task, PHASE_CLUSTER, startedAt, {
    files: task.files,
    docsIn: s.docs,
    docsOut: s.kept,
    dropped: { ...(s.exactDuplicates ? { exact_duplicate: s.exactDuplicates } : {}), ...(s.nearDuplicates ? { near_duplicate: s.nearDuplicates } : {}) },
    extra: { ...s },
  });
}

/** Phase 3 (single): clustering over all key spaces' edges. */
export function clusterPhase(): SinglePhase<DedupeConfig> {
  return { kind: 'single', name: PHASE_CLUSTER, run: runClusterTask };
}
