/**
 * MinHash over 32-bit shingle hashes. Permutation i maps a shingle hash x to
 * fmix32(a_i * x + b_i) (32-bit wrap-around arithmetic, a_i odd so x -> a_i * x is a bijection),
 * and the signature keeps the minimum per permutation. Integer arithmetic stays exact (no float
 * overflow, unlike the `minhash` package's `(a*h+b) % p`), and the loop is branch-light.
 */

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

/** Computes MinHash signatures with a fixed set of permutations. */
export class MinHasher {
  readonly numHashes: number;
  readonly seed: number;
  private readonly a: Int32Array;
  private readonly b: Int32Array;

  constructor(params: MinHashParams = DEFAULT_MINHASH) {
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
  }

  /**
   * The signature of a shingle set given as hashes (repeats allowed). Written into `out` when
   * given (length `numHashes`). An empty set gives all slots EMPTY_SLOT.
   */
  signature(shingles: Uint32Array, out = new Uint32Array(this.numHashes)): Uint32Array {
    const { a, b, numHashes } = this;
    out.fill(EMPTY_SLOT);
    for (let s = 0; s < shingles.length; s++) {
      const x = shingles[s]! | 0;
      for (let i = 0; i < numHashes; i++) {
        // fmix32 inlined: this loop is the stage's hot spot.
        let h = (Math.imul(a[i]!, x) + b[i]!) | 0;
        h ^= h >>> 16;
        h = Math.imul(h, 0x85ebca6b);
        h ^= h >>> 13;
        h = Math.imul(h, 0xc2b2ae35);
        h ^= h >>> 16;
        h >>>= 0;
        if (h < out[i]!) out[i] = h;
      }
    }
    return out;
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
