import { readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Removes the `.tmp-*` files an interrupted atomic write of `file` left beside it. */
export async function removeStaleTemporaries(file: string): Promise<void> {
  const prefix = basename(file) + '.tmp-';
  let names: string[];
  try {
    names = await readdir(dirname(file));
  } catch {
    return;
  }
  await Promise.all(names.filter((n) => n.startsWith(prefix)).map((n) => rm(join(dirname(file), n), { force: true })));
}
