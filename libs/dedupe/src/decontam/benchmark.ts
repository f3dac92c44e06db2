import { loadItems, type XMedBenchItem } from '@apollo/benchmark-items';

/**
 * A benchmark test item as decontamination names it. Items are read by the one benchmark-item
 * library (the eval reads the same files the same way), so every format the eval reads is
 * decontaminated against: unified JSON arrays and JSON lines with the older keys, and each
 * source's original files given as `<format>:<path>`.
 */
export interface BenchmarkItem extends Omit<XMedBenchItem, 'id'> {
  /** `<source>:<n>`, n counting the source's items in reading order from 0 (hits and the report name items so). */
  id: string;
}

/**
 * Items of every benchmark file under the given files and folders (`<format>:<path>` for a
 * source's original files), in the order given and sorted by name within a folder. A folder
 * entry that is not a benchmark file, or a malformed record, is an error naming it: a silently
 * skipped item would be a silently missed contamination.
 */
export async function loadBenchmarks(paths: readonly string[]): Promise<BenchmarkItem[]> {
  const counters = new Map<string, number>();
  return (await loadItems(paths)).items.map(({ id: _id, ...item }) => {
    const n = counters.get(item.source) ?? 0;
    counters.set(item.source, n + 1);
    return { ...item, id: `${item.source}:${n}` };
  });
}
