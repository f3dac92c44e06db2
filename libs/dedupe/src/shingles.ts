import { fmix32, mixH, mixK, murmur3Words } from './murmur3';

/**
 * Shingles of a normalized text, as 32-bit hashes. Word shingles (n consecutive words) for
 * languages written with spaces (en, es, fr, ar, hi); character shingles (n consecutive
 * characters, spaces skipped) for Chinese and Japanese, which have no word separators.
 *
 * Rules for short texts: a text with at least one token but fewer than n gets exactly one
 * shingle made of all its tokens; a text with no token at all (it was only punctuation, symbols
 * and spaces) gets no shingle, and callers must treat it as "cannot be near-deduplicated".
 */
export type ShingleMode = 'words' | 'chars';

/** Shingle sizes. */
export interface ShingleSizes {
  /** Words per shingle in word mode. Default 5. */
  words: number;
  /** Characters per shingle in character mode. Default 5. */
  chars: number;
}

export const DEFAULT_SHINGLE_SIZES: ShingleSizes = { words: 5, chars: 5 };

const TOKEN_SEED = 0x9747b28c;
const SHINGLE_SEED = 0x5bd1e995;
const CHAR_LANGS = new Set(['zh', 'ja']);
const WORD_LANGS = new Set(['en', 'es', 'fr', 'ar', 'hi']);
const SPACE = 0x20;

function isHanOrKana(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) || // CJK unified ideographs
    (cp >= 0x3400 && cp <= 0x4dbf) || // extension A
    (cp >= 0x3040 && cp <= 0x30ff) || // hiragana, katakana
    (cp >= 0x20000 && cp <= 0x2ebef) // extensions B-F
  );
}

/**
 * Word or character shingles for a document: by its language when it is one we know, else by
 * script (a text whose letters are at least 30% Han or Kana is shingled by characters), so a
 * document without a language label is still shingled sensibly.
 */
export function shingleModeFor(lang: string | undefined, normalized: string): ShingleMode {
  if (lang !== undefined && CHAR_LANGS.has(lang)) return 'chars';
  if (lang !== undefined && WORD_LANGS.has(lang)) return 'words';
  let han = 0;
  let letters = 0;
  for (const ch of normalized) {
    const cp = ch.codePointAt(0)!;
    if (cp === SPACE) continue;
    letters++;
    if (isHanOrKana(cp)) han++;
  }
  return letters > 0 && han / letters >= 0.3 ? 'chars' : 'words';
}

/** Capacity a token buffer needs for `tokenHashesInto` on a text of `length` code units. */
export function tokenCapacity(length: number): number {
  return length + 1;
}

/**
 * Hashes of the tokens of a normalized text (words separated by single spaces, or non-space
 * code points), in order, written into `out` (at least `tokenCapacity(normalized.length)`
 * long); returns their number. A word is hashed while it is scanned, two code units per
 * murmur3 block: the same value as `murmur3String` over the word, without a second pass or a
 * string per token.
 */
export function tokenHashesInto(normalized: string, mode: ShingleMode, out: Uint32Array): number {
  let n = 0;
  const len = normalized.length;
  if (mode === 'words') {
    let start = 0;
    let h = TOKEN_SEED | 0;
    let low = -1;
    for (let i = 0; i < len; i++) {
      const c = normalized.charCodeAt(i);
      if (c === SPACE) {
        if (i > start) out[n++] = finishWord(h, low, i - start);
        start = i + 1;
        h = TOKEN_SEED | 0;
        low = -1;
      } else if (low < 0) low = c;
      else {
        h = mixH(h, low | (c << 16));
        low = -1;
      }
    }
    if (len > start) out[n++] = finishWord(h, low, len - start);
  } else {
    for (let i = 0; i < len; i++) {
      const cp = normalized.codePointAt(i)!;
      if (cp > 0xffff) i++;
      if (cp === SPACE) continue;
      out[n++] = fmix32(cp ^ TOKEN_SEED);
    }
  }
  return n;
}

/** The end of murmur3String: a pending odd code unit, the byte length, the final mix. */
function finishWord(h: number, low: number, units: number): number {
  if (low >= 0) h ^= mixK(low);
  h ^= units * 2;
  return fmix32(h);
}

/** Hashes of the tokens of a normalized text, in order (see `tokenHashesInto`). */
export function tokenHashes(normalized: string, mode: ShingleMode): Uint32Array {
  const out = new Uint32Array(tokenCapacity(normalized.length));
  return out.subarray(0, tokenHashesInto(normalized, mode, out));
}

/**
 * Hashes of the shingles of the first `count` tokens, written into `out` (at least `count`
 * long; `tokens` and `out` must not overlap); returns their number: one per window of `size`
 * consecutive tokens, one for the whole sequence when it is shorter than `size`, none for an
 * empty sequence. Repeated shingles are kept (MinHash takes a minimum, so repeats cost time
 * but change nothing).
 */
export function shingleHashesInto(tokens: Uint32Array, count: number, size: number, out: Uint32Array): number {
  if (!Number.isInteger(size) || size < 1) throw new Error(`shingle size must be a positive integer, got ${size}`);
  if (count === 0) return 0;
  if (count <= size) {
    out[0] = murmur3Words(tokens, 0, count, SHINGLE_SEED);
    return 1;
  }
  const windows = count - size + 1;
  for (let i = 0; i < windows; i++) out[i] = murmur3Words(tokens, i, size, SHINGLE_SEED);
  return windows;
}

/** Hashes of the shingles of a token sequence (see `shingleHashesInto`). */
export function shingleHashes(tokens: Uint32Array, size: number): Uint32Array {
  const out = new Uint32Array(Math.max(1, tokens.length));
  return out.subarray(0, shingleHashesInto(tokens, tokens.length, size, out));
}

/** Shingle hashes of a normalized text in the given mode and sizes. */
export function textShingles(normalized: string, mode: ShingleMode, sizes: ShingleSizes = DEFAULT_SHINGLE_SIZES): Uint32Array {
  return shingleHashes(tokenHashes(normalized, mode), mode === 'words' ? sizes.words : sizes.chars);
}

/**
 * `textShingles` into buffers reused from one document to the next: a corpus allocates no
 * arrays per document (they were a visible share of the garbage collector's work). The result
 * is valid until the next call.
 */
export class ShingleScratch {
  private tokens = new Uint32Array(1024);
  private shingles = new Uint32Array(1024);

  textShingles(normalized: string, mode: ShingleMode, sizes: ShingleSizes): Uint32Array {
    const need = tokenCapacity(normalized.length);
    if (this.tokens.length < need) {
      this.tokens = new Uint32Array(2 * need);
      this.shingles = new Uint32Array(2 * need);
    }
    const count = tokenHashesInto(normalized, mode, this.tokens);
    const n = shingleHashesInto(this.tokens, count, mode === 'words' ? sizes.words : sizes.chars, this.shingles);
    return this.shingles.subarray(0, n);
  }
}
