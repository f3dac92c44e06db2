import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import type { DocKind, SourceType, TrainingStage } from '@apollo/document';
import { globMatcher } from '@apollo/stage';
import { inferApolloName } from './apollo-names';
import { type FileFormat, type InputFormat, SourceSpecError, type SourceSpec } from './source-spec';

/**
 * Everything a reader needs to know about one input file; plain data, carried in the stage
 * configuration so a task (possibly in a worker thread) finds the spec of each of its files.
 */
export interface FileSpec {
  /** Path as listed in the stage inputs (relative to the working directory). */
  file: string;
  sourceId: string;
  format: FileFormat;
  source: SourceType;
  stage: TrainingStage;
  /** Expected record shape; undefined accepts both (the record decides). */
  kind?: DocKind;
  /** Declared language (the document's `langHint` unless the record declares its own). */
  lang?: string;
  license?: string;
  /** Per-source size cap, overriding the stage's `maxChars`. */
  maxChars?: number;
}

/** The reader a file name implies, or undefined when the name says nothing. */
export function formatFromName(name: string): FileFormat | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith('.urls') || lower.endsWith('.urls.txt')) return 'urls';
  if (lower.endsWith('.jsonl')) return 'jsonl';
  if (lower.endsWith('.json')) return 'apollo';
  if (lower.endsWith('.txt') || lower.endsWith('.text')) return 'text';
  if (lower.endsWith('.html') || lower.endsWith('.htm') || lower.endsWith('.xhtml')) return 'html';
  return undefined;
}

/**
 * Files under a folder, recursively: those with a format (`formatFromName`) and those without,
 * leaving out what an `ignore` glob matches (relative to the folder). Links are followed.
 */
async function listFolder(root: string, dir: string, ignore: ((rel: string) => boolean)[], out: { files: string[]; other: string[] }): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (ignore.some((m) => m(relative(root, full)))) continue;
    const info = entry.isSymbolicLink() ? await stat(full).catch(() => undefined) : entry;
    if (info?.isDirectory()) await listFolder(root, full, ignore, out);
    else if (info?.isFile() && formatFromName(entry.name) !== undefined) out.files.push(full);
    else out.other.push(full + (info === undefined ? ' (a broken link)' : info.isFile() ? '' : ' (not a regular file)'));
  }
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The input files of one path: the file itself, or every file below a folder. A folder's files
 * must all have a format the crawl reads (by name: .json, .jsonl, .txt, .html, .urls); any
 * other file is an error naming it, unless an `ignore` glob leaves it out: nothing in a source's
 * folder is skipped without a word.
 */
async function filesOf(path: string, where: string, ignore: readonly string[]): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new SourceSpecError(`${where}: path not found: ${path}`);
  }
  if (!info.isDirectory()) return [path];
  const found = { files: [] as string[], other: [] as string[] };
  await listFolder(path, path, ignore.map(globMatcher), found);
  if (found.other.length > 0) {
    const shown = found.other.slice(0, 10).join(', ');
    const more = found.other.length > 10 ? ` and ${found.other.length - 10} more` : '';
    throw new SourceSpecError(
      `${where}: ${found.other.length} file(s) under ${path} have no format the crawl reads (.json, .jsonl, .txt, .html, .urls): ${shown}${more}. ` +
        `Remove them, or leave them out with the source's "ignore" globs (or --ignore)`,
    );
  }
  if (found.files.length === 0) throw new SourceSpecError(`${where}: no input files (.json, .jsonl, .txt, .html, .urls) under ${path}`);
  return found.files.sort(byCodeUnits);
}

/** Declared defaults a file spec starts from (a source spec, or the command-line options). */
export interface SpecDefaults {
  sourceId: string;
  format: InputFormat;
  source?: SourceType;
  stage?: TrainingStage;
  kind?: DocKind;
  lang?: string;
  license?: string;
  maxChars?: number;
}

