import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { StageLayout } from './layout';
import { readRunRecord } from './run-record';

async function listFilesRecursive(dir: string, accept: (name: string) => boolean): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFilesRecursive(full, accept)));
    else if (accept(entry.name)) out.push(full);
  }
  return out.sort();
}

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
 * Resolves `--input` paths to document files. A stage output folder (it has run.json) gives its
 * `docs/*.jsonl`, and must be complete; another folder gives every `*.jsonl` below it; a file
 * is taken as is.
 */
export async function stageInputs(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch {
      throw new Error(`input not found: ${path}`);
    }
    if (!info.isDirectory()) {
      files.push(path);
      continue;
    }
    const completion = await stageCompletion(path);
    if (completion) {
      if (completion.done < completion.worldSize) {
        throw new Error(
          `input ${path} is an unfinished stage output (${completion.done} of ${completion.worldSize} tasks complete); finish that stage first`,
        );
      }
      files.push(...(await listFilesRecursive(join(path, 'docs'), (n) => n.endsWith('.jsonl'))));
    } else {
      files.push(...(await listFilesRecursive(path, (n) => n.endsWith('.jsonl'))));
    }
  }
  return files;
}
