import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fail } from './item-error';
import { ORIGINAL_FORMATS, originalFormat, type SourceFormat } from './sources';

/** `<format>:` at the start of an item path: a format name is lower case, at least two characters. */
const FORMAT_PREFIX = /^([a-z][a-z0-9-]+):(.+)$/s;
const JSON_FILE = /\.(json|jsonl)$/i;
const CSV_FILE = /\.csv$/i;

/** An item path split: the source's original format when prefixed with one, else null (the unified format). */
export interface ItemPath {
  format: SourceFormat | null;
  path: string;
}

/** An item path as given: `path` (unified format) or `<format>:<path>` (a source's original format). */
export function parseItemPath(spec: string): ItemPath {
  const m = FORMAT_PREFIX.exec(spec);
  const format = m ? originalFormat(m[1]!) : undefined;
  return format ? { format, path: m![2]! } : { format: null, path: spec };
}

/** The item path of a file: its format prefix, if any, then the path. */
export function formatItemPath(format: SourceFormat | null, path: string): string {
  return format ? `${format.name}:${path}` : path;
}

function unknownFormat(spec: string): never {
  const name = FORMAT_PREFIX.exec(spec)![1]!;
  return fail({ file: spec }, 'unknown_format', `no file or folder of that name, and "${name}" is not a format (formats: ${[...ORIGINAL_FORMATS.keys()].join(', ')})`);
}

/**
 * An item path with its path part made absolute against `base` (the working directory for the
 * command line, the pipeline file's folder for a pipeline), its format prefix kept:
 * `pubmedqa:data/x.json` -> `pubmedqa:/work/data/x.json`. A prefix that names no format is an
 * error unless the whole text is an existing path.
 */
export function resolveItemPath(spec: string, base: string = process.cwd()): string {
  const { format, path } = parseItemPath(spec);
  if (format) return formatItemPath(format, resolve(base, path));
  const whole = resolve(base, spec);
  if (FORMAT_PREFIX.test(spec) && !existsSync(whole)) unknownFormat(spec);
  return whole;
}

/** Whether a folder's file is read for a format (null: the unified format). */
function readsName(format: SourceFormat | null, name: string): boolean {
  return format?.format.layout === 'csv' ? CSV_FILE.test(name) : JSON_FILE.test(name);
}

function expected(format: SourceFormat | null): string {
  if (!format) return 'unified XMedBench item files (.json, .jsonl); prefix a source\'s original files with <format>:';
  return `${format.name} files (${format.format.layout === 'csv' ? '.csv' : '.json, .jsonl'})`;
}

/**
 * Expands folders to their benchmark files (sorted by name); files are kept as given. Every
 * entry of a folder is read or reported: an entry that is not a benchmark file of the folder's
 * format (another extension, a subfolder) is an error naming it, so that no test item is left out
 * without a word. The format prefix stays on each file.
 */
export async function itemFiles(specs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const spec of specs) {
    const { format, path } = parseItemPath(spec);
    let info;
    try {
      info = await stat(path);
    } catch {
      if (!format && FORMAT_PREFIX.test(spec)) unknownFormat(spec);
      return fail({ file: path }, 'not_found', 'no such file or folder');
    }
    if (!info.isDirectory()) {
      out.push(spec);
      continue;
    }
    const names = (await readdir(path)).sort();
    // A link to a file counts as the file.
    const isFile = await Promise.all(names.map(async (n) => (await stat(join(path, n)).catch(() => undefined))?.isFile() === true));
    const others = names.filter((n, i) => !(isFile[i] && readsName(format, n)));
    if (others.length > 0) {
      fail({ file: join(path, others[0]!) }, 'not_a_benchmark_file', `the folder ${path} holds ${others.join(', ')}, which ${others.length === 1 ? 'is not one of' : 'are not'} ${expected(format)}`);
    }
    if (names.length === 0) fail({ file: path }, 'no_benchmark_files', `empty folder (expected ${expected(format)})`);
    out.push(...names.map((n) => formatItemPath(format, join(path, n))));
  }
  if (out.length === 0) fail({ file: '(no item paths)' }, 'no_benchmark_files', 'no item files or folders given');
  return out;
}