/**
 * Resolves the spec of one file: declared values first, then what an Apollo file name says,
 * then `fallback` (command-line defaults); a file whose source type or stage stays unknown is
 * an error naming `where`.
 */
export function fileSpecFor(
  file: string,
  declared: SpecDefaults,
  where: string,
  fallback: { source?: SourceType; stage?: TrainingStage } = {},
): FileSpec {
  const name = basename(file);
  const format = declared.format === 'auto' ? formatFromName(name) : declared.format;
  if (!format) {
    throw new SourceSpecError(`${where}: cannot tell the format of ${file} from its name; set "format" (apollo, jsonl, text, html, urls)`);
  }
  const apollo = format === 'apollo' ? inferApolloName(name) : undefined;
  const source = declared.source ?? apollo?.source ?? fallback.source;
  const stage = declared.stage ?? apollo?.stage ?? fallback.stage;
  if (!source) throw new SourceSpecError(`${where}: ${file} is not an Apollo release file name; set "source" to its source type`);
  if (!stage) throw new SourceSpecError(`${where}: ${file} is not an Apollo release file name; set "stage" (pretrain or sft)`);
  const kind = declared.kind ?? apollo?.kind;
  const lang = declared.lang ?? apollo?.lang;
  return {
    file,
    sourceId: declared.sourceId,
    format,
    source,
    stage,
    ...(kind ? { kind } : {}),
    ...(lang ? { lang } : {}),
    ...(declared.license ? { license: declared.license } : {}),
    ...(declared.maxChars ? { maxChars: declared.maxChars } : {}),
  };
}

function sortAndCheck(specs: FileSpec[], origin: (spec: FileSpec) => string): FileSpec[] {
  specs.sort((a, b) => byCodeUnits(a.file, b.file));
  for (let i = 1; i < specs.length; i++) {
    if (specs[i]!.file === specs[i - 1]!.file) {
      throw new SourceSpecError(`${specs[i]!.file} is listed twice (${origin(specs[i - 1]!)} and ${origin(specs[i]!)}); each file must belong to one source`);
    }
  }
  return specs;
}

/**
 * Lists the files of a pipeline's sources with their resolved specs, sorted by path. Source
 * paths are relative to `baseDir` (the pipeline file's folder); listed paths are relative to
 * `cwd` so that run records and provenance do not depend on where the checkout lives.
 */
export async function resolveSourceFiles(specs: SourceSpec[], pipelineFile: string, cwd = process.cwd(), ignore: readonly string[] = []): Promise<FileSpec[]> {
  const baseDir = resolve(cwd, pipelineFile, '..');
  const out: FileSpec[] = [];
  const where = new Map<string, string>();
  for (let index = 0; index < specs.length; index++) {
    const spec = specs[index]!;
    const label = `${pipelineFile}: sources[${index}] (${spec.id})`;
    where.set(spec.id, label);
    for (const abs of await filesOf(resolve(baseDir, spec.path), label, [...(spec.ignore ?? []), ...ignore])) {
      out.push(fileSpecFor(relative(cwd, abs) || abs, { ...spec, sourceId: spec.id }, label));
    }
  }
  return sortAndCheck(out, (s) => where.get(s.sourceId) ?? s.sourceId);
}

/** Lists ad-hoc `--input` files or folders with specs from the command-line options. */
export async function resolveInputFiles(
  paths: string[],
  declared: Omit<SpecDefaults, 'sourceId'>,
  fallback: { source: SourceType; stage: TrainingStage },
  cwd = process.cwd(),
  ignore: readonly string[] = [],
): Promise<FileSpec[]> {
  const out: FileSpec[] = [];
  for (const path of paths) {
    const label = `--input ${path}`;
    for (const file of await filesOf(resolve(cwd, path), label, ignore)) {
      out.push(fileSpecFor(relative(cwd, file) || file, { ...declared, sourceId: 'input' }, label, fallback));
    }
  }
  return sortAndCheck(out, () => '--input');
}
