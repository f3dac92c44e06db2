import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discardOutput } from '../discard';

describe('discardOutput', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'discard-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('moves the folder out of the way at once and deletes it, with what a killed run left aside', async () => {
    const out = join(dir, 'langid');
    await mkdir(join(out, 'docs'), { recursive: true });
    await writeFile(join(out, 'docs', '00000.jsonl'), 'x'.repeat(1 << 20));
    // Left aside by a run killed before its deletion finished.
    await mkdir(join(dir, 'langid.discarded-1-abc', 'docs'), { recursive: true });
    // Another output beside it, whose name only starts the same, is not touched.
    await mkdir(join(dir, 'langid-2', 'docs'), { recursive: true });

    const { deleted } = await discardOutput(out);
    expect(existsSync(out)).toBe(false);
    await mkdir(out); // the run can start writing at once
    await deleted;
    expect((await readdir(dir)).sort()).toEqual(['langid', 'langid-2']);
  });

  it('accepts a folder that does not exist', async () => {
    const { deleted } = await discardOutput(join(dir, 'nothing'));
    await deleted;
    expect(await readdir(dir)).toEqual([]);
  });
});
