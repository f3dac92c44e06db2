import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../../..');
const BUNDLE = join(ROOT, 'dist/apps/eval/main.js');
const ARGS = ['--limit', '2', '--shots', '1', '--threads', '1', '-q'];

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0) : []);

describe('the eval command line', () => {
  beforeAll(() => {
    const b = spawnSync(process.execPath, [join(ROOT, 'tools/build/build.mjs'), 'apps/eval'], { cwd: ROOT, encoding: 'utf8' });
    if (b.status !== 0) throw new Error(`build failed: ${b.stderr}`);
  }, 60_000);

  it('a killed run continues from its cache on rerun: same samples as an uninterrupted run, nothing scored twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-cli-'));
    const out = join(dir, 'run');
    const cache = join(out, 'cache.jsonl');
    const child = spawn(process.execPath, [BUNDLE, ...ARGS, '--chunk', '3', '-o', out], { stdio: 'ignore' });
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    // Kill it (no chance to clean up) as soon as its first chunks are in the cache.
    await new Promise<void>((res) => {
      const poll = setInterval(() => {
        if (lines(cache).length >= 3 || child.exitCode !== null) {
          clearInterval(poll);
          child.kill('SIGKILL');
          res();
        }
      }, 5);
    });
    await exited;
    const before = lines(cache).length;
    expect(before).toBeGreaterThanOrEqual(3);
    expect(before).toBeLessThan(24);

    const rerun = spawnSync(process.execPath, [BUNDLE, ...ARGS, '--chunk', '3', '-o', out], { encoding: 'utf8' });
    expect(rerun.status).toBe(0);
    expect(rerun.stdout).toContain(`${before} results from the cache, ${24 - before} scored now`);
    const keys = lines(cache).map((l) => (JSON.parse(l) as { k: string }).k);
    expect(keys).toHaveLength(24);
    expect(new Set(keys).size).toBe(24);

    const clean = spawnSync(process.execPath, [BUNDLE, ...ARGS, '--no-cache', '-o', join(dir, 'clean')], { encoding: 'utf8' });
    expect(clean.status).toBe(0);
    expect(readFileSync(join(out, 'samples.jsonl'), 'utf8')).toBe(readFileSync(join(dir, 'clean', 'samples.jsonl'), 'utf8'));
  }, 120_000);

  describe('items in a source\'s original format (<format>:<path>)', () => {
    // Two records of PubMedQA's ori_pqal.json layout.
    const PQAL = {
      '12345678': { QUESTION: 'Storage of vaccines in the community: weak link in the cold chain?', CONTEXTS: ['To assess storage of vaccines.'], final_decision: 'maybe' },
      '23456789': { QUESTION: 'Does aspirin reduce fever?', CONTEXTS: ['Aspirin was given to 40 patients.'], final_decision: 'yes' },
    };
    const setup = () => {
      const dir = mkdtempSync(join(tmpdir(), 'eval-cli-items-'));
      mkdirSync(join(dir, 'data'));
      writeFileSync(join(dir, 'data', 'ori_pqal.json'), JSON.stringify(PQAL));
      return dir;
    };
    const results = (dir: string) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { config: Record<string, unknown>; counts: { loaded: Record<string, number> } };

    it('reads --items and --shots-from given with absolute paths', () => {
      const dir = setup();
      const file = join(dir, 'data', 'ori_pqal.json');
      const run = spawnSync(process.execPath, [BUNDLE, '--items', `pubmedqa:${file}`, '--shots-from', `pubmedqa:${file}`, ...ARGS, '--no-cache', '-o', join(dir, 'out')], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const r = results(join(dir, 'out'));
      expect(r.config['items']).toEqual([`pubmedqa:${file}`]);
      expect(r.counts.loaded).toEqual({ pubmedqa: 2 });
    }, 60_000);

    it('reads --items and --shots-from given with paths relative to the working directory', () => {
      const dir = setup();
      const run = spawnSync(process.execPath, [BUNDLE, '--items', 'pubmedqa:data/ori_pqal.json', '--shots-from', 'pubmedqa:data', ...ARGS, '--no-cache', '-o', 'out'], { cwd: dir, encoding: 'utf8' });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const r = results(join(dir, 'out'));
      expect(r.config['items']).toEqual([`pubmedqa:${join(dir, 'data', 'ori_pqal.json')}`]);
      expect(r.config['shotsFrom']).toEqual([`pubmedqa:${join(dir, 'data')}`]);
      // Each item's one shot is the other item of the pool.
      const samples = lines(join(dir, 'out', 'samples.jsonl')).map((l) => JSON.parse(l) as { shotIds: string[] });
      expect(samples.map((s) => s.shotIds.length)).toEqual([1, 1]);
    }, 60_000);

    it('reports a missing field by file, line and field, and an unknown format by name', () => {
      const dir = setup();
      writeFileSync(join(dir, 'data', 'us.jsonl'), `${JSON.stringify({ question: 'Q?', options: { A: 'a', B: 'b' }, answer_idx: 'A' })}\n${JSON.stringify({ question: 'Q?', answer_idx: 'A' })}\n`);
      const bad = spawnSync(process.execPath, [BUNDLE, '--items', 'medqa-usmle:data/us.jsonl', ...ARGS, '-o', 'out'], { cwd: dir, encoding: 'utf8' });
      expect(bad.status).toBe(1);
      expect(bad.stderr).toBe(`eval: ${join(dir, 'data', 'us.jsonl')}:2: missing_field: missing field "options"\n`);
      const unknown = spawnSync(process.execPath, [BUNDLE, '--items', 'pubmed:data/ori_pqal.json', ...ARGS, '-o', 'out'], { cwd: dir, encoding: 'utf8' });
      expect(unknown.status).toBe(1);
      expect(unknown.stderr).toContain('unknown_format: no file or folder of that name, and "pubmed" is not a format (formats: medqa-usmle, ');
    }, 60_000);
  });

  it('merge takes its own -o and refuses an incomplete set of parts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-cli-'));
    const part = spawnSync(process.execPath, [BUNDLE, ...ARGS, '--limit', '1', '--rank', '1', '--world-size', '2', '-o', join(dir, 'p1')], { encoding: 'utf8' });
    expect(part.status).toBe(0);
    const merged = spawnSync(process.execPath, [BUNDLE, 'merge', '-o', join(dir, 'all'), join(dir, 'p1')], { encoding: 'utf8' });
    expect(merged.status).toBe(1);
    expect(merged.stderr).toContain('world size 2 needs ranks 0..1 once each; got 1');
  }, 60_000);
});
