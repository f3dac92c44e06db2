import { LANGS, writeFileAtomic } from '@apollo/document';
import { readRunRecord, type SinglePhase, type TaskRuntime, type TaskSpec, type TaskStats, phaseStats } from '@apollo/stage';
import { EDGE_BYTES, KEEP_BYTES, writeKeepKey } from './bucket-entry';
import { ensureSpaces, type SpaceMeta } from './buckets-phase';
import { addSpaceFigures, emptyClusterStats, type ClusterStats } from './cluster';
import { numHashes, type DedupeConfig } from './config';
import { writeDuplicates, type DuplicateRecord } from './duplicates-file';
import { offerFavourite, sourceRanks, type Favourites } from './keep-policy';
import { DedupeLayout, EXACT_SPACE, keySpaces, PHASE_CLUSTER } from './layout';
import { estimateJaccard } from './minhash';
import { RunFileReader } from './run-file';
import { FLAG_NO_SHINGLES, OTHER_LANG, REC_EXACT, REC_FLAGS, REC_ID, REC_LANG, REC_LENGTH, REC_SOURCE, recordSignature, SignatureFileError } from './signature-file';
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
  const store = await openRunStore(output, worldSize, config, true, { hold: 'if-held' });
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
    const best: Favourites = new Map();
    const key = Buffer.alloc(KEEP_BYTES);
    const byLang: ClusterSummary['byLang'] = {};
    // Records are read as views of the held files or of the files' blocks (`scan`): decoding
    // every one into an object with its signature was most of this phase's time.
    for (let rank = 0; rank < store.files.length; rank++) {
      store.scan(rank, (buf, o, ordinal) => {
        const i = store.globalIndex(rank, ordinal);
        if (buf[o + REC_FLAGS]! & FLAG_NO_SHINGLES) stats.noShingles++;
        const entry = (byLang[langName(buf[o + REC_LANG]!)] ??= { docs: 0, exactDuplicates: 0, nearDuplicates: 0 });
        entry.docs++;
        if (uf.setSize(i) < 2) return;
        const root = uf.find(i);
        writeKeepKey(key, 0, { sourceRank: rankOfSource[buf[o + REC_SOURCE]!]!, contentLength: buf.readUInt32LE(o + REC_LENGTH), id: buf.subarray(o + REC_ID, o + REC_ID + 16), rank, ordinal });
        offerFavourite(best, root, i, key);
      });
      rt.progress(store.headers[rank]!.count, 0);
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
        keptCache = { doc, exact: Buffer.from(raw.subarray(REC_EXACT, REC_EXACT + 16)), id: raw.toString('hex', REC_ID, REC_ID + 16), signature: recordSignature(raw, 0, store.numHashes) };
      }
      return keptCache;
    };
    const hashes = store.numHashes;
    /** One rank's duplicate records, gathered while its file is scanned (a file read again is checked before they are used). */
    const rankDuplicates = (rank: number): DuplicateRecord[] => {
      const out: DuplicateRecord[] = [];
      store.scan(rank, (buf, o, ordinal) => {
        const i = store.globalIndex(rank, ordinal);
        const size = uf.setSize(i);
        const keptDoc = size < 2 ? i : best.get(uf.find(i))!.doc;
        if (keptDoc === i) {
          stats.kept++;
          if (size >= 2) stats.clusters++;
          if (size > stats.largestCluster) stats.largestCluster = size;
          return;
        }
        const kept = keptRecord(keptDoc);
        const exact = buf.compare(kept.exact, 0, 16, o + REC_EXACT, o + REC_EXACT + 16) === 0;
        const lang = byLang[langName(buf[o + REC_LANG]!)]!;
        if (exact) {
          stats.exactDuplicates++;
          lang.exactDuplicates++;
        } else {
          stats.nearDuplicates++;
          lang.nearDuplicates++;
        }
        const keptRank = rankOf(keptDoc);
        out.push({
          rank,
          ordinal,
          id: buf.toString('hex', o + REC_ID, o + REC_ID + 16),
          kind: exact ? 'exact' : 'near',
          similarity: exact ? 1 : Math.round(estimateJaccard(recordSignature(buf, o, hashes), kept.signature) * 1e4) / 1e4,
          keptRank,
          keptOrdinal: keptDoc - store.offsets[keptRank]!,
          keptId: kept.id,
          clusterSize: size,
        });
      });
      return out;
    };
    function* duplicates(): Generator<DuplicateRecord> {
      for (let rank = 0; rank < store.files.length; rank++) yield* rankDuplicates(rank);
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
