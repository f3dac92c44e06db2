import { type DocTable, hasNoShingles, sameExactHash, signatureOf } from './doc-table';
import { compareForKeep } from './keep-policy';
import { bandKeys, buckets, DEFAULT_PAIR_LIMITS, forEachCandidatePair, shortBandKeys, shortBanding, type Banding, type PairLimits } from './lsh';
import { estimateJaccard } from './minhash';
import { UnionFind } from './union-find';

/** Clustering parameters. */
export interface ClusterOptions extends Banding {
  /** Minimum estimated Jaccard similarity for a candidate pair to be joined. Default 0.8. */
  threshold: number;
  /** Only exact duplicates; no LSH. Default false. */
  exactOnly: boolean;
  pairLimits?: PairLimits;
  /** Short documents (see `shortChars`): their short bands, and the threshold of a pair of two. Default none. */
  short?: { shortChars: number; shortRows: number; shortThreshold: number };
}

/** Figures of one clustering run. */
export interface ClusterStats {
  docs: number;
  /** Documents without shingles: exact matching only. */
  noShingles: number;
  /** Groups of two or more documents with the same exact hash. */
  exactGroups: number;
  /** Clusters of two or more documents after exact and near matching. */
  clusters: number;
  largestCluster: number;
  /** Candidate pairs from LSH buckets that were not already in one cluster. */
  candidatePairs: number;
  /** Candidate pairs at or above the threshold (joined). */
  verifiedPairs: number;
  /** Candidate pairs below the threshold (band collisions that were not joined). */
  rejectedPairs: number;
  /** Buckets too large for all pairs (compared through a window). */
  largeBuckets: number;
  exactDuplicates: number;
  nearDuplicates: number;
  kept: number;
  /** Against an index: documents dropped as duplicates of an indexed (published) document. */
  duplicatesOfIndex?: number;
  /** Against an index: documents in it. */
  indexDocs?: number;
}

/** The outcome: for every document, the document kept for its cluster (itself when kept). */
export interface Clustering {
  keptOf: Int32Array;
  clusterSize: Int32Array;
  stats: ClusterStats;
}

/** Document numbers sorted by exact hash lanes. */
function byExactHash(t: DocTable): Uint32Array {
  const e = t.exactLanes;
  const order = new Uint32Array(t.count);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort(
    (a, b) => e[4 * a]! - e[4 * b]! || e[4 * a + 1]! - e[4 * b + 1]! || e[4 * a + 2]! - e[4 * b + 2]! || e[4 * a + 3]! - e[4 * b + 3]!,
  );
}

/**
 * Exact groups are joined first; one representative per group (the one the policy prefers)
 * goes through LSH, since its copies have the same signature. Candidate pairs are verified
 * (estimated Jaccard >= threshold) before they are joined, so a band collision between two
 * merely similar documents cannot merge clusters. The kept document of a cluster is the one
 * the keep policy prefers. Each step depends only on the documents' contents and the canonical
 * policy order, so the result does not depend on input order or world size.
 */
/** Clustering statistics of `n` documents before any work: every count zero. */
export function emptyClusterStats(n: number): ClusterStats {
  return {
    docs: n,
    noShingles: 0,
    exactGroups: 0,
    clusters: 0,
    largestCluster: n > 0 ? 1 : 0,
    candidatePairs: 0,
    verifiedPairs: 0,
    rejectedPairs: 0,
    largeBuckets: 0,
    exactDuplicates: 0,
    nearDuplicates: 0,
    kept: 0,
  };
}

/** Adds the bucket phase's per-key-space figures (pairs compared, exact groups) to cluster stats. */
export function addSpaceFigures(
  stats: ClusterStats,
  metas: readonly { space: string; buckets: number; candidatePairs: number; verifiedPairs: number; rejectedPairs: number; largeBuckets: number }[],
  exactSpace: string,
): ClusterStats {
  for (const m of metas) {
    if (m.space === exactSpace) stats.exactGroups = m.buckets;
    else {
      stats.candidatePairs += m.candidatePairs;
      stats.verifiedPairs += m.verifiedPairs;
      stats.rejectedPairs += m.rejectedPairs;
      stats.largeBuckets += m.largeBuckets;
    }
  }
  return stats;
}

