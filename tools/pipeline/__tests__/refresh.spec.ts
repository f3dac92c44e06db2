import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readParquetRows, verifyShards, type ChangeEntry, type Manifest } from '@apollo/shards';
import { fixtureSource, startFixtureSite, type FixtureSite } from '@apollo/ingest';
import { fixturePipeline, fixtureRegistry } from '../../fixture-site/fixture-files';

jest.setTimeout(90_000);

const repo = resolve(__dirname, '..', '..', '..');
const runner = join(repo, 'dist', 'tools', 'pipeline', 'main.js');

beforeAll(() => {
  const apps = ['crawl', 'langid', 'dedupe', 'convert'].map((a) => join(repo, 'dist', 'apps', a, 'main.js'));
  // Rebuild when a bundle is missing, or when the runner predates the refresh command.
  const stale = ![runner, ...apps].every(existsSync) || !readFileSync(runner, 'utf8').includes('crawl-delta');
  if (stale) {
    const built = spawnSync(process.execPath, [join(repo, 'tools', 'build', 'build.mjs')], { encoding: 'utf8' });
    if (built.status !== 0) throw new Error(built.stderr);
  }
});

/** Runs the pipeline runner; async so the fixture site in this process keeps answering. */
function pipeline(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, [runner, ...args], { cwd: repo });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('exit', (status) => done({ status, stdout, stderr }));
  });
}

/** The fixture's settings (short timeouts and backoffs, a 64 KiB cap) and registry, as files. */
async function writePipeline(dir: string, state: string): Promise<string> {
  const file = join(dir, 'pipeline.json');
  await writeFile(file, JSON.stringify(fixturePipeline(state)));
  return file;
}

async function writeRegistry(dir: string, site: FixtureSite): Promise<string> {
  const file = join(dir, 'fixture-sources.json');
  await writeFile(file, JSON.stringify(fixtureRegistry(site)));
  return file;
}

type Row = { id: string; url: string | null; text: string };

async function versionRows(convertDir: string): Promise<Map<string, Row>> {
  const manifest = JSON.parse(await readFile(join(convertDir, 'manifest.json'), 'utf8')) as Manifest;
  const rows = new Map<string, Row>();
  for (const s of manifest.shards) {
    for await (const r of readParquetRows(join(convertDir, s.path), ['id', 'url', 'text'])) {
      const id = String(r.id);
      expect(rows.has(id)).toBe(false);
      rows.set(id, { id, url: r.url === null ? null : String(r.url), text: String(r.text) });
    }
  }
  return rows;
}

async function changes(convertDir: string, which: 'added' | 'removed'): Promise<ChangeEntry[]> {
  const text = await readFile(join(convertDir, 'changes', `${which}.jsonl`), 'utf8');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as ChangeEntry);
}

async function manifestOf(convertDir: string): Promise<Manifest> {
  return JSON.parse(await readFile(join(convertDir, 'manifest.json'), 'utf8')) as Manifest;
}

const path = (url: string | null): string => new URL(url!).pathname;

