// The pipeline file is checked whole before any stage runs, from any working directory.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(__dirname, '..', '..', '..');
const runner = join(repo, 'dist', 'tools', 'pipeline', 'main.js');
const APOLLO = join(repo, 'pipelines', 'apollo-corpus.json');

beforeAll(() => {
  if (!existsSync(runner) || !readFileSync(runner, 'utf8').includes('configuration problems')) {
    const built = spawnSync(process.execPath, [join(repo, 'tools', 'build', 'build.mjs')], { encoding: 'utf8' });
    if (built.status !== 0) throw new Error(built.stderr);
  }
});

function pipeline(args: string[], cwd: string) {
  return spawnSync(process.execPath, [runner, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
}

describe('pipeline file checks', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'config-check-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('checks the bundled pipeline from another working directory, its paths relative to the file', () => {
    const r = pipeline(['check', '--pipeline', APOLLO], dir);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`valid (27 sources; settings for crawl, dedupe, convert; output ${join(repo, 'output', 'apollo-corpus')})`);
  });

  it('refuses a misspelt key of a later stage before the first stage runs', async () => {
    const bad = JSON.parse(readFileSync(APOLLO, 'utf8')) as { stages: { dedupe: Record<string, unknown> }; sources: { path: string }[] };
    bad.stages.dedupe.treshold = 0.5;
    // The copy lives elsewhere: its relative paths must point back at the samples.
    for (const s of bad.sources) s.path = join(repo, 'pipelines', s.path);
    (bad.stages.dedupe.decontaminate as string[])[0] = join(repo, 'pipelines', 'benchmarks', 'xmedbench-dev');
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify(bad));
    const out = join(dir, 'out');
    const r = pipeline(['run', '--pipeline', file, '--output', out, '--quiet'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${file}: stages.dedupe: unknown key "treshold" (did you mean "threshold"?)`);
    expect(existsSync(join(out, 'crawl'))).toBe(false);
  });
});
