import { SOURCE_TYPES } from '@apollo/document';

/**
 * Which document of a duplicate cluster is kept: the one from the most trusted source type,
 * then the longer text (measured on its matching form, so a copy padded with spaces or
 * punctuation is not "longer"), then the smaller id. These keys depend only on the documents,
 * so the choice is the same whatever the file order or world size. Only copies that agree on
 * all three (the same text from the same source type) are told apart by their place in the
 * input, and those copies are interchangeable.
 */
export const DEFAULT_SOURCE_PRIORITY: readonly string[] = ['guideline', 'book', 'encyclopedia', 'paper', 'exam', 'dialogue', 'web', 'general'];

/**
 * Rank of each source type (index into SOURCE_TYPES) under a priority list: listed types get
 * their list position, unlisted ones come after all listed ones, in SOURCE_TYPES order.
 */
export function sourceRanks(priority: readonly string[]): Uint16Array {
  const ranks = new Uint16Array(256).fill(priority.length + SOURCE_TYPES.length);
  SOURCE_TYPES.forEach((source, index) => {
    const pos = priority.indexOf(source);
    ranks[index] = pos >= 0 ? pos : priority.length + index;
  });
  return ranks;
}

/** The keys the policy compares, as struct-of-arrays columns indexed by document. */
export interface KeepColumns {
  /** Source rank (lower is preferred), from `sourceRanks`. */
  sourceRank: ArrayLike<number>;
  /** Length of the matching form (longer is preferred). */
  contentLength: ArrayLike<number>;
  /** Document id as 4 big-endian 32-bit lanes per document, so numeric order is hex order. */
  idLanes: ArrayLike<number>;
  rank: ArrayLike<number>;
  ordinal: ArrayLike<number>;
}

/** Negative when document i is preferred over j, positive when j is, 0 only when i === j. */
export function compareForKeep(c: KeepColumns, i: number, j: number): number {
  const s = c.sourceRank[i]! - c.sourceRank[j]!;
  if (s !== 0) return s;
  const l = c.contentLength[j]! - c.contentLength[i]!;
  if (l !== 0) return l;
  for (let k = 0; k < 4; k++) {
    const d = c.idLanes[4 * i + k]! - c.idLanes[4 * j + k]!;
    if (d !== 0) return d;
  }
  // Same id, source and length: the same text twice. Input position decides; either is fine.
  return c.rank[i]! - c.rank[j]! || c.ordinal[i]! - c.ordinal[j]!;
}

/** The kept document of each cluster found so far, by cluster root, with its keep key. */
export type Favourites = Map<number, { doc: number; key: Buffer }>;

/**
 * Offers document `doc` with keep key `key` (a `writeKeepKey` encoding, reused by the caller)
 * to the cluster `root`: it becomes the cluster's favourite when it has none yet or a smaller key.
 */
export function offerFavourite(best: Favourites, root: number, doc: number, key: Buffer): void {
  const cur = best.get(root);
  if (!cur) best.set(root, { doc, key: Buffer.from(key) });
  else if (key.compare(cur.key) < 0) {
    cur.doc = doc;
    key.copy(cur.key);
  }
}
