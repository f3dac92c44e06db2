import { fmix32 } from '../murmur3';

/**
 * Keys of token windows, each in constant time whatever its length: two polynomial hashes of the
 * window's tokens modulo 2^32 (different odd bases), read off prefix hashes, mixed and combined
 * into 53 bits (a safe JS integer, so a Map can hold it). The tokens are already murmur3 hashes,
 * so the polynomial's weakness on structured input does not arise. A document is looked up at
 * every position for an n-gram and for the start of short whole sequences: hashing each window
 * anew would cost twice its length in murmur3 rounds.
 */
const BASE_A = 0x01000193;
const BASE_B = 0x5bd1e995;

/** Powers of each base modulo 2^32, grown on demand. */
const powersA: number[] = [1];
const powersB: number[] = [1];

function growPowers(len: number): void {
  for (let i = powersA.length; i <= len; i++) {
    powersA.push(Math.imul(powersA[i - 1]!, BASE_A) >>> 0);
    powersB.push(Math.imul(powersB[i - 1]!, BASE_B) >>> 0);
  }
}

export class WindowKeys {
  private readonly prefixA: Uint32Array;
  private readonly prefixB: Uint32Array;

  constructor(readonly tokens: Uint32Array) {
    const n = tokens.length;
    this.prefixA = new Uint32Array(n + 1);
    this.prefixB = new Uint32Array(n + 1);
    for (let i = 0; i < n; i++) {
      this.prefixA[i + 1] = Math.imul(this.prefixA[i]!, BASE_A) + tokens[i]!;
      this.prefixB[i + 1] = Math.imul(this.prefixB[i]!, BASE_B) + tokens[i]!;
    }
  }

  /** The key of tokens [start, start + len). */
  key(start: number, len: number): number {
    if (len >= powersA.length) growPowers(len);
    const a = (this.prefixA[start + len]! - Math.imul(this.prefixA[start]!, powersA[len]!)) | 0;
    const b = (this.prefixB[start + len]! - Math.imul(this.prefixB[start]!, powersB[len]!)) | 0;
    return (fmix32(a) >>> 0) * 0x200000 + (fmix32(b) & 0x1fffff);
  }
}
