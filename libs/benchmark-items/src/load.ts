import { fail } from './item-error';
import type { ReadItem, XMedBenchItem } from './item';
import { itemFiles, parseItemPath } from './item-paths';
import { readJsonArray, readJsonLines } from './json-files';
import { readOriginalFile } from './original';
import { fileLanguage, parseUnifiedItem } from './unified';

/** Items read from a set of files, with what was read where. */
export interface LoadedItems {
  items: XMedBenchItem[];
  /** Items per source key. */
  counts: Record<string, number>;
  /** Items per file, in reading order (files keep their format prefix). */
  files: { file: string; items: number }[];
}

/**
 * Streams the items of one file: `<format>:<path>` in a source's original format, else the
 * unified format: a JSON array (`.json`) or one item per line (`.jsonl`). A malformed record
 * throws an ItemError naming the file and the record's index (JSON) or line (JSONL); nothing
 * is skipped.
 */
export async function* readItemFile(spec: string): AsyncGenerator<ReadItem> {
  const { format, path: file } = parseItemPath(spec);
  if (format) {
    yield* readOriginalFile(format, file);
    return;
  }
  const language = fileLanguage(file);
  if (/\.jsonl$/i.test(file)) {
    let index = 0;
    for await (const { value, line } of readJsonLines(file)) yield parseUnifiedItem(value, { file, line }, index++, language);
    return;
  }
  if (!/\.json$/i.test(file)) {
    fail({ file }, 'not_a_benchmark_file', 'unified XMedBench items are read from .json (one array) and .jsonl files; prefix a source\'s original file with its format (<format>:<path>)');
  }
  for (const { value, record } of await readJsonArray(file)) yield parseUnifiedItem(value, { file, record }, record, language);
}

/**
 * Loads every item of the given files or folders (`<format>:<path>` for a source's original
 * files). Ids are `<source>/<hash prefix>`; an exact duplicate (same content) gets `~2`,
 * `~3`... so ids stay unique and stable.
 */
export async function loadItems(paths: readonly string[]): Promise<LoadedItems> {
  const items: XMedBenchItem[] = [];
  const counts: Record<string, number> = {};
  const files: LoadedItems['files'] = [];
  const seen = new Map<string, number>();
  for (const file of await itemFiles(paths)) {
    let n = 0;
    for await (const item of readItemFile(file)) {
      const base = `${item.source}/${item.hash.slice(0, 16)}`;
      const k = (seen.get(base) ?? 0) + 1;
      seen.set(base, k);
      items.push({ id: k === 1 ? base : `${base}~${k}`, ...item });
      counts[item.source] = (counts[item.source] ?? 0) + 1;
      n++;
    }
    files.push({ file, items: n });
  }
  return { items, counts, files };
}
