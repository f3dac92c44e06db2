import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { makeDoc, type Doc } from '@apollo/document';
import { ConfigError, globMatcher, listStageInputs, runStage, silentLogger, verifyStage } from '../index';
import { upperApp } from './fixtures/upper-app';

function doc(text: string, i: number): Doc {
  const made = makeDoc({ kind: 'text', text, source: 'web', stage: 'pretrain', provenance: { file: 'gen', record: i } }, { file: 'gen' });
  if (!made.ok) throw new Error(made.problem.detail);
  return made.value;
}

const lines = (docs: Doc[]) => docs.map((d) => JSON.stringify(d)).join('\n') + '\n';

describe('stage inputs', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'inputs-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('reads every document file of a folder (.jsonl, .JSONL, .json arrays, .jsonl.gz) and counts every document', async () => {
    const input = join(dir, 'in');
    await mkdir(join(input, 'nested'), { recursive: true });
    await writeFile(join(input, 'a.jsonl'), lines([doc('alpha one', 0), doc('alpha two', 1)]));
    await writeFile(join(input, 'B.JSONL'), lines([doc('bravo', 0)]));
    await writeFile(join(input, 'c.json'), JSON.stringify([doc('charlie one', 0), doc('charlie two', 1), doc('charlie drop', 2)]));
    await writeFile(join(input, 'nested', 'd.jsonl.gz'), gzipSync(lines([doc('delta', 0), doc('delta drop', 1)])));
    const listing = await listStageInputs([input]);
    expect(listing.files.map((f) => f.slice(input.length + 1))).toEqual(['B.JSONL', 'a.jsonl', 'c.json', 'nested/d.jsonl.gz']);
    const out = join(dir, 'out');
    const outcome = await runStage(upperApp, { input: [input], output: out, workers: 1, quiet: true }, undefined, silentLogger);
    expect(outcome.exitCode).toBe(0);
    const report = await verifyStage(out);
    expect(report.problems).toEqual([]);
    expect(report.docsIn).toBe(8);
    expect(report.dropped).toEqual({ marked: 2 });
  });

  it('refuses a folder holding other files, naming them, before anything runs; --ignore leaves them out', async () => {
    const input = join(dir, 'in');
    await mkdir(input);
    await writeFile(join(input, 'a.jsonl'), lines([doc('alpha', 0)]));
    await writeFile(join(input, 'README.md'), '# notes');
    await writeFile(join(input, '.DS_Store'), 'x');
    await writeFile(join(input, 'b.jsonl.bz2'), 'x');
    const out = join(dir, 'out');
    const refused = runStage(upperApp, { input: [input], output: out, workers: 1, quiet: true }, undefined, silentLogger);
    await expect(refused).rejects.toThrow(ConfigError);
    await expect(runStage(upperApp, { input: [input], output: out, workers: 1, quiet: true }, undefined, silentLogger)).rejects.toThrow(
      `3 file(s) in the input are not document files (supported: .jsonl.gz, .ndjson.gz, .json.gz, .jsonl, .ndjson, .json): ${join(input, '.DS_Store')}, ${join(input, 'README.md')}, ${join(input, 'b.jsonl.bz2')}`,
    );
    // Refused before the output folder or its lock was touched.
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.lock`)).toBe(false);
    const listing = await listStageInputs([input], ['*.md', '.*', '*.bz2']);
    expect(listing.files).toEqual([join(input, 'a.jsonl')]);
    expect(listing.ignored.sort()).toEqual([join(input, '.DS_Store'), join(input, 'README.md'), join(input, 'b.jsonl.bz2')]);
    const outcome = await runStage(upperApp, { input: [input], output: out, ignore: ['*.md', '.*', '*.bz2'], workers: 1, quiet: true }, undefined, silentLogger);
    expect(outcome.exitCode).toBe(0);
  });

  it('refuses a file given by name that is not a document file, and one that does not exist', async () => {
    await writeFile(join(dir, 'notes.txt'), 'hello');
    await expect(listStageInputs([join(dir, 'notes.txt')])).rejects.toThrow(`--input: ${join(dir, 'notes.txt')} is not a document file`);
    await expect(listStageInputs([join(dir, 'missing.jsonl')])).rejects.toThrow(`--input: not found: ${join(dir, 'missing.jsonl')}`);
  });

  it('follows symbolic links and reports broken ones', async () => {
    const input = join(dir, 'in');
    await mkdir(input);
    await writeFile(join(dir, 'real.jsonl'), lines([doc('real', 0)]));
    await symlink(join(dir, 'real.jsonl'), join(input, 'link.jsonl'));
    expect((await listStageInputs([input])).files).toEqual([join(input, 'link.jsonl')]);
    await symlink(join(dir, 'gone.jsonl'), join(input, 'broken.jsonl'));
    await expect(listStageInputs([input])).rejects.toThrow(`${join(input, 'broken.jsonl')} (a broken link)`);
  });

  it('rejects a binary file once, as a file; the run is complete and conserves', async () => {
    const input = join(dir, 'in');
    await mkdir(input);
    const binary = Buffer.alloc(4096, 0);
    await writeFile(join(input, 'blob.jsonl'), binary);
    await writeFile(join(input, 'a.jsonl'), lines([doc('alpha', 0)]));
    const out = join(dir, 'out');
    const outcome = await runStage(upperApp, { input: [input], output: out, workers: 1, quiet: true }, undefined, silentLogger);
    expect(outcome.exitCode).toBe(0);
    const report = await verifyStage(out);
    expect(report.problems).toEqual([]);
    expect(report.docsIn).toBe(2);
    expect(report.dropped).toEqual({ not_text: 1 });
  });

  it('matches --ignore globs as .gitignore does', () => {
    expect(globMatcher('*.md')('docs/README.md')).toBe(true);
    expect(globMatcher('*.md')('README.mdx')).toBe(false);
    expect(globMatcher('notes/**')('notes/a/b.jsonl')).toBe(true);
    expect(globMatcher('notes/**')('other/notes/b.jsonl')).toBe(false);
    expect(globMatcher('**/tmp/*.json')('a/b/tmp/x.json')).toBe(true);
    expect(globMatcher('**/tmp/*.json')('tmp/x.json')).toBe(true);
    expect(globMatcher('part-?.jsonl')('part-1.jsonl')).toBe(true);
    expect(globMatcher('a.b')('axb')).toBe(false);
  });
});
