import { seededRandom } from '@apollo/document';
import { candidateProbability } from '../lsh';
import { estimateJaccard, EMPTY_SLOT, MinHasher } from '../minhash';
import { fmix32 } from '../murmur3';

/** Deterministic 32-bit test data. */
function rng(seed: number): () => number {
  const next = seededRandom(seed);
  return () => Math.floor(next() * 4294967296);
}

function exactJaccard(a: Uint32Array, b: Uint32Array): number {
  const sa = new Set(a);
  const sb = new Set(b);
  let inter = 0;
  for (const x of sa) if (sb.has(x)) inter++;
  return inter / (sa.size + sb.size - inter);
}

/** Two random sets of `size` elements sharing `shared` of them. */
function pair(next: () => number, size: number, shared: number): [Uint32Array, Uint32Array] {
  const common = Array.from({ length: shared }, next);
  const a = Uint32Array.from([...common, ...Array.from({ length: size - shared }, next)]);
  const b = Uint32Array.from([...common, ...Array.from({ length: size - shared }, next)]);
  return [a, b];
}

describe('MinHasher', () => {
  const hasher = new MinHasher({ numHashes: 112, seed: 42 });

  it('estimates Jaccard similarity within the sampling error of 112 hashes', () => {
    const next = rng(7);
    const errors: number[] = [];
    for (const shared of [0, 40, 80, 120, 160, 190, 200]) {
      for (let trial = 0; trial < 15; trial++) {
        const [a, b] = pair(next, 200, shared);
        const exact = exactJaccard(a, b);
        const est = estimateJaccard(hasher.signature(a), hasher.signature(b));
        errors.push(Math.abs(est - exact));
        // 4 standard deviations of a binomial share over 112 slots, at worst 0.19.
        expect(Math.abs(est - exact)).toBeLessThanOrEqual(4 * Math.sqrt((exact * (1 - exact)) / 112) + 1e-9);
      }
    }
    const mean = errors.reduce((s, e) => s + e, 0) / errors.length;
    expect(mean).toBeLessThan(0.035);
  });

  it('is deterministic for a seed, different across seeds, and ignores order and repeats', () => {
    const set = Uint32Array.of(5, 17, 99, 1234567, 0xfffffffe);
    const again = new MinHasher({ numHashes: 112, seed: 42 }).signature(Uint32Array.of(0xfffffffe, 99, 5, 17, 1234567, 99));
    expect(again).toEqual(hasher.signature(set));
    const other = new MinHasher({ numHashes: 112, seed: 43 }).signature(set);
    expect(estimateJaccard(other, hasher.signature(set))).toBeLessThan(0.2);
  });

  it('gives an empty set the empty signature', () => {
    expect(hasher.signature(new Uint32Array(0)).every((v) => v === EMPTY_SLOT)).toBe(true);
  });

  it('has the candidate recall of 14 bands x 8 rows stated in the reference', () => {
    expect(candidateProbability(0.8, { bands: 14, rows: 8 })).toBeCloseTo(0.924, 2);
    expect(candidateProbability(0.5, { bands: 14, rows: 8 })).toBeLessThan(0.06);
  });
});

/** The definition, one shingle and one permutation at a time, as the first version computed it. */
function referenceSignature(a: Int32Array, b: Int32Array, shingles: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length).fill(EMPTY_SLOT);
  for (const x of shingles) {
    for (let i = 0; i < a.length; i++) {
      const h = fmix32((Math.imul(a[i]!, x | 0) + b[i]!) | 0);
      if (h < out[i]!) out[i] = h;
    }
  }
  return out;
}

describe('MinHasher kernels', () => {
  it('keeps the signature values of the stored format (seed 42, 112 hashes)', () => {
    // Values from the first implementation: signature files and published indexes hold them.
    const sig = new MinHasher({ numHashes: 112, seed: 42 }).signature(Uint32Array.of(5, 17, 99, 1234567, 0xfffffffe));
    expect(Array.from(sig.subarray(0, 6))).toEqual([193181639, 36900840, 201343257, 438617502, 858710955, 184569023]);
    expect(Array.from(sig.subarray(106))).toEqual([913433590, 152966363, 2619622663, 2186633513, 11504840, 1181808090]);
    let fold = 0;
    for (const v of sig) fold = (Math.imul(fold, 31) + v) | 0;
    expect(fold >>> 0).toBe(3938501331);
  });

  it('runs the SIMD kernel on Node 20', () => {
    expect(new MinHasher().usesSimd).toBe(true);
    expect(new MinHasher(undefined, 'scalar').usesSimd).toBe(false);
  });

  it('gives the reference values with both kernels, for any length and set size', () => {
    const next = rng(11);
    for (const numHashes of [1, 3, 16, 17, 112, 128, 200]) {
      const simd = new MinHasher({ numHashes, seed: 9 });
      const scalar = new MinHasher({ numHashes, seed: 9 }, 'scalar');
      const { a, b } = simd as unknown as { a: Int32Array; b: Int32Array };
      // 70,000 shingles outgrow the kernel's first memory page (once is enough: the reference is
      // slow); the extremes test the unsigned minimum.
      for (const size of numHashes === 17 ? [1, 2, 5, 31, 1000, 70000] : [1, 2, 5, 31, 1000]) {
        const set = Uint32Array.from({ length: size }, (_, k) => (k % 13 === 0 ? [0, 0xffffffff, 0x80000000, 0x7fffffff][k % 4]! : next()));
        const expected = referenceSignature(a, b, set);
        expect(simd.signature(set)).toEqual(expected);
        expect(scalar.signature(set)).toEqual(expected);
      }
    }
  });

  it('reuses the output array it is given and clears it for an empty set', () => {
    const hasher = new MinHasher({ numHashes: 20, seed: 1 });
    const out = new Uint32Array(20);
    expect(hasher.signature(Uint32Array.of(1, 2, 3), out)).toBe(out);
    const first = Array.from(out);
    hasher.signature(Uint32Array.of(4), out);
    expect(Array.from(out)).not.toEqual(first);
    expect(Array.from(hasher.signature(new Uint32Array(0), out))).toEqual(new Array(20).fill(EMPTY_SLOT));
  });
});
