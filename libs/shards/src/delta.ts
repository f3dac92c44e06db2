import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonLines } from '@apollo/document';

/** Why a document of the base version leaves: its page changed, its page is gone, or an incoming copy replaces it. */
export type RemovalReason = 'changed' | 'deleted' | 'superseded';

/** What the crawl deltas of a refresh say, reduced to document ids. */
export interface CrawlDelta {
  /** Previous document id -> why it leaves (`changed` and `deleted` entries' `previousDocId`). */
  removals: Map<string, 'changed' | 'deleted'>;
  /** New document id -> `new` or `changed` (entries' `docId`). */
  additions: Map<string, 'new' | 'changed'>;
  /** Delta lines read, by change. */
  entries: { new: number; changed: number; deleted: number };
  /** Delta files read. */
  files: number;
}

const CHANGES = new Set(['new', 'changed', 'deleted']);

async function jsonlIn(dir: string): Promise<string[]> {
  return (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isFile() && e.name.endsWith('.jsonl'))
    .map((e) => join(dir, e.name))
    .sort();
}

/**
 * The delta files behind the given paths: a crawl output folder gives its `crawl-delta/*.jsonl`,
 * another folder its own `*.jsonl`, a file itself. A path that does not exist is an error, so
 * a mistyped folder cannot silently mean "nothing changed".
 */
export async function crawlDeltaFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new Error(`crawl delta not found: ${path}`);
    }
    if (!info.isDirectory()) {
      files.push(path);
      continue;
    }
    const nested = join(path, 'crawl-delta');
    let nestedIsDir = false;
    try {
      nestedIsDir = (await stat(nested)).isDirectory();
    } catch {
      // not a crawl output folder: the folder holds the delta files itself
    }
    files.push(...(await jsonlIn(nestedIsDir ? nested : path)));
  }
  return files;
}

/** Reads crawl delta lines (`{change, url, sourceId, docId, previousDocId, ...}`); a bad line is an error naming file and line. */
export async function readCrawlDelta(paths: readonly string[]): Promise<CrawlDelta> {
  const delta: CrawlDelta = { removals: new Map(), additions: new Map(), entries: { new: 0, changed: 0, deleted: 0 }, files: 0 };
  for (const file of await crawlDeltaFiles(paths)) {
    delta.files++;
    for await (const item of readJsonLines(file)) {
      const where = `${file}:${item.line}`;
      if ('problem' in item) throw new Error(`${where}: ${item.problem.reason}: ${item.problem.detail}`);
      const e = item.value as { change?: unknown; docId?: unknown; previousDocId?: unknown };
      if (e === null || typeof e !== 'object' || typeof e.change !== 'string' || !CHANGES.has(e.change)) {
        throw new Error(`${where}: not a crawl delta entry (change must be new, changed or deleted)`);
      }
      const change = e.change as 'new' | 'changed' | 'deleted';
      delta.entries[change]++;
      if (change !== 'new') {
        if (typeof e.previousDocId !== 'string') throw new Error(`${where}: a ${change} entry needs previousDocId`);
        delta.removals.set(e.previousDocId, change);
      }
      if (change !== 'deleted') {
        if (typeof e.docId !== 'string') throw new Error(`${where}: a ${change} entry needs docId`);
        delta.additions.set(e.docId, change);
      }
    }
  }
  return delta;
}
