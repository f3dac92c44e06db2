import { LANGS, writeFileAtomic } from '@apollo/document';
import type { TaskRuntime } from '@apollo/stage';
import { EDGE_BYTES, KEEP_BYTES, writeKeepKey } from './bucket-entry';
import type { SpaceMeta } from './buckets-phase';
import { addSpaceFigures, emptyClusterStats, type ClusterStats } from './cluster';
import type { ClusterSummary } from './cluster-phase';
import type { DedupeConfig } from './config';
import { INDEX_RANK_BIT, isIndexRank, readKeptMap, type IndexedStore } from './corpus-index';
import { writeDuplicates, type DuplicateRecord } from './duplicates-file';
import { offerFavourite, sourceRanks, type Favourites } from './keep-policy';
import { DedupeLayout, EXACT_SPACE } from './layout';
import { estimateJaccard } from './minhash';
import { RunFileReader } from './run-file';
import { FLAG_NO_SHINGLES, OTHER_LANG, REC_EXACT, REC_FLAGS, REC_ID, REC_LANG, REC_LENGTH, REC_SOURCE, recordSignature, scanSignatureFile } from './signature-file';
import { UnionFind } from './union-find';

function langName(index: number): string {
  return index === OTHER_LANG ? 'other' : (LANGS[index] ?? 'other');
}

