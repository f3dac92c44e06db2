/**
 * A bucket entry: one document in one key space (a band, or the exact hashes), laid out so
 * that byte order is the order the buckets phase needs (all fields big-endian):
 *
 *   0  band key hi u32     4  band key lo u32      (0 in the exact space)
 *   8  exact hash (16)
 *   24 source rank u16     26 ~content length u32  30 document id (16)
 *   46 task rank u32       50 ordinal u32
 *
 * Sorted, a bucket (equal band key) is contiguous; inside it the copies of one text (equal
 * exact hash) are contiguous, the one the keep policy prefers first (bytes 24..54 are the keep
 * policy's keys: source rank, longer first, smaller id, input position). So a sorted stream
 * gives each bucket's exact-group representatives without any lookup.
 */
export const ENTRY_BYTES = 54;
export const KEY_OFFSET = 0;
export const EXACT_OFFSET = 8;
export const KEEP_OFFSET = 24;
export const KEEP_BYTES = 30;
export const RANK_OFFSET = 46;
export const ORDINAL_OFFSET = 50;

/** The fields of an entry besides the key. */
export interface EntryDoc {
  exactHash: Uint8Array;
  sourceRank: number;
  contentLength: number;
  /** Document id, 16 bytes. */
  id: Uint8Array;
  rank: number;
  ordinal: number;
}

/** Writes the keep-policy keys of a document (30 bytes) at `offset`. */
export function writeKeepKey(buf: Buffer, offset: number, d: Omit<EntryDoc, 'exactHash'>): void {
  buf.writeUInt16BE(d.sourceRank, offset);
  // Inverted so that a longer text sorts first.
  buf.writeUInt32BE(~d.contentLength >>> 0, offset + 2);
  buf.set(d.id, offset + 6);
  buf.writeUInt32BE(d.rank, offset + 22);
  buf.writeUInt32BE(d.ordinal, offset + 26);
}

export function writeEntry(buf: Buffer, offset: number, keyHi: number, keyLo: number, d: EntryDoc): void {
  buf.writeUInt32BE(keyHi >>> 0, offset);
  buf.writeUInt32BE(keyLo >>> 0, offset + 4);
  buf.set(d.exactHash, offset + EXACT_OFFSET);
  writeKeepKey(buf, offset + KEEP_OFFSET, d);
}

/** The content length an entry's keep keys hold (stored inverted). */
export function entryContentLength(buf: Buffer, offset: number): number {
  return ~buf.readUInt32BE(offset + KEEP_OFFSET + 2) >>> 0;
}

export function entryRank(buf: Buffer, offset: number): number {
  return buf.readUInt32BE(offset + RANK_OFFSET);
}

export function entryOrdinal(buf: Buffer, offset: number): number {
  return buf.readUInt32BE(offset + ORDINAL_OFFSET);
}

/** Whether two entries (possibly in different buffers) have the same bytes in [from, to). */
export function sameBytes(a: Buffer, ao: number, b: Buffer, bo: number, from: number, to: number): boolean {
  return a.compare(b, bo + from, bo + to, ao + from, ao + to) === 0;
}

/** 32-bit words of an entry's band key and exact hash (bytes 0..24). */
export const MATCH_WORDS = (KEEP_OFFSET - KEY_OFFSET) / 4;

/**
 * Reads an entry's band key (words 0, 1) and exact hash (words 2..5) as numbers: comparing
 * them with the previous entry's, kept as numbers too, costs neither a copy of the previous
 * entry nor a native `Buffer.compare` call per entry (both were visible in the merge).
 */
export function readMatchWords(buf: Buffer, offset: number, out: Uint32Array): void {
  for (let i = 0; i < MATCH_WORDS; i++) out[i] = buf.readUInt32BE(offset + 4 * i);
}

/** Whether two entries' match words agree in [from, to) (word indexes). */
export function sameWords(a: Uint32Array, b: Uint32Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** An edge between two documents (rank, ordinal each; u32 little-endian). */
export const EDGE_BYTES = 16;

export function writeEdge(buf: Buffer, rankA: number, ordA: number, rankB: number, ordB: number): void {
  buf.writeUInt32LE(rankA, 0);
  buf.writeUInt32LE(ordA, 4);
  buf.writeUInt32LE(rankB, 8);
  buf.writeUInt32LE(ordB, 12);
}
