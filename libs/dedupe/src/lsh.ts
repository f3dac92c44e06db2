import { murmur3Words } from './murmur3';

/**
 * Locality-sensitive hashing by banding: the signature is cut into `bands` bands of `rows`
 * values; documents whose values agree on a whole band land in the same bucket and become
 * candidate pairs. Bucket building (keys, then a sort) is kept apart from clustering so that
 * a corpus-scale version can sort the same keys on disk.
 */

/** Banding of a signature. */
export interface Banding {
  /** Number of bands. Default 14. */
  bands: number;
  /** Signature values per band. Default 8. */
  rows: number;
}

const KEY_SEED_HI = 0x2545f491;
const KEY_SEED_LO = 0x7fb5d329;
const SHORT_KEY_SEED_HI = 0x1b873593;
const SHORT_KEY_SEED_LO = 0x68e31da4;

/**
 * Short bands: the signature cut into bands of `shortRows` values (4 by default: each band of 8
 * rows in two halves), which only documents shorter than `shortChars` get, beside their bands.
 * Two documents of Jaccard similarity s share one with probability 1 - (1 - s^4)^28 (0.98 at
 * 0.6 with 112 values), where 14 x 8 gives 0.21: short copies sit at 0.6-0.8 (one substituted
 * word changes a tenth of a short text's shingles), where 14 x 8 misses most of them.
 */
export interface ShortBanding {
  /** Values per short band. */
  shortRows: number;
  /** Number of short bands: numHashes / shortRows. */
  shortBands: number;
}

/** The short banding of a signature of `numHashes` values. */
export function shortBanding(numHashes: number, shortRows: number): ShortBanding {
  return { shortRows, shortBands: Math.floor(numHashes / shortRows) };
}

/**
 * Probability that two documents with Jaccard similarity `s` share at least one band:
 * 1 - (1 - s^rows)^bands (0.92 at s = 0.8 with 14 x 8).
 */
export function candidateProbability(s: number, banding: Banding): number {
  return 1 - Math.pow(1 - Math.pow(s, banding.rows), banding.bands);
}

/** Keys of `rows` values from `offset` of each document's signature, on two seeded murmur3 lanes. */
function keysAt(signatures: Uint32Array, numHashes: number, docs: Uint32Array, offset: number, rows: number, seedHi: number, seedLo: number): { hi: Uint32Array; lo: Uint32Array } {
  const hi = new Uint32Array(docs.length);
  const lo = new Uint32Array(docs.length);
  for (let p = 0; p < docs.length; p++) {
    const start = docs[p]! * numHashes + offset;
    hi[p] = murmur3Words(signatures, start, rows, seedHi);
    lo[p] = murmur3Words(signatures, start, rows, seedLo);
  }
  return { hi, lo };
}

/**
 * 64-bit band keys (two independent 32-bit murmur3 lanes over the band's values) of the given
 * documents for one band. Two lanes make accidental key collisions between different bands'
 * contents about 2^-64 per pair instead of 2^-32.
 */
export function bandKeys(signatures: Uint32Array, numHashes: number, docs: Uint32Array, band: number, rows: number): { hi: Uint32Array; lo: Uint32Array } {
  return keysAt(signatures, numHashes, docs, band * rows, rows, KEY_SEED_HI + band, KEY_SEED_LO + band);
}

/** The 64-bit key of one band of one signature, as [hi, lo] (the same values as `bandKeys`). */
export function bandKeyOf(signature: Uint32Array, band: number, rows: number): [number, number] {
  const start = band * rows;
  return [murmur3Words(signature, start, rows, KEY_SEED_HI + band), murmur3Words(signature, start, rows, KEY_SEED_LO + band)];
}

/**
 * Short band keys of the given documents for one short band (as `bandKeys`, with seeds of
 * their own, so a short band's key equals a band's only by a 2^-64 accident, which would only
 * make a pair a candidate).
 */
export function shortBandKeys(signatures: Uint32Array, numHashes: number, docs: Uint32Array, band: number, shortRows: number): { hi: Uint32Array; lo: Uint32Array } {
  return keysAt(signatures, numHashes, docs, band * shortRows, shortRows, SHORT_KEY_SEED_HI + band, SHORT_KEY_SEED_LO + band);
}

/** The key of one short band of one signature, as [hi, lo] (the same values as `shortBandKeys`). */
export function shortBandKeyOf(signature: Uint32Array, band: number, shortRows: number): [number, number] {
  const start = band * shortRows;
  return [murmur3Words(signature, start, shortRows, SHORT_KEY_SEED_HI + band), murmur3Words(signature, start, shortRows, SHORT_KEY_SEED_LO + band)];
}

/**
 * Buckets of equal keys with at least two members, as arrays of document numbers taken from
 * `docs`. Found by sorting positions by key, so memory is linear in the number of documents.
 */
export function* buckets(docs: Uint32Array, keys: { hi: Uint32Array; lo: Uint32Array }): Generator<Uint32Array> {
  const { hi, lo } = keys;
  const order = new Uint32Array(docs.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => hi[a]! - hi[b]! || lo[a]! - lo[b]!);
  let start = 0;
  for (let i = 1; i <= order.length; i++) {
    if (i < order.length && hi[order[i]!] === hi[order[start]!] && lo[order[i]!] === lo[order[start]!]) continue;
    if (i - start >= 2) {
      const bucket = new Uint32Array(i - start);
      for (let k = start; k < i; k++) bucket[k - start] = docs[order[k]!]!;
      yield bucket;
    }
    start = i;
  }
}

/** How many pairs of a bucket are compared. */
export interface PairLimits {
  /** Buckets up to this size compare all pairs. Default 64. */
  fullPairsUpTo: number;
  /** Larger buckets compare each member with this many members before it. Default 32. */
  window: number;
}

export const DEFAULT_PAIR_LIMITS: PairLimits = { fullPairsUpTo: 64, window: 32 };

/**
 * Calls `fn(x, y)` for the candidate pairs of a bucket whose members are already in a canonical
 * order (so the pairs do not depend on input order). Small buckets give all pairs; a huge
 * bucket (boilerplate shared by thousands of pages) gives each member's pairs with the
 * `window` members before it, which bounds the work while still chaining true duplicates.
 */
export function forEachCandidatePair(bucket: Uint32Array, limits: PairLimits, fn: (x: number, y: number) => void): void {
  const m = bucket.length;
  const full = m <= limits.fullPairsUpTo;
  for (let j = 1; j < m; j++) {
    const from = full ? 0 : Math.max(0, j - limits.window);
    for (let i = from; i < j; i++) fn(bucket[i]!, bucket[j]!);
  }
}
