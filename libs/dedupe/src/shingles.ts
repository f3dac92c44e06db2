import { murmur3String, murmur3Words, fmix32 } from './murmur3';

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

/**
 * Hashes of the tokens of a normalized text (words separated by single spaces, or non-space
 * code points), in order. Hashing token spans in place avoids allocating a string per token.
 */
export function tokenHashes(normalized: string, mode: ShingleMode): Uint32Array {
  const out = new Uint32Array(mode === 'words' ? (normalized.length >> 1) + 1 : normalized.length);
  let n = 0;
  const len = normalized.length;
  if (mode === 'words') {
    let start = 0;
    for (let i = 0; i <= len; i++) {
      if (i === len || normalized.charCodeAt(i) === SPACE) {
        if (i > start) out[n++] = murmur3String(normalized, TOKEN_SEED, start, i);
        start = i + 1;
      }
    }
  } else {
    for (let i = 0; i < len; i++) {
      const cp = normalized.codePointAt(i)!;
      if (cp > 0xffff) i++;
      if (cp === SPACE) continue;
      out[n++] = fmix32(cp ^ TOKEN_SEED);
    }
  }
  return out.subarray(0, n);
}

/**
 * Hashes of the shingles of a token sequence: one per window of `size` consecutive tokens, one
 * for the whole sequence when it is shorter than `size`, none for an empty sequence. Repeated
 * shingles are kept (MinHash takes a minimum, so repeats cost time but change nothing).
 */
export function shingleHashes(tokens: Uint32Array, size: number): Uint32Array {
  if (!Number.isInteger(size) || size < 1) throw new Error(`shingle size must be a positive integer, got ${size}`);
  if (tokens.length === 0) return new Uint32Array(0);
  if (tokens.length <= size) return Uint32Array.of(murmur3Words(tokens, 0, tokens.length, SHINGLE_SEED));
  const count = tokens.length - size + 1;
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) out[i] = murmur3Words(tokens, i, size, SHINGLE_SEED);
  return out;
}

/** Shingle hashes of a normalized text in the given mode and sizes. */
export function textShingles(normalized: string, mode: ShingleMode, sizes: ShingleSizes = DEFAULT_SHINGLE_SIZES): Uint32Array {
  return shingleHashes(tokenHashes(normalized, mode), mode === 'words' ? sizes.words : sizes.chars);
}