/** Rank holding global document `doc` (the last rank whose first number is <= doc). */
function rankOf(offsets: readonly number[], doc: number): number {
  let lo = 0;
  let hi = offsets.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (offsets[mid]! <= doc) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Clustering of a delta run against an index. Union-find nodes: the delta's documents
 * (0 .. n-1), then one node per indexed document (n + its index number), but an indexed
 * document always enters as the document kept for it when it was published (the kept map), so
 * the index's own clusters are joined without reading them. Edges only involve delta documents
 * (the buckets phase skipped pairs of indexed documents).
 *
 * Decisions: the index's documents are published and are never dropped. A cluster holding an
 * indexed document drops all its delta documents, naming the keep policy's favourite among the
 * indexed kept documents it holds. A cluster of delta documents only is decided as in a run
 * without index (keep policy). So for a delta document whose from-scratch cluster (old and new
 * corpus deduplicated together) keeps an old document, the decision and the named document are
 * the same as from scratch; where from scratch would keep a delta document of a cluster that
 * also holds old documents (a better source, or a longer text), this run drops every delta
 * document of that cluster, naming the best old kept document, and keeps the old one(s).
 */
export async function clusterAgainstIndex(output: string, worldSize: number, config: DedupeConfig, store: IndexedStore, spaces: string[], metas: SpaceMeta[], rt: TaskRuntime): Promise<ClusterSummary> {
  const layout = new DedupeLayout(output);
  const n = store.total;
  const index = store.index;
  const keptMap = readKeptMap(index);
  const uf = new UnionFind(n + index.manifest.docs);
  const touched = new Set<number>();
  const node = (rank: number, ordinal: number): number => {
    if (!isIndexRank(rank)) return store.globalIndex(rank, ordinal);
    const kept = keptMap[index.store.globalIndex(rank - INDEX_RANK_BIT, ordinal)]!;
    touched.add(kept);
    return n + kept;
  };
  for (const space of spaces) {
    const r = new RunFileReader(layout.edgesFile(space), EDGE_BYTES);
    try {
      while (r.next()) {
        const b = r.current;
        const o = r.offset;
        uf.union(node(b.readUInt32LE(o), b.readUInt32LE(o + 4)), node(b.readUInt32LE(o + 8), b.readUInt32LE(o + 12)));
      }
    } finally {
      r.close();
    }
  }

  const stats: ClusterStats = {
    ...emptyClusterStats(n),
    duplicatesOfIndex: 0,
    indexDocs: index.manifest.docs,
  };
  addSpaceFigures(stats, metas, EXACT_SPACE);

  const rankOfSource = sourceRanks(config.sourcePriority);
  const key = Buffer.alloc(KEEP_BYTES);
  // The favourite indexed kept document per cluster touching the index.
  const bestOld: Favourites = new Map();
  for (const doc of touched) {
    const rank = rankOf(index.store.offsets, doc);
    const ordinal = doc - index.store.offsets[rank]!;
    const raw = index.store.record(rank, ordinal);
    writeKeepKey(key, 0, { sourceRank: rankOfSource[raw[44]!]!, contentLength: raw.readUInt32LE(40), id: raw.subarray(24, 40), rank: INDEX_RANK_BIT + rank, ordinal });
    const root = uf.find(n + doc);
    offerFavourite(bestOld, root, doc, key);
  }

  // The favourite delta document per cluster of delta documents only. Records are read as
  // views of the files' blocks (scanSignatureFile), as in the cluster phase.
  const bestNew: Favourites = new Map();
  const byLang: ClusterSummary['byLang'] = {};
  for (const [rank, file] of store.files.entries()) {
    scanSignatureFile(file, (buf, o, ordinal) => {
      const i = store.globalIndex(rank, ordinal);
      if (buf[o + REC_FLAGS]! & FLAG_NO_SHINGLES) stats.noShingles++;
      (byLang[langName(buf[o + REC_LANG]!)] ??= { docs: 0, exactDuplicates: 0, nearDuplicates: 0 }).docs++;
      if (uf.setSize(i) < 2) return;
      const root = uf.find(i);
      if (bestOld.has(root)) return;
      writeKeepKey(key, 0, { sourceRank: rankOfSource[buf[o + REC_SOURCE]!]!, contentLength: buf.readUInt32LE(o + REC_LENGTH), id: buf.subarray(o + REC_ID, o + REC_ID + 16), rank, ordinal });
      offerFavourite(bestNew, root, i, key);
    });
    rt.progress(store.headers[rank]!.count, 0);
  }

  /** One rank's duplicate records, gathered while its file is scanned (checksum checked before they are used). */
  const rankDuplicates = (rank: number): DuplicateRecord[] => {
    const out: DuplicateRecord[] = [];
    scanSignatureFile(store.files[rank]!, (buf, o, ordinal) => {
      const i = store.globalIndex(rank, ordinal);
      const size = uf.setSize(i);
      const root = size < 2 ? i : uf.find(i);
      const old = size < 2 ? undefined : bestOld.get(root);
      const keptNew = size < 2 ? i : bestNew.get(root)?.doc;
      if (!old && keptNew === i) {
        stats.kept++;
        if (size >= 2) stats.clusters++;
        if (size > stats.largestCluster) stats.largestCluster = size;
        return;
      }
      let keptRank: number;
      let keptOrdinal: number;
      let raw: Buffer;
      let keptSig: Uint32Array;
      if (old) {
        keptRank = rankOf(index.store.offsets, old.doc);
        keptOrdinal = old.doc - index.store.offsets[keptRank]!;
        raw = index.store.record(keptRank, keptOrdinal);
        keptSig = index.store.signature(keptRank, keptOrdinal);
        stats.duplicatesOfIndex!++;
      } else {
        keptRank = rankOf(store.offsets, keptNew!);
        keptOrdinal = keptNew! - store.offsets[keptRank]!;
        raw = store.record(keptRank, keptOrdinal);
        keptSig = store.signature(keptRank, keptOrdinal);
      }
      const exact = buf.compare(raw, REC_EXACT, REC_EXACT + 16, o + REC_EXACT, o + REC_EXACT + 16) === 0;
      const lang = byLang[langName(buf[o + REC_LANG]!)]!;
      if (exact) {
        stats.exactDuplicates++;
        lang.exactDuplicates++;
      } else {
        stats.nearDuplicates++;
        lang.nearDuplicates++;
      }
      out.push({
        rank,
        ordinal,
        id: buf.toString('hex', o + REC_ID, o + REC_ID + 16),
        kind: exact ? 'exact' : 'near',
        similarity: exact ? 1 : Math.round(estimateJaccard(recordSignature(buf, o, store.numHashes), keptSig) * 1e4) / 1e4,
        keptRank,
        keptOrdinal,
        keptId: raw.toString('hex', REC_ID, REC_ID + 16),
        clusterSize: size,
        ...(old ? { keptInIndex: true } : {}),
      });
    });
    return out;
  };
  function* duplicates(): Generator<DuplicateRecord> {
    for (let rank = 0; rank < store.files.length; rank++) yield* rankDuplicates(rank);
  }
  await writeDuplicates(layout.duplicatesFile(), duplicates());
  const summary: ClusterSummary = { stats, byLang, worldSize, against: index.dir };
  await writeFileAtomic(layout.summaryFile(), JSON.stringify(summary, null, 2) + '\n');
  return summary;
}
