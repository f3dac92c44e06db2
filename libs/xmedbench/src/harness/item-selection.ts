import type { XMedBenchItem } from '@apollo/benchmark-items';

/** The first `limit` items of each source, in file order (0: all). */
export function limitPerSource(items: readonly XMedBenchItem[], limit: number): XMedBenchItem[] {
  if (limit <= 0) return items.slice();
  const seen = new Map<string, number>();
  return items.filter((i) => {
    const n = (seen.get(i.source) ?? 0) + 1;
    seen.set(i.source, n);
    return n <= limit;
  });
}

/** Item positions that belong to `rank` of `worldSize` (round robin, so every part gets every source). */
export function shardIndices(n: number, rank: number, worldSize: number): number[] {
  if (!Number.isInteger(worldSize) || worldSize < 1) throw new Error(`world size must be >= 1, got ${worldSize}`);
  if (!Number.isInteger(rank) || rank < 0 || rank >= worldSize) throw new Error(`rank must be in 0..${worldSize - 1}, got ${rank}`);
  const out: number[] = [];
  for (let i = rank; i < n; i += worldSize) out.push(i);
  return out;
}
