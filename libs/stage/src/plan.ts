/**
 * How input files are split among a phase's tasks. `interleaved` (the default): file i goes to
 * task i mod worldSize, which spreads big and small files evenly. `contiguous`: each task takes
 * a run of consecutive files (the first `n mod worldSize` tasks one more), so the tasks' outputs
 * taken in rank order follow the input order.
 */
export type FileAssignment = 'interleaved' | 'contiguous';

/** The files task `rank` of `worldSize` processes. */
export function filesForRank<T>(files: readonly T[], rank: number, worldSize: number, assignment: FileAssignment = 'interleaved'): T[] {
  if (!Number.isInteger(worldSize) || worldSize < 1) throw new Error(`world size must be a positive integer, got ${worldSize}`);
  if (!Number.isInteger(rank) || rank < 0 || rank >= worldSize) throw new Error(`rank must be in [0, ${worldSize - 1}], got ${rank}`);
  if (assignment === 'interleaved') return files.filter((_, i) => i % worldSize === rank);
  const base = Math.floor(files.length / worldSize);
  const extra = files.length % worldSize;
  const start = rank * base + Math.min(rank, extra);
  return files.slice(start, start + base + (rank < extra ? 1 : 0));
}
