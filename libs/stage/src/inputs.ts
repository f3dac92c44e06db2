import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { DOC_FILE_SUFFIXES, docFileFormat } from '@apollo/document';
import { ConfigError, type ConfigProblem } from './config-error';
import { StageLayout } from './layout';
import { readRunRecord } from './run-record';

/** The completed ranks of a stage output folder, and how many there should be. */
export async function stageCompletion(dir: string): Promise<{ worldSize: number; done: number } | undefined> {
  const run = await readRunRecord(dir);
  if (!run) return undefined;
  let done = 0;
  const layout = new StageLayout(dir);
  for (let r = 0; r < run.worldSize; r++) {
    try {
      await stat(layout.completionFile('docs', true, r));
      done++;
    } catch {
      // not finished
    }
  }
  return { worldSize: run.worldSize, done };
}

/**
 * A glob as in .gitignore: `*` and `?` within one path segment, `**` across segments; a pattern
 * without `/` matches a file's name at any depth, one with `/` its path below the input folder.
 */
export function globMatcher(pattern: string): (relPath: string) => boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  const anchored = new RegExp(`^${re}$`);
  const byName = !pattern.includes('/');
  return (relPath) => {
    const path = relPath.split(sep).join('/');
    return anchored.test(byName ? path.slice(path.lastIndexOf('/') + 1) : path);
  };
}

interface Listing {
  files: string[];
  ignored: string[];
  unsupported: string[];
}

async function listFolder(root: string, dir: string, ignore: ((rel: string) => boolean)[], out: Listing): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    const full = join(dir, entry.name);
    const rel = relative(root, full);
    if (ignore.some((m) => m(rel))) {
      out.ignored.push(full);
      continue;
    }
    // Symbolic links are followed: their targets are what is read.
    const info = entry.isSymbolicLink() ? await stat(full).catch(() => undefined) : entry;
    if (info?.isDirectory()) await listFolder(root, full, ignore, out);
    else if (info?.isFile() && docFileFormat(entry.name) !== undefined) out.files.push(full);
    else out.unsupported.push(full + (info === undefined ? ' (a broken link)' : info.isFile() ? '' : ' (not a regular file)'));
  }
}

/** What `stageInputs` found: the document files to read, and the files `--ignore` left out. */
export interface StageInputListing {
  files: string[];
  ignored: string[];
}

const SUPPORTED = DOC_FILE_SUFFIXES.join(', ');

/**
 * Resolves `--input` paths to document files. A stage output folder (it has run.json) gives its
 * `docs/` files, and must be complete; another folder gives every file below it, each of which
 * must be a document file (`docFileFormat`: .jsonl, .ndjson, .json arrays, and their .gz) or
 * match an `ignore` pattern; a file is taken as given and must be a document file too. Any other
 * file is an error naming it, before any work starts: nothing is skipped without a word.
 */
export async function listStageInputs(paths: string[], ignorePatterns: string[] = []): Promise<StageInputListing> {
  const ignore = ignorePatterns.map(globMatcher);
  const listing: Listing = { files: [], ignored: [], unsupported: [] };
  const problems: ConfigProblem[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch {
      problems.push({ where: '--input', path: '', message: `not found: ${path}` });
      continue;
    }
    if (!info.isDirectory()) {
      if (!info.isFile()) problems.push({ where: '--input', path: '', message: `${path} is not a regular file` });
      else if (docFileFormat(path) === undefined) problems.push({ where: '--input', path: '', message: `${path} is not a document file (supported: ${SUPPORTED})` });
      else listing.files.push(path);
      continue;
    }
    const before = listing.files.length;
    const completion = await stageCompletion(path);
    if (completion) {
      if (completion.done < completion.worldSize) {
        problems.push({
          where: '--input',
          path: '',
          message: `${path} is an unfinished stage output (${completion.done} of ${completion.worldSize} tasks complete); finish that stage first`,
        });
        continue;
      }
      await listFolder(join(path, 'docs'), join(path, 'docs'), [], listing);
    } else {
      await listFolder(path, path, ignore, listing);
    }
    // A folder's files in code-unit order of their paths.
    listing.files.splice(before, listing.files.length - before, ...listing.files.slice(before).sort());
  }
  if (listing.unsupported.length > 0) {
    const shown = listing.unsupported.slice(0, 10);
    problems.push({
      where: '--input',
      path: '',
      message:
        `${listing.unsupported.length} file(s) in the input are not document files (supported: ${SUPPORTED}): ${shown.join(', ')}` +
        `${listing.unsupported.length > shown.length ? ` and ${listing.unsupported.length - shown.length} more` : ''}. ` +
        `Remove them, or leave them out with --ignore <pattern> (e.g. --ignore '*.md')`,
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { files: listing.files, ignored: listing.ignored };
}

/** The document files of `--input` paths (`listStageInputs`), without the ignored ones. */
export async function stageInputs(paths: string[], ignorePatterns: string[] = []): Promise<string[]> {
  return (await listStageInputs(paths, ignorePatterns)).files;
}
