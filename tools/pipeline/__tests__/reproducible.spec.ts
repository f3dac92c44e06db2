import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

// The sample corpus built twice from scratch, every stage as its built app (dist/), into two
// temporary folders: the data files must be byte-identical, and only the run records differ.
// Build first: node tools/build/build.mjs

const repo = resolve(__dirname, '..', '..', '..');
const runner = join(repo, 'dist', 'tools', 'pipeline', 'main.js');
const pipelineFile = join(repo, 'pipelines', 'apollo-corpus.json');

/** One whole pipeline run. From the repository root: the `file` column holds input paths as the crawl was given them. */
function build(output: string): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [runner, 'run', '--pipeline', pipelineFile, '--output', output, '--quiet'], { cwd: repo, encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, stderr: r.stderr };
}

/** sha256 of every file under `dir`, by path relative to `root`. */
async function checksums(root: string, dir: string): Promise<Record<string, string>> {
  const sums: Record<string, string> = {};
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const path = join(e.parentPath, e.name);
    sums[relative(root, path)] = createHash('sha256').update(await readFile(path)).digest('hex');
  }
  return sums;
}

const readJson = async (path: string): Promise<Record<string, unknown>> => JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;

describe('the sample corpus built twice', () => {
  let a: string;
  let b: string;
  beforeAll(async () => {
    const apps = ['crawl', 'langid', 'dedupe', 'convert'].map((app) => join(repo, 'dist', 'apps', app, 'main.js'));
    for (const file of [runner, ...apps]) if (!existsSync(file)) throw new Error(`${file} is missing: build first (node tools/build/build.mjs)`);
    a = await mkdtemp(join(tmpdir(), 'reproducible-a-'));
    b = await mkdtemp(join(tmpdir(), 'reproducible-b-'));
  });
  afterAll(async () => {
    await rm(a, { recursive: true, force: true });
    await rm(b, { recursive: true, force: true });
  });

  it('gives byte-identical shards, manifest, card and Apollo files; the run time is only in the run records', async () => {
    for (const out of [a, b]) {
      const run = build(out);
      if (run.status !== 0) throw new Error(`the pipeline run into ${out} exited with ${run.status}:\n${run.stderr}`);
    }
    const convertA = join(a, 'convert');
    const convertB = join(b, 'convert');

    const manifest = await readFile(join(convertA, 'manifest.json'), 'utf8');
    expect(await readFile(join(convertB, 'manifest.json'), 'utf8')).toBe(manifest);
    expect(await readFile(join(convertB, 'README.md'), 'utf8')).toBe(await readFile(join(convertA, 'README.md'), 'utf8'));

    const shardsA = await checksums(convertA, join(convertA, 'data'));
    const listed = (JSON.parse(manifest) as { shards: { path: string; sha256: string }[] }).shards;
    expect(listed.length).toBeGreaterThan(10);
    expect(shardsA).toEqual(Object.fromEntries(listed.map((s) => [s.path, s.sha256])));
    expect(await checksums(convertB, join(convertB, 'data'))).toEqual(shardsA);
    const apolloA = await checksums(convertA, join(convertA, 'apollo'));
    expect(Object.keys(apolloA).length).toBeGreaterThan(0);
    expect(await checksums(convertB, join(convertB, 'apollo'))).toEqual(apolloA);

    // The crawl's run records hold the same inputs and configuration and two start times.
    const runA = await readJson(join(a, 'crawl', 'run.json'));
    const runB = await readJson(join(b, 'crawl', 'run.json'));
    expect(runB.startedAt).not.toBe(runA.startedAt);
    expect({ ...runB, startedAt: null }).toEqual({ ...runA, startedAt: null });
    // Run B's crawl started after run A's convert.
    const finishedA = await readJson(join(a, 'convert', 'run.json'));
    expect(Date.parse(String(runB.startedAt))).toBeGreaterThan(Date.parse(String(finishedA.startedAt)));
  }, 600_000);
});
