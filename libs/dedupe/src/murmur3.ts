/**
 * MurmurHash3 x86 32-bit in plain JS (measured faster than the WASM and native xxhash bindings
 * for short strings, see DEPENDENCIES.md). Two entry points: over a string's UTF-16 code units
 * (two code units per 32-bit block, so no UTF-8 encoding is needed) and over 32-bit words (to
 * hash a sequence of token hashes into a shingle hash without building the shingle string).
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** Final avalanche of murmur3: every input bit affects every output bit. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** One block's key mix (exported for hashing loops that read their blocks themselves). */
export function mixK(k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, C2);
}

/** Mixes one 32-bit block into the state. */
export function mixH(h: number, k: number): number {
  h ^= mixK(k);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/**
 * murmur3 of the UTF-16 code units of `s[start, end)`, little-endian: the byte string is what a
 * UTF-16LE encoding of the text would hold, so the value equals murmur3_32 of those bytes.
 */
export function murmur3String(s: string, seed = 0, start = 0, end = s.length): number {
  let h = seed | 0;
  let i = start;
  const pairsEnd = start + ((end - start) & ~1);
  for (; i < pairsEnd; i += 2) h = mixH(h, s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
  if (i < end) h ^= mixK(s.charCodeAt(i));
  h ^= (end - start) * 2;
  return fmix32(h);
}

/** murmur3 of `count` 32-bit words of `words` starting at `start` (little-endian byte order). */
export function murmur3Words(words: ArrayLike<number>, start: number, count: number, seed = 0): number {
  let h = seed | 0;
  for (let i = start; i < start + count; i++) h = mixH(h, words[i]! | 0);
  h ^= count * 4;
  return fmix32(h);
}

/** murmur3 of raw bytes (reference form, used to check the two fast entry points). */
export function murmur3Bytes(bytes: Uint8Array, seed = 0): number {
  let h = seed | 0;
  const blocks = bytes.length & ~3;
  let i = 0;
  for (; i < blocks; i += 4) h = mixH(h, bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
  const tail = bytes.length & 3;
  if (tail > 0) {
    let k = bytes[i]!;
    if (tail > 1) k |= bytes[i + 1]! << 8;
    if (tail > 2) k |= bytes[i + 2]! << 16;
    h ^= mixK(k);
  }
  h ^= bytes.length;
  return fmix32(h);
}
