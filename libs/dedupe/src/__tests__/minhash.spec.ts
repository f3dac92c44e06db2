import { candidateProbability } from '../lsh';
import { estimateJaccard, EMPTY_SLOT, MinHasher } from '../minhash';

/** mulberry32: deterministic test data. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
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
