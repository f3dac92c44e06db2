import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FileError, readJsonArray, readJsonLines, RecordError } from '@apollo/document';
import type { XMedBenchItem } from './item';
import { isOriginalFormat, readOriginalFile, type OriginalFormat } from './original';
import { fileLanguage, parseUnifiedItem } from './unified';

/** Items read from a set of files, with what was read where. */
export interface LoadedItems {
  items: XMedBenchItem[];
  /** Items per source key. */
  counts: Record<string, number>;
  /** Items per file, in reading order. */
  files: { file: string; items: number }[];
}

const ITEM_FILE = /\.(json|jsonl)$/;
const ORIGINAL_FILE = /\.(json|jsonl|csv)$/;

/** An item path as given: `path` (unified format) or `<format>:<path>` (a source's original format). */
export function parseItemPath(spec: string): { format: OriginalFormat | null; path: string } {
  const colon = spec.indexOf(':');
  const prefix = colon > 0 ? spec.slice(0, colon) : '';
  return isOriginalFormat(prefix) ? { format: prefix, path: spec.slice(colon + 1) } : { format: null, path: spec };
}

/** The file of an item source, with its format prefix kept (`medmcqa:/x/dev.json`). */
function withFormat(format: OriginalFormat | null, file: string): string {
  return format ? `${format}:${file}` : file;
}

/**
 * Expands folders to their item files (sorted): `*.json`/`*.jsonl` in the unified format, also
 * `*.csv` for an original format; files are kept as given. The format prefix stays on each file.
 */
export async function itemFiles(specs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const spec of specs) {
    const { format, path } = parseItemPath(spec);
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new FileError(path, 'no such file or folder');
    }
    if (info.isDirectory()) {
      const names = (await readdir(path)).filter((n) => (format ? ORIGINAL_FILE : ITEM_FILE).test(n)).sort();
      out.push(...names.map((n) => withFormat(format, join(path, n))));
    } else {
      out.push(withFormat(format, path));
    }
  }
  if (out.length === 0) throw new FileError(specs.join(', '), 'no item files found');
  return out;
}

/**
 * Streams the items of one file: `<format>:<path>` in a source's original format, else the
 * unified format: a JSON array (`.json`) or one item per line
 * (`.jsonl`). A malformed record throws a RecordError naming the file and the record's index
 * (JSON) or line (JSONL); nothing is skipped.
 */
export async function* readItemFile(spec: string): AsyncGenerator<Omit<XMedBenchItem, 'id'>> {
  const { format, path: file } = parseItemPath(spec);
  if (format) {
    yield* readOriginalFile(format, file);
    return;
  }
  const language = fileLanguage(file);
  if (file.endsWith('.jsonl')) {
    let index = 0;
    for await (const rec of readJsonLines(file)) {
      if ('problem' in rec) throw new RecordError({ ...rec.problem, at: { file, line: rec.line } });
      yield parseUnifiedItem(rec.value, file, index++, language);
    }
    return;
  }
  for await (const rec of readJsonArray(file)) {
    if ('problem' in rec) throw new RecordError({ ...rec.problem, at: { file, record: rec.record } });
    yield parseUnifiedItem(rec.value, file, rec.record, language);
  }
}

/**
 * Loads every item of the given files or folders. Ids are `<source>/<hash prefix>`; an exact
 * duplicate (same content) gets `~2`, `~3`... so ids stay unique and stable.
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
