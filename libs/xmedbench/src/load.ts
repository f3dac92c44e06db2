import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FileError, readJsonArray, readJsonLines, RecordError } from '@apollo/document';
import type { XMedBenchItem } from './item';
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

/** Expands folders to their `*.json`/`*.jsonl` files (sorted), keeping files as given. */
export async function itemFiles(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new FileError(path, 'no such file or folder');
    }
    if (info.isDirectory()) {
      const names = (await readdir(path)).filter((n) => ITEM_FILE.test(n)).sort();
      out.push(...names.map((n) => join(path, n)));
    } else {
      out.push(path);
    }
  }
  if (out.length === 0) throw new FileError(paths.join(', '), 'no .json or .jsonl item files found');
  return out;
}

/**
 * Streams the unified-format items of one file: a JSON array (`.json`) or one item per line
 * (`.jsonl`). A malformed record throws a RecordError naming the file and the record's index
 * (JSON) or line (JSONL); nothing is skipped.
 */
export async function* readItemFile(file: string): AsyncGenerator<Omit<XMedBenchItem, 'id'>> {
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