export function clusterDocuments(t: DocTable, options: ClusterOptions): Clustering {
  const n = t.count;
  const uf = new UnionFind(n);
  const stats = emptyClusterStats(n);
  for (let i = 0; i < n; i++) if (hasNoShingles(t, i)) stats.noShingles++;

  // Exact groups, and one representative per group for LSH.
  const order = byExactHash(t);
  const reps: number[] = [];
  let start = 0;
  for (let k = 1; k <= n; k++) {
    if (k < n && sameExactHash(t, order[k]!, order[start]!)) continue;
    let rep = order[start]!;
    for (let m = start + 1; m < k; m++) {
      const doc = order[m]!;
      uf.union(order[start]!, doc);
      if (compareForKeep(t, doc, rep) < 0) rep = doc;
    }
    if (k - start >= 2) stats.exactGroups++;
    if (!hasNoShingles(t, rep)) reps.push(rep);
    start = k;
  }

  if (!options.exactOnly && reps.length > 1) {
    if (t.numHashes !== options.bands * options.rows) {
      throw new Error(`signatures hold ${t.numHashes} values, but bands x rows = ${options.bands * options.rows}`);
    }
    const limits = options.pairLimits ?? DEFAULT_PAIR_LIMITS;
    const docs = Uint32Array.from(reps);
    const short = options.short ?? { shortChars: 0, shortRows: 1, shortThreshold: options.threshold };
    const verify = (x: number, y: number) => {
      if (uf.find(x) === uf.find(y)) return;
      stats.candidatePairs++;
      const bothShort = t.contentLength[x]! < short.shortChars && t.contentLength[y]! < short.shortChars;
      if (estimateJaccard(signatureOf(t, x), signatureOf(t, y)) >= (bothShort ? short.shortThreshold : options.threshold)) {
        uf.union(x, y);
        stats.verifiedPairs++;
      } else {
        stats.rejectedPairs++;
      }
    };
    const clusterBuckets = (keys: { hi: Uint32Array; lo: Uint32Array }, members: Uint32Array) => {
      for (const bucket of buckets(members, keys)) {
        bucket.sort((a, b) => compareForKeep(t, a, b));
        if (bucket.length > limits.fullPairsUpTo) stats.largeBuckets++;
        forEachCandidatePair(bucket, limits, verify);
      }
    };
    for (let band = 0; band < options.bands; band++) clusterBuckets(bandKeys(t.signatures, t.numHashes, docs, band, options.rows), docs);
    if (short.shortChars > 0) {
      const shortDocs = docs.filter((d) => t.contentLength[d]! < short.shortChars);
      const { shortBands } = shortBanding(t.numHashes, short.shortRows);
      for (let band = 0; band < shortBands; band++) clusterBuckets(shortBandKeys(t.signatures, t.numHashes, shortDocs, band, short.shortRows), shortDocs);
    }
  }

  // Kept document per cluster: the policy's favourite among all members.
  const best = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const root = uf.find(i);
    const cur = best[root]!;
    if (cur === -1 || compareForKeep(t, i, cur) < 0) best[root] = i;
  }
  const keptOf = new Int32Array(n);
  const clusterSize = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const root = uf.find(i);
    const kept = best[root]!;
    keptOf[i] = kept;
    const size = uf.setSize(i);
    clusterSize[i] = size;
    if (kept === i) {
      stats.kept++;
      if (size >= 2) stats.clusters++;
      if (size > stats.largestCluster) stats.largestCluster = size;
    } else if (sameExactHash(t, i, kept)) {
      stats.exactDuplicates++;
    } else {
      stats.nearDuplicates++;
    }
  }
  return { keptOf, clusterSize, stats };
}
