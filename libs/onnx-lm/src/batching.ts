/**
 * Groups sequences into batches whose padded size (rows x longest row) stays within
 * `maxTokens`. Sequences are sorted by length, longest first, so rows in a batch have similar
 * lengths and little padding; a sequence longer than the budget runs alone. Returns indices into
 * `lengths`; callers write results back by index, which restores the original order.
 */
export function planBatches(lengths: readonly number[], maxTokens: number, maxRows = Infinity): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[b]! - lengths[a]! || a - b);
  const batches: number[][] = [];
  let current: number[] = [];
  let longest = 0;
  for (const i of order) {
    const len = lengths[i]!;
    const widest = Math.max(longest, len);
    if (current.length > 0 && ((current.length + 1) * widest > maxTokens || current.length + 1 > maxRows)) {
      batches.push(current);
      current = [];
      longest = 0;
    }
    current.push(i);
    longest = Math.max(longest, len);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
