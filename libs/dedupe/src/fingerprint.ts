import { createHash, hash } from 'node:crypto';
import { MinHasher } from './minhash';
import { normalizeForMatching } from './normalize';
import { ShingleScratch, shingleModeFor, type ShingleMode, type ShingleSizes } from './shingles';

/** Bytes of the exact-duplicate hash (128 bits: collisions are negligible at any corpus size). */
export const EXACT_HASH_BYTES = 16;

/** What the signatures phase computes for one document. */
export interface Fingerprint {
  /** Hash of the matching-normalized text: equal for exact duplicates. */
  exactHash: Uint8Array;
  /** MinHash signature; empty in exact-only mode. */
  signature: Uint32Array;
  /** The text has no token, hence no shingle: it takes part in exact matching only. */
  noShingles: boolean;
  mode: ShingleMode;
  /** The text is short (its matching form under `shortChars`): shingled by characters, banded in short bands too. */
  short: boolean;
  /**
   * Length of the matching form in UTF-16 code units: the "longer text" of the keep policy, so
   * padding with spaces or punctuation does not make a copy look longer.
   */
  contentLength: number;
}

export interface FingerprintOptions {
  shingles: ShingleSizes;
  /** MinHash signature length; 0 computes no signature (exact-only mode). */
  numHashes: number;
  seed: number;
  /** Fold traditional Chinese to simplified before shingling. Default true. */
  foldChinese?: boolean;
  /**
   * A text whose matching form is shorter than this is short: shingled by characters
   * (`shingles.chars`) whatever its language, since one changed word removes a fifth of a
   * 25-word text's 5-word shingles but a tenth of its character shingles. Default 0: none is.
   */
  shortChars?: number;
}

/**
 * Exact-duplicate hash: sha256 of the matching form, truncated. A text whose matching form is
 * empty (only punctuation and symbols) is hashed on its NFKC, whitespace-collapsed form instead,
 * so "!!!" and "???" are not taken for duplicates of each other while two identical such texts
 * still are.
 */
export function exactHash(normalized: string, text: string): Uint8Array {
  const form = normalized.length > 0 ? normalized : text.normalize('NFKC').replace(/\s+/gu, ' ').trim();
  // The tag and the UTF-8 form (lone surrogates replaced, as Hash.update replaces them) encoded
  // into one reused buffer and hashed in one shot: the same digest as `exactHashReference`
  // without a Hash object and a fresh encoding per document.
  const need = 2 + 3 * form.length;
  if (hashInput.length < need) hashInput = Buffer.allocUnsafe(Math.max(need, 2 * hashInput.length));
  hashInput[0] = normalized.length > 0 ? 0x6e : 0x72; // 'n' or 'r'
  hashInput[1] = 0;
  const bytes = 2 + hashInput.write(form, 2, 'utf8');
  return new Uint8Array(hash('sha256', hashInput.subarray(0, bytes), 'buffer').subarray(0, EXACT_HASH_BYTES));
}

/** The input of `exactHash`, reused (a UTF-16 unit takes at most 3 bytes of UTF-8). */
let hashInput = Buffer.allocUnsafe(1 << 16);

/** `exactHash` as first written, step by step (the tests' reference). */
export function exactHashReference(normalized: string, text: string): Uint8Array {
  const h = createHash('sha256');
  if (normalized.length > 0) h.update('n\u0000').update(normalized);
  else h.update('r\u0000').update(text.normalize('NFKC').replace(/\s+/gu, ' ').trim());
  return new Uint8Array(h.digest().subarray(0, EXACT_HASH_BYTES));
}

/** Computes fingerprints with fixed parameters (the MinHash permutations are built once). */
export class Fingerprinter {
  private readonly hasher: MinHasher | undefined;
  private readonly scratch = new ShingleScratch();

  constructor(readonly options: FingerprintOptions) {
    this.hasher = options.numHashes > 0 ? new MinHasher({ numHashes: options.numHashes, seed: options.seed }) : undefined;
  }

  fingerprint(text: string, lang: string | undefined): Fingerprint {
    const normalized = normalizeForMatching(text, { foldChinese: this.options.foldChinese !== false });
    const short = normalized.length < (this.options.shortChars ?? 0);
    const mode = short ? 'chars' : shingleModeFor(lang, normalized);
    const shingles = this.scratch.textShingles(normalized, mode, this.options.shingles);
    const signature = this.hasher ? this.hasher.signature(shingles) : new Uint32Array(0);
    const noShingles = shingles.length === 0;
    return { exactHash: exactHash(normalized, text), signature, noShingles, mode, short: short && !noShingles, contentLength: normalized.length };
  }
}
