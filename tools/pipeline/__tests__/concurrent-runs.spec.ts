// Two runs of one stage into one output folder: the second is refused at once, naming the first,
// and the first finishes with an output that verifies. The first run is held still (SIGSTOP)
// while it holds the lock, so the test does not depend on how long a run takes.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { verifyStage } from '@apollo/stage';

jest.setTimeout(180_000);

const repo = resolve(__dirname, '..', '..', '..');
const PIPELINE = join(repo, 'pipelines', 'apollo-corpus.json');
const app = (stage: string) => join(repo, 'dist', 'apps', stage, 'main.js');

beforeAll(() => {
  const bundles = ['crawl', 'langid', 'dedupe', 'convert'].map(app);
  if (!bundles.every((b) => existsSync(b) && readFileSync(b, 'utf8').includes('is in use by another run'))) {
    const built = spawnSync(process.execPath, [join(repo, 'tools', 'build', 'build.mjs')], { encoding: 'utf8' });
    if (built.status !== 0) throw new Error(built.stderr);
  }
});

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((done) => {
    if (child.exitCode !== null) done(child.exitCode);
    else child.once('exit', (code) => done(code));
  });
}

function runToEnd(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, args, { cwd: tmpdir(), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return exited(child).then((code) => ({ code, stderr }));
}

/** Waits until `file` exists while `child` runs; false if the child ended first. */
async function appears(file: string, child: ChildProcess): Promise<boolean> {
  for (;;) {
    if (existsSync(file)) return true;
    if (child.exitCode !== null) return false;
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('two runs of one stage into one output folder', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'concurrent-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  // Each stage reads the output of the one before, made by the first (undisturbed) run.
  const stages: [string, (out: string) => string[]][] = [
    ['crawl', (out) => ['--config', PIPELINE, '--output', out]],
    ['langid', (out) => ['--config', PIPELINE, '--input', join(dir, 'crawl'), '--output', out]],
    ['dedupe', (out) => ['--config', PIPELINE, '--input', join(dir, 'langid'), '--output', out]],
    ['convert', (out) => ['--config', PIPELINE, '--input', join(dir, 'dedupe'), '--output', out]],
  ];

  it.each(stages)('%s: one runs, the other refuses at once, nothing is corrupted', async (stage, args) => {
    const out = join(dir, stage);
    const first = spawn(process.execPath, [app(stage), ...args(out), '--workers', '2', '--quiet'], { cwd: tmpdir(), stdio: 'ignore' });
    try {
      expect(await appears(`${out}.lock`, first)).toBe(true);
      first.kill('SIGSTOP');
      // Held still with the lock taken: the second run must refuse without waiting for it.
      expect(existsSync(`${out}.lock`)).toBe(true);
      const second = await runToEnd([app(stage), ...args(out), '--workers', '1', '--overwrite']);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`${out} is in use by another run: pid ${first.pid}`);
    } finally {
      first.kill('SIGCONT');
    }
    expect(await exited(first)).toBe(0);
    const report = await verifyStage(out);
    expect(report.problems).toEqual([]);
    expect(report.complete).toBe(report.tasks);
    expect(existsSync(`${out}.lock`)).toBe(false);
  });
});
