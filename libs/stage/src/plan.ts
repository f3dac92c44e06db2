/** The files task `rank` of `worldSize` processes: every file whose index i has i mod worldSize == rank. */
export function filesForRank<T>(files: readonly T[], rank: number, worldSize: number): T[] {
  if (!Number.isInteger(worldSize) || worldSize < 1) throw new Error(`world size must be a positive integer, got ${worldSize}`);
  if (!Number.isInteger(rank) || rank < 0 || rank >= worldSize) throw new Error(`rank must be in [0, ${worldSize - 1}], got ${rank}`);
  return files.filter((_, i) => i % worldSize === rank);
}