describe('pipeline refresh: corpus versions from a crawl and its refresh delta', () => {
  let site: FixtureSite;
  let dir: string;

  beforeAll(async () => {
    site = await startFixtureSite();
    dir = await mkdtemp(join(tmpdir(), 'refresh-'));
  });
  afterAll(async () => {
    await site.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('builds version 1, then versions that add and remove exactly what the site changed', async () => {
    const pipelineFile = await writePipeline(dir, join(dir, 'state'));
    const sources = await writeRegistry(dir, site);
    const refresh = (out: string, base?: string) =>
      pipeline([
        'refresh', '--sources', sources, '--output', join(dir, out), '--pipeline', pipelineFile,
        '--allow-private-hosts', '--workers', '2', '--quiet', ...(base ? ['--base', join(dir, base, 'convert')] : []),
      ]);

    // Version 1: a full crawl, no base.
    const first = await refresh('v1');
    expect(first.stderr).not.toMatch(/Error/);
    expect(first.status).toBe(0);
    const v1Dir = join(dir, 'v1', 'convert');
    const m1 = await manifestOf(v1Dir);
    const v1 = await versionRows(v1Dir);
    expect(m1.version).toMatchObject({ number: 1, base: null, removed: 0, carried: 0, added: v1.size });
    expect(v1.size).toBeGreaterThan(5);
    expect([...v1.values()].map((r) => path(r.url))).toEqual(expect.arrayContaining(['/en/diabetes.html', '/gone-later.html', '/removed-410.html']));
    expect((await changes(v1Dir, 'added')).map((e) => e.id).sort()).toEqual([...v1.keys()].sort());

    // The site changes: diabetes.html gains a paragraph, new-page.html appears, two pages go (404, 410).
    site.version = 2;
    const second = await refresh('v2', 'v1');
    expect(second.stderr).not.toMatch(/Error/);
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/version 2 in .*: \d+ documents \(2 added, 3 removed/);
    const v2Dir = join(dir, 'v2', 'convert');
    const m2 = await manifestOf(v2Dir);
    const v2 = await versionRows(v2Dir);
    const byPath = (rows: Map<string, Row>, p: string) => [...rows.values()].find((r) => path(r.url) === p)!;
    const oldDiabetes = byPath(v1, '/en/diabetes.html');
    const newDiabetes = byPath(v2, '/en/diabetes.html');
    expect(newDiabetes.text).toContain('Updated guidance');
    const removedIds = [oldDiabetes.id, byPath(v1, '/gone-later.html').id, byPath(v1, '/removed-410.html').id].sort();
    const addedIds = [newDiabetes.id, byPath(v2, '/en/new-page.html').id].sort();

    expect(m2.version).toMatchObject({
      number: 2,
      base: { manifest: join(v1Dir, 'manifest.json'), number: 1, documents: v1.size },
      added: 2,
      removed: 3,
      carried: v1.size - 3,
      removedByReason: { changed: 1, deleted: 2 },
      removalsNotInBase: 0,
      crawlDelta: { entries: { new: 1, changed: 1, deleted: 2 } },
    });
    const baseSha = createHash('sha256').update(await readFile(join(v1Dir, 'manifest.json'))).digest('hex');
    expect(m2.version!.base!.sha256).toBe(baseSha);
    const added2 = await changes(v2Dir, 'added');
    const removed2 = await changes(v2Dir, 'removed');
    expect(added2.map((e) => e.id).sort()).toEqual(addedIds);
    expect(Object.fromEntries(added2.map((e) => [path(e.url), e.reason]))).toEqual({ '/en/diabetes.html': 'changed', '/en/new-page.html': 'new' });
    expect(removed2.map((e) => e.id).sort()).toEqual(removedIds);
    expect(Object.fromEntries(removed2.map((e) => [path(e.url), e.reason]))).toEqual({
      '/en/diabetes.html': 'changed',
      '/gone-later.html': 'deleted',
      '/removed-410.html': 'deleted',
    });
    expect(removed2.every((e) => e.lang === 'en' && e.source === 'web')).toBe(true);

    // v2 = v1 - removed + added, row for row.
    const expected = new Set([...v1.keys()].filter((id) => !removedIds.includes(id)).concat(addedIds));
    expect([...v2.keys()].sort()).toEqual([...expected].sort());
    for (const [id, row] of v2) if (v1.has(id)) expect(row).toEqual(v1.get(id));
    expect(m2.totals.documents).toBe(v2.size);

    const report = await verifyShards(v2Dir);
    expect(report.problems).toEqual([]);
    const verify = await pipeline(['verify', '--pipeline', pipelineFile, '--output', join(dir, 'v2')]);
    expect(verify.stdout).toContain('verify: conservation law and checksums hold');
    expect(await readFile(join(v2Dir, 'README.md'), 'utf8')).toContain('This is version 2 of the corpus');

    // A refresh with nothing changed: an empty delta, and the same rows.
    const third = await refresh('v3', 'v2');
    expect(third.status).toBe(0);
    const v3Dir = join(dir, 'v3', 'convert');
    const m3 = await manifestOf(v3Dir);
    expect(m3.version).toMatchObject({ number: 3, added: 0, removed: 0, carried: v2.size, crawlDelta: { entries: { new: 0, changed: 0, deleted: 0 } } });
    const v3 = await versionRows(v3Dir);
    expect([...v3.entries()].sort()).toEqual([...v2.entries()].sort());
    expect(await changes(v3Dir, 'added')).toEqual([]);
    expect((await verifyShards(v3Dir)).problems).toEqual([]);

    // A version block whose counts do not add up is caught.
    const tampered = { ...m2, version: { ...m2.version!, carried: m2.version!.carried + 1 } };
    await writeFile(join(v2Dir, 'manifest.json'), JSON.stringify(tampered));
    const bad = await verifyShards(v2Dir);
    expect(bad.problems.join('\n')).toMatch(/carried \d+ \+ added 2 != \d+ rows/);
    expect(bad.problems.join('\n')).toMatch(/base had \d+ rows, but carried/);
  });
});

describe('pipeline refresh: a night the site is down', () => {
  let site: FixtureSite;
  let dir: string;

  beforeAll(async () => {
    site = await startFixtureSite();
    dir = await mkdtemp(join(tmpdir(), 'refresh-down-'));
  });
  afterAll(async () => {
    await site.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 2 and publishes nothing; the next night asks for the known pages conditionally and completes', async () => {
    const pipelineFile = await writePipeline(dir, join(dir, 'state'));
    // The fixture source cut down to its seed and the pages it links to (no sitemaps): three documents.
    const sources = join(dir, 'small-sources.json');
    await writeFile(sources, JSON.stringify({ name: 'fixture', sources: [{ ...fixtureSource(site), crawler: { robotsSitemaps: false } }] }));
    const refresh = (out: string, base?: string) =>
      pipeline([
        'refresh', '--sources', sources, '--output', join(dir, out), '--pipeline', pipelineFile,
        '--allow-private-hosts', '--workers', '1', '--quiet', ...(base ? ['--base', join(dir, base)] : []),
      ]);

    const first = await refresh('night1');
    expect({ status: first.status, stderr: first.stderr }).toEqual({ status: 0, stderr: '' });
    const v1 = await versionRows(join(dir, 'night1', 'convert'));
    const known = [...v1.values()].map((r) => path(r.url)).sort();
    expect(known).toEqual(['/en/asthma.html', '/en/diabetes-care.html', '/en/diabetes.html']);

    // Night 2: the site is down. The crawl is incomplete, so no stage after it runs and no version appears.
    await site.stop();
    const dead = await refresh('night2', 'night1');
    expect(dead.status).toBe(2);
    expect(dead.stderr).toContain(`source fixture-health: nothing fetched: 4 of 4 pages failed (robots_unavailable 4); robots.txt of ${site.origin} unavailable after 3 attempts (fetch_failed:`);
    expect(dead.stderr).toContain('pipeline refresh: stage crawl is incomplete (exit code 2');
    expect(dead.stderr).toContain('no version was published');
    expect(existsSync(join(dir, 'night2', 'crawl'))).toBe(true);
    for (const stage of ['langid', 'dedupe', 'convert']) expect(existsSync(join(dir, 'night2', stage))).toBe(false);
    // Not usable as the base of a later version either.
    const onDead = await refresh('night2b', 'night2');
    expect(onDead.status).toBe(1);
    expect(onDead.stderr).toContain('no manifest.json');

    // Night 3: the site is back. Every page known from night 1 is asked for with its validators.
    await site.restart();
    const from = site.requests.length;
    const third = await refresh('night3', 'night1');
    expect({ status: third.status, stderr: third.stderr }).toEqual({ status: 0, stderr: '' });
    const asked = site.requests.slice(from).filter((r) => known.includes(r.path));
    expect(asked.map((r) => r.path).sort()).toEqual(known);
    for (const r of asked) expect(r).toMatchObject({ ifNoneMatch: expect.stringMatching(/^"[0-9a-f]{16}"$/), ifModifiedSince: 'Mon, 02 Nov 2026 10:00:00 GMT' });
    const m3 = await manifestOf(join(dir, 'night3', 'convert'));
    expect(m3.version).toMatchObject({ number: 2, added: 0, removed: 0, carried: v1.size });
    const v3 = await versionRows(join(dir, 'night3', 'convert'));
    expect([...v3.entries()].sort()).toEqual([...v1.entries()].sort());
  });
});
