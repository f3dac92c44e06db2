import { readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const TRASH_MARK = '.discarded-';

/**
 * Removes an output folder the run is about to replace (`--overwrite`, or another run's output
 * with `--restart-on-change`) without making the run wait for it: the folder is renamed aside
 * at once, and deleted while the run goes on. Deleting a previous run's output took up to 0.4 s
 * (dedupe's 1,100 files, 274 MB) of a stage's wall time; the deletion is mostly waiting on the
 * file system, so it costs the run almost no CPU. A folder left aside by a killed run is
 * deleted by the next one. Resolves once the folder is out of the way, to `deleted`, which
 * settles when the deletion is done (await it before the process ends). Where renaming fails,
 * the folder is deleted in place first.
 */
export async function discardOutput(output: string): Promise<{ deleted: Promise<void> }> {
  const parent = dirname(output);
  const prefix = basename(output) + TRASH_MARK;
  const aside = join(parent, `${prefix}${process.pid}-${Date.now().toString(36)}`);
  try {
    await rename(output, aside);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') await rm(output, { recursive: true, force: true });
  }
  const leftovers = (await readdir(parent).catch(() => [] as string[])).filter((n) => n.startsWith(prefix)).map((n) => join(parent, n));
  return { deleted: Promise.all(leftovers.map((dir) => rm(dir, { recursive: true, force: true }))).then(() => undefined) };
}
