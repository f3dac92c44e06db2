/**
 * MinHash over 32-bit shingle hashes. Permutation i maps a shingle hash x to
 * fmix32(a_i * x + b_i) (32-bit wrap-around arithmetic, a_i odd so x -> a_i * x is a bijection),
 * and the signature keeps the minimum per permutation. Integer arithmetic stays exact (no float
 * overflow, unlike the `minhash` package's `(a*h+b) % p`), and the loop is branch-light. Where
 * the engine has WebAssembly SIMD (Node 20 does), four permutations run per vector instruction
 * (minhash-simd.ts); the scalar loop is the fallback and the tests' reference.
 */

import { SimdMinHash } from './minhash-simd';

/** MinHash parameters. */
export interface MinHashParams {
  /** Signature length (= bands x rows). Default 112. */
  numHashes: number;
  /** Seed of the permutation coefficients; signatures are comparable only under the same seed. Default 42. */
  seed: number;
}

export const DEFAULT_MINHASH: MinHashParams = { numHashes: 112, seed: 42 };

/** Value of every slot of the signature of an empty shingle set. */
export const EMPTY_SLOT = 0xffffffff;

/** splitmix32: a small, well-mixed deterministic generator for the coefficients. */
function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Which implementation of the inner loop computes signatures (both give identical values). */
export type MinHashKernel = 'auto' | 'scalar';

/** Computes MinHash signatures with a fixed set of permutations. */
export class MinHasher {
  readonly numHashes: number;
  readonly seed: number;
  private readonly a: Int32Array;
  private readonly b: Int32Array;
  private readonly simd: SimdMinHash | undefined;

  /** `kernel` 'scalar' skips the WebAssembly SIMD kernel (tests compare the two). */
  constructor(params: MinHashParams = DEFAULT_MINHASH, kernel: MinHashKernel = 'auto') {
    if (!Number.isInteger(params.numHashes) || params.numHashes < 1) throw new Error(`numHashes must be a positive integer, got ${params.numHashes}`);
    this.numHashes = params.numHashes;
    this.seed = params.seed >>> 0;
    const next = splitmix32(this.seed);
    this.a = new Int32Array(this.numHashes);
    this.b = new Int32Array(this.numHashes);
    for (let i = 0; i < this.numHashes; i++) {
      this.a[i] = next() | 1;
      this.b[i] = next();
    }
    this.simd = kernel === 'auto' ? SimdMinHash.create(this.numHashes, this.a, this.b) : undefined;
  }

  /** Whether signatures go through the WebAssembly SIMD kernel. */
  get usesSimd(): boolean {
    return this.simd !== undefined;
  }

  /**
   * The signature of a shingle set given as hashes (repeats allowed). Written into `out` when
   * given (length `numHashes`). An empty set gives all slots EMPTY_SLOT.
   */
  signature(shingles: Uint32Array, out = new Uint32Array(this.numHashes)): Uint32Array {
    if (shingles.length === 0) out.fill(EMPTY_SLOT);
    else if (this.simd) this.simd.signature(shingles, out);
    else this.scalarSignature(shingles, out);
    return out;
  }

  /**
   * The portable loop: one permutation at a time over all shingles, so a_i, b_i and the running
   * minimum stay in registers. The minimum is kept biased (x ^ 0x80000000, compared signed),
   * which orders like the unsigned value and keeps V8 on int32 arithmetic.
   */
  private scalarSignature(shingles: Uint32Array, out: Uint32Array): void {
    const n = shingles.length;
    for (let i = 0; i < this.numHashes; i++) {
      const a = this.a[i]!;
      const b = this.b[i]!;
      let min = 0x7fffffff;
      for (let s = 0; s < n; s++) {
        // fmix32 inlined: this loop is the stage's hot spot where SIMD is missing.
        let h = (Math.imul(a, shingles[s]! | 0) + b) | 0;
        h ^= h >>> 16;
        h = Math.imul(h, 0x85ebca6b);
        h ^= h >>> 13;
        h = Math.imul(h, 0xc2b2ae35);
        h ^= h >>> 16;
        h ^= 0x80000000;
        if (h < min) min = h;
      }
      out[i] = (min ^ 0x80000000) >>> 0;
    }
  }
}

/** Estimated Jaccard similarity: the share of slots where two signatures agree. */
export function estimateJaccard(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new Error(`signatures differ in length (${x.length} vs ${y.length})`);
  if (x.length === 0) return 0;
  let same = 0;
  for (let i = 0; i < x.length; i++) if (x[i] === y[i]) same++;
  return same / x.length;
}
