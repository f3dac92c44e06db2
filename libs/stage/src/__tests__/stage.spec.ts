import { mkdtemp, readFile, readdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { makeDoc, type Doc } from '@apollo/document';
import { docPhase, filesForRank, runStage, silentLogger, verifyStage, type StageApp, ConservationError } from '../index';
import { upperApp } from './fixtures/upper-app';

const run = promisify(execFile);

function doc(text: string, i: number): Doc {
  const made = makeDoc({ kind: 'text', text, source: 'web', stage: 'pretrain', provenance: { file: 'gen', record: i } }, { file: 'gen' });
  if (!made.ok) throw new Error(made.problem.detail);
  return made.value;
}

async function writeInputs(dir: string, files: number, perFile: number): Promise<string[]> {
  const paths: string[] = [];
  for (let f = 0; f < files; f++) {
    const lines: string[] = [];
    for (let i = 0; i < perFile; i++) lines.push(JSON.stringify(doc(`file ${f} doc ${i} ${i % 5 === 0 ? 'drop' : 'keep'}`, i)));
    if (f === 0) lines.push('{"broken json', JSON.stringify({ ...doc('x', 0), extra: 1 }));
    const p = join(dir, `in-${f}.jsonl`);
    await writeFile(p, lines.join('\n') + '\n');
    paths.push(p);
  }
  return paths;
}

async function readJsonl(file: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(file, 'utf8');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('filesForRank', () => {
  it('splits files round-robin and covers each exactly once', () => {
    const files = ['a', 'b', 'c', 'd', 'e'];
    const parts = [0, 1, 2].map((r) => filesForRank(files, r, 3));
    expect(parts).toEqual([['a', 'd'], ['b', 'e'], ['c']]);
    expect(() => filesForRank(files, 3, 3)).toThrow(/rank/);
  });

  it('gives each task a run of consecutive files when contiguous, covering each file once, in order', () => {
    expect([0, 1, 2].map((r) => filesForRank(['a', 'b', 'c', 'd', 'e'], r, 3, 'contiguous'))).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    for (let n = 0; n <= 11; n++) {
      const files = Array.from({ length: n }, (_, i) => `f${i}`);
      for (let w = 1; w <= 5; w++) {
        const tasks = Array.from({ length: w }, (_, r) => filesForRank(files, r, w, 'contiguous'));
        expect(tasks.flat()).toEqual(files);
        const sizes = tasks.map((t) => t.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }
    }
  });
});

describe('runStage', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stage-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('keeps, drops with reasons, writes stats and markers, and conserves documents', async () => {
    const inputs = await writeInputs(dir, 3, 10);
    const out = join(dir, 'out');
    const outcome = await runStage(upperApp, { input: inputs, output: out, workers: 1, quiet: true }, undefined, silentLogger);
    expect(outcome.exitCode).toBe(0);
    const report = await verifyStage(out);
    expect(report.problems).toEqual([]);
    expect(report.docsIn).toBe(32);
    expect(report.dropped).toEqual({ marked: 6, malformed_json: 1, unknown_field: 1 });
    expect(report.docsOut).toBe(24);
    const rejects = await readJsonl(join(out, 'rejects', '00000.jsonl'));
    const malformed = rejects.find((r) => r.reason === 'malformed_json')!;
    expect(malformed.at).toEqual({ file: inputs[0], line: 11 });
    const unknown = rejects.find((r) => r.reason === 'unknown_field')!;
    expect(unknown.detail).toContain('"extra"');
    const kept = await readJsonl(join(out, 'docs', '00001.jsonl'));
    expect(kept.every((d) => String(d.text) === String(d.text).toUpperCase())).toBe(true);
  });

  it('skips finished tasks on relaunch and redoes unfinished ones without duplicates', async () => {
    const inputs = await writeInputs(dir, 3, 10);
    const out = join(dir, 'out');
    await runStage(upperApp, { input: inputs, output: out, workers: 1, quiet: true }, undefined, silentLogger);
    const before = await readFile(join(out, 'docs', '00002.jsonl'), 'utf8');
    // Simulate a crash of task 2: no marker, a stale temporary file, no stats.
    await rm(join(out, 'completions', '00002'));
    await writeFile(join(out, 'docs', '00002.jsonl.tmp-999-abc'), 'partial');
    const again = await runStage(upperApp, { input: inputs, output: out, workers: 1, quiet: true }, undefined, silentLogger);
    expect(again.phases[0]!.skipped).toEqual([0, 1]);
    expect(again.phases[0]!.ran.map((s) => s.rank)).toEqual([2]);
    expect(await readFile(join(out, 'docs', '00002.jsonl'), 'utf8')).toBe(before);
    expect((await readdir(join(out, 'docs'))).sort()).toEqual(['00000.jsonl', '00001.jsonl', '00002.jsonl']);
    expect((await verifyStage(out)).problems).toEqual([]);
  });

  it('refuses to mix runs with different inputs or world size in one folder', async () => {
    const inputs = await writeInputs(dir, 2, 3);
    const out = join(dir, 'out');
    await runStage(upperApp, { input: inputs, output: out, workers: 1, quiet: true }, undefined, silentLogger);
    await expect(runStage(upperApp, { input: inputs, output: out, workers: 1, worldSize: 1, quiet: true }, undefined, silentLogger)).rejects.toThrow(
      /world size 2, not 1/,
    );
    const overwritten = await runStage(upperApp, { input: inputs, output: out, workers: 1, worldSize: 1, overwrite: true, quiet: true }, undefined, silentLogger);
    expect(overwritten.exitCode).toBe(0);
  });

  it('notices rebuilt inputs, and starts over with --restart-on-change', async () => {
    const inputs = await writeInputs(dir, 2, 3);
    const out = join(dir, 'out');
    await runStage(upperApp, { input: inputs, output: out, workers: 1, quiet: true }, undefined, silentLogger);
    await writeFile(inputs[1]!, JSON.stringify(doc('a rebuilt input keep', 0)) + '\n');
    await expect(runStage(upperApp, { input: inputs, output: out, workers: 1, quiet: true }, undefined, silentLogger)).rejects.toThrow(/input files have changed/);
    const again = await runStage(upperApp, { input: inputs, output: out, workers: 1, quiet: true, restartOnChange: true }, undefined, silentLogger);
    expect(again.phases[0]!.ran).toHaveLength(2);
    expect((await readJsonl(join(out, 'docs', '00001.jsonl'))).map((d) => d.text)).toEqual(['A REBUILT INPUT KEEP']);
  });

  it('refuses a missing input path up front, naming it', async () => {
    const inputs = await writeInputs(dir, 2, 3);
    await rm(inputs[1]!);
    await expect(runStage(upperApp, { input: inputs, output: join(dir, 'out'), workers: 1, quiet: true }, undefined, silentLogger)).rejects.toThrow(inputs[1]!);
  });

  it('reports a file that cannot be read, exits incomplete, and leaves that task unmarked', async () => {
    const inputs = await writeInputs(dir, 2, 3);
    const vanished = join(dir, 'vanished.jsonl');
    const app: StageApp<{ marker: string }> = { ...upperApp, inputs: async () => [inputs[0]!, vanished] };
    const out = join(dir, 'out');
    const outcome = await runStage(app, { output: out, workers: 1, quiet: true }, undefined, silentLogger);
    expect(outcome.exitCode).toBe(2);
    expect(outcome.phases[0]!.incomplete).toEqual([1]);
    const stats = JSON.parse(await readFile(join(out, 'stats', '00001.json'), 'utf8'));
    expect(stats.fileErrors[0].file).toBe(vanished);
    expect((await readdir(join(out, 'completions'))).sort()).toEqual(['00000']);
    expect((await verifyStage(out)).problems).toEqual([`${out}: task 1 is not complete`]);
  });

  it('fails a task whose step loses a document (conservation law)', async () => {
    const inputs = await writeInputs(dir, 1, 4);
    const lossy: StageApp<object> = {
      name: 'lossy',
      summary: '',
      settings: {},
      phases: [docPhase({ step: () => async function* (docs) { for await (const d of docs) if (!d.text.includes('doc 1 ')) yield d; } })],
    };
    await expect(runStage(lossy, { input: inputs, output: join(dir, 'out'), workers: 1, quiet: true }, undefined, silentLogger)).rejects.toBeInstanceOf(ConservationError);
  });

  it('runs tasks in worker threads with the same result as in one thread', async () => {
    const bundle = join(dir, 'upper-app.js');
    await build({ entryPoints: [join(__dirname, 'fixtures', 'upper-app.ts')], outfile: bundle, bundle: true, platform: 'node', format: 'cjs', tsconfig: join(__dirname, '../../../../tsconfig.base.json'), logLevel: 'error' });
    const inputs = await writeInputs(dir, 4, 50);
    const threaded = join(dir, 'threaded');
    const { stdout } = await run(process.execPath, [bundle, '--input', ...inputs, '--output', threaded, '--workers', '2']);
    expect(stdout).toMatch(/4 tasks run/);
    const inline = join(dir, 'inline');
    await runStage(upperApp, { input: inputs, output: inline, workers: 1, quiet: true }, undefined, silentLogger);
    for (const f of ['00000.jsonl', '00001.jsonl', '00002.jsonl', '00003.jsonl']) {
      expect(await readFile(join(threaded, 'docs', f), 'utf8')).toBe(await readFile(join(inline, 'docs', f), 'utf8'));
    }
    const summary = JSON.parse(await readFile(join(threaded, 'run-summary.json'), 'utf8'));
    expect(summary.workers).toBe(2);
    expect(summary.phases[0].docsIn).toBe(202);
  });

  it('keeps its worker threads across the phases of a run', async () => {
    const bundle = join(dir, 'two-phase-app.js');
    await build({ entryPoints: [join(__dirname, 'fixtures', 'two-phase-app.ts')], outfile: bundle, bundle: true, platform: 'node', format: 'cjs', tsconfig: join(__dirname, '../../../../tsconfig.base.json'), logLevel: 'error' });
    const inputs = await writeInputs(dir, 6, 20);
    const out = join(dir, 'out');
    const { stdout } = await run(process.execPath, [bundle, '--input', ...inputs, '--output', out, '--workers', '2']);
    expect(stdout).toMatch(/twophase:first: 6 tasks run/);
    const threadsOf = async (statsDir: string) => {
      const ids = new Set<string>();
      for (const f of await readdir(statsDir)) {
        const stats = JSON.parse(await readFile(join(statsDir, f), 'utf8')) as { extra?: Record<string, number> };
        for (const key of Object.keys(stats.extra ?? {})) if (key.startsWith('thread_')) ids.add(key);
      }
      return ids;
    };
    const first = await threadsOf(join(out, 'first', 'stats'));
    const second = await threadsOf(join(out, 'stats'));
    expect(first.size).toBeGreaterThan(0);
    expect(second.size).toBeGreaterThan(0);
    // Threads started per phase would give the second phase new thread ids.
    expect(new Set([...first, ...second]).size).toBeLessThanOrEqual(2);
    expect([...first, ...second].some((t) => t !== 'thread_0')).toBe(true);
  });
});
