import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Doc } from '@apollo/document';
import { OutputLock, runStage, silentLogger, type StageOptions } from '@apollo/stage';
import { crawlStage } from '../crawl-stage';
import type { DeltaEntry } from './crawl';
import { FIXTURE_CRAWL_DELAY_S, fixtureSource, type FixtureSite, type SeenRequest, startFixtureSite } from './testing/fixture-site';

jest.setTimeout(30_000);

const UA = 'ApolloCorpusBot/0.1 (+https://github.com/FreedomIntelligence/Apollo)';

async function readJsonl<T>(dir: string): Promise<T[]> {
  if (!existsSync(dir)) return [];
  const out: T[] = [];
  for (const name of (await readdir(dir)).sort()) {
    const text = await readFile(join(dir, name), 'utf8');
    for (const line of text.split('\n')) if (line) out.push(JSON.parse(line) as T);
  }
  return out;
}

/**
 * The test pipeline: short backoffs, a 64 KiB cap, loopback allowed, and timeouts that the slow
 * page (3 s) exceeds and a loaded machine does not.
 */
function pipeline(state: string, perHostConcurrency = 2) {
  return {
    stages: {
      crawl: {
        fetch: { headersTimeoutMs: 1000, bodyTimeoutMs: 1000, totalTimeoutMs: 1000, maxBytes: 64 * 1024, maxRedirects: 3 },
        crawler: {
          stateDir: state,
          delayMs: 10,
          perHostConcurrency,
          concurrency: 8,
          maxRetries: 2,
          backoffBaseMs: 50,
          backoffMaxMs: 200,
          maxRetryAfterMs: 1500,
          allowPrivateHosts: true,
          statsEveryMs: 60_000,
        },
      },
    },
  };
}

async function registry(dir: string, site: FixtureSite, extra: Record<string, unknown> = {}, opts: { localhost?: boolean; name?: string } = {}): Promise<string> {
  const file = join(dir, opts.name ?? 'fixture-sources.json');
  await writeFile(file, JSON.stringify({ name: 'fixture', sources: [{ ...fixtureSource(site, { localhost: opts.localhost ?? false }), ...extra }] }));
  return file;
}

/** The fixture source cut down to its diabetes seed and what it links to (three pages, no sitemaps). */
const SMALL = { crawler: { robotsSitemaps: false } };

/** Requests a URL got beyond its first one, over a part of the server's log. */
function repeats(requests: readonly SeenRequest[]): number {
  const counts = new Map<string, number>();
  for (const r of requests) counts.set(r.host + r.path, (counts.get(r.host + r.path) ?? 0) + 1);
  return [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
}

async function readRecords(state: string, sourceId: string): Promise<Map<string, Record<string, unknown>>> {
  const records = new Map<string, Record<string, unknown>>();
  for (const line of (await readFile(join(state, sourceId, 'log.jsonl'), 'utf8')).split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line) as Record<string, unknown>;
    if (r.t === 'url') records.set(String(r.url), r);
  }
  return records;
}

function pagePaths(site: FixtureSite, host = `127.0.0.1:${site.port}`): string[] {
  return site.requests.filter((r) => r.host === host && r.path !== '/robots.txt' && !r.path.startsWith('/sitemap')).map((r) => r.path);
}

describe('web crawl of the fixture site', () => {
  let site: FixtureSite;
  let dir: string;

  beforeAll(async () => {
    site = await startFixtureSite();
    dir = await mkdtemp(join(tmpdir(), 'crawl-site-'));
  });
  afterAll(async () => {
    await site.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('crawls politely, then a refresh outputs only the delta', async () => {
    const state = join(dir, 'state');
    const sources = await registry(dir, site);
    const opts = (output: string): StageOptions => ({ sources: [sources], output: join(dir, output), workers: 1, quiet: true });
    const first = await runStage(crawlStage, opts('run1'), pipeline(state), silentLogger);
    expect(first.exitCode).toBe(0);

    const docs = await readJsonl<Doc>(join(dir, 'run1', 'docs'));
    const byPath = new Map(docs.map((d) => [new URL(d.meta?.requestedUrl ? String(d.meta.requestedUrl) : d.provenance.url!).pathname, d]));
    expect([...byPath.keys()].sort()).toEqual(
      [
        '/ar/cp1256.html', '/brotli.html', '/deflate.html', '/en/asthma.html', '/en/diabetes-care.html', '/en/diabetes.html', '/es/gripe.html',
        '/flaky.html', '/fr/grippe.html', '/gone-later.html', '/hi/madhumeh.html', '/private/open.html', '/rate-limited.html', '/raw-deflate.html', '/redirect-start',
        '/removed-410.html', '/zh/big5.html', '/zh/gbk.html',
      ].sort(),
    );
    // Legacy charsets decoded; title, declared language and provenance kept.
    expect(byPath.get('/zh/gbk.html')!.text).toContain('糖尿病是一种慢性代谢性疾病');
    expect(byPath.get('/zh/gbk.html')!.meta).toMatchObject({ charset: 'gbk', title: '糖尿病', version: 1 });
    expect(byPath.get('/zh/big5.html')!.text).toContain('高血壓是心血管疾病');
    expect(byPath.get('/ar/cp1256.html')!.text).toContain('داء السكري مرض مزمن');
    expect(byPath.get('/ar/cp1256.html')!.langHint).toBe('ar');
    expect(byPath.get('/brotli.html')!.text).toContain('Tuberculosis is caused by bacteria');
    expect(byPath.get('/deflate.html')!.text).toContain('infected mosquitoes');
    expect(byPath.get('/raw-deflate.html')!.text).toContain('Cholera is an acute diarrhoeal infection');
    expect(byPath.get('/redirect-start')!.provenance).toMatchObject({ url: `${site.origin}/en/redirected-target.html`, sourceId: 'fixture-health' });
    expect(byPath.get('/en/diabetes.html')!.text).not.toContain('Home');

    const rejects = await readJsonl<{ reason: string; at: { url: string } }>(join(dir, 'run1', 'rejects'));
    const reasons = Object.fromEntries(rejects.map((r) => [new URL(r.at.url).pathname, r.reason]));
    expect(reasons).toEqual({
      '/private/hidden.html': 'robots_disallowed',
      '/private/secret.html': 'robots_disallowed',
      '/report.pdf': 'robots_disallowed',
      '/loop-a': 'redirect_loop',
      '/slow.html': 'timeout',
      '/big.html': 'too_large',
      '/bomb.html': 'too_large',
      '/image.png': 'unsupported_type',
    });

    // Robots compliance: nothing disallowed, nothing out of scope or deeper than maxDepth.
    const paths = pagePaths(site);
    for (const p of ['/private/secret.html', '/private/hidden.html', '/report.pdf', '/en/deep.html', '/en/nofollow-target.html']) expect(paths).not.toContain(p);
    expect(site.requests.every((r) => r.userAgent === UA)).toBe(true);
    // Retries: the failing pages got their retries (maxRetries 2) and no more...
    const counts = new Map<string, number>();
    for (const p of paths) counts.set(p, (counts.get(p) ?? 0) + 1);
    expect(counts.get('/flaky.html')).toBe(3);
    expect(counts.get('/rate-limited.html')).toBe(2);
    expect(counts.get('/slow.html')).toBe(3);
    // ...and every repeated request was a retry the crawler counted (on a loaded machine a page
    // may time out and be retried too, so the total is not a constant).
    const stats = JSON.parse(await readFile(join(dir, 'run1', 'crawl-stats', 'fixture-health.json'), 'utf8'));
    expect(stats.retries).toBe(repeats(site.requests));
    expect(stats).toMatchObject({ complete: true, pagesAnswered: expect.any(Number) });

    // Per-host spacing: Crawl-delay (50 ms) beats delayMs (10 ms); Retry-After held the host.
    // The server shares this process's event loop, so its arrival times lag under load: the
    // crawler's own request start times are checked here, the server's in the SIGKILL test.
    const limited = site.requests.filter((r) => r.path === '/rate-limited.html').map((r) => r.at);
    expect(limited[1]! - limited[0]!).toBeGreaterThanOrEqual(1000);

    expect(stats.robotsDisallowed).toBe(3);
    expect(stats.minRequestSpacingMs[`127.0.0.1:${site.port}`]).toBeGreaterThanOrEqual(FIXTURE_CRAWL_DELAY_S * 1000);
    expect(stats.statusCodes['429']).toBe(1);
    expect(stats.statusCodes['500']).toBe(2);
    const delta1 = await readJsonl<DeltaEntry>(join(dir, 'run1', 'crawl-delta'));
    expect(delta1.filter((d) => d.change === 'new')).toHaveLength(18);

    // Refresh: version 2 changes one page, adds one, removes two.
    site.version = 2;
    const before = site.requests.length;
    const second = await runStage(crawlStage, opts('run2'), pipeline(state), silentLogger);
    expect(second.exitCode).toBe(0);
    const refreshed = site.requests.slice(before);
    expect(refreshed.find((r) => r.path === '/en/asthma.html' && r.host.startsWith('127'))).toMatchObject({
      ifNoneMatch: expect.stringMatching(/^"[0-9a-f]{16}"$/),
      ifModifiedSince: 'Mon, 02 Nov 2026 10:00:00 GMT',
    });
    // Each known page is asked for once (conditionally), not refetched by both the sitemap and the store.
    const refreshedPaths = refreshed.filter((r) => r.host.startsWith('127') && r.path.endsWith('.html')).map((r) => r.path);
    expect(refreshedPaths.filter((p) => p === '/en/diabetes.html')).toHaveLength(1);
    const docs2 = await readJsonl<Doc>(join(dir, 'run2', 'docs'));
    expect(docs2.map((d) => new URL(d.provenance.url!).pathname).sort()).toEqual(['/en/diabetes.html', '/en/new-page.html']);
    const changed = docs2.find((d) => d.provenance.url!.endsWith('/en/diabetes.html'))!;
    expect(changed.text).toContain('Updated guidance');
    expect(changed.meta).toMatchObject({ version: 2, previousDocId: byPath.get('/en/diabetes.html')!.id });
    const delta2 = await readJsonl<DeltaEntry>(join(dir, 'run2', 'crawl-delta'));
    expect(delta2.map((d) => [new URL(d.url).pathname, d.change])).toEqual([
      ['/en/diabetes.html', 'changed'],
      ['/en/new-page.html', 'new'],
      ['/gone-later.html', 'deleted'],
      ['/removed-410.html', 'deleted'],
    ]);
    expect(delta2.find((d) => d.url.endsWith('/gone-later.html'))).toMatchObject({ previousDocId: byPath.get('/gone-later.html')!.id, httpStatus: 404 });
    const stats2 = JSON.parse(await readFile(join(dir, 'run2', 'crawl-stats', 'fixture-health.json'), 'utf8'));
    expect(stats2.delta).toEqual({ new: 1, changed: 1, deleted: 2 });
    expect(stats2.changes.unchanged).toBeGreaterThanOrEqual(13);

    // trustLastmod: pages whose sitemap lastmod predates their last fetch get no request at all;
    // pages no sitemap lists (diabetes-care, reached by a link) still get a conditional one.
    const before3 = site.requests.length;
    const p3 = pipeline(state);
    (p3.stages.crawl.crawler as Record<string, unknown>).trustLastmod = true;
    expect((await runStage(crawlStage, opts('run3'), p3, silentLogger)).exitCode).toBe(0);
    const third = site.requests.slice(before3).filter((r) => r.host.startsWith('127')).map((r) => r.path);
    for (const p of ['/brotli.html', '/deflate.html', '/private/open.html', '/en/new-page.html']) expect(third).not.toContain(p);
    expect(third.filter((p) => p === '/en/diabetes-care.html')).toHaveLength(1);
    expect(await readJsonl<Doc>(join(dir, 'run3', 'docs'))).toEqual([]);
    expect(await readJsonl<DeltaEntry>(join(dir, 'run3', 'crawl-delta'))).toEqual([]);
  });

  it('refuses loopback hosts unless allowPrivateHosts is set', async () => {
    const sources = await registry(dir, site);
    const before = site.requests.length;
    const p = pipeline(join(dir, 'state-private'));
    p.stages.crawl.crawler.allowPrivateHosts = false;
    const out = join(dir, 'private');
    const outcome = await runStage(crawlStage, { sources: [sources], output: out, workers: 1, quiet: true }, p, silentLogger);
    const rejects = await readJsonl<{ reason: string }>(join(out, 'rejects'));
    expect(rejects.map((r) => r.reason)).toEqual(['private_address']);
    expect(site.requests.length).toBe(before);
    // Nothing could be fetched: the crawl is incomplete, not a quiet success.
    expect(outcome.exitCode).toBe(2);
    expect(outcome.phases[0]!.ran[0]!.fileErrors[0]!.reason).toMatch(/^source fixture-health: nothing fetched: 1 of 1 page failed \(private_address 1; first: /);
  });

  it('retries an unavailable robots.txt, then leaves the source incomplete while the other host is crawled', async () => {
    const state = join(dir, 'state-robots');
    const sources = await registry(dir, site, SMALL, { localhost: true, name: 'robots-503.json' });
    const before = site.requests.length;
    const out = join(dir, 'robots-503');
    const outcome = await runStage(crawlStage, { sources: [sources], output: out, workers: 1, quiet: true }, pipeline(state), silentLogger);
    const local = site.requests.slice(before).filter((r) => r.host.startsWith('localhost'));
    // Tried as often as a page is (maxRetries 2), and no page of that host requested.
    expect(local.map((r) => r.path)).toEqual(['/robots.txt', '/robots.txt', '/robots.txt']);
    expect(outcome.exitCode).toBe(2);
    const [task] = outcome.phases[0]!.ran;
    expect(task!.fileErrors).toEqual([
      { file: sources, reason: `source fixture-health: robots.txt of http://localhost:${site.port} unavailable after 3 attempts (http_503: server answered 503); 1 page not requested` },
    ]);
    // What the other host gave is output.
    const docs = await readJsonl<Doc>(join(out, 'docs'));
    expect(docs.map((d) => new URL(d.provenance.url!).pathname).sort()).toEqual(['/en/asthma.html', '/en/diabetes-care.html', '/en/diabetes.html']);
    const stats = JSON.parse(await readFile(join(out, 'crawl-stats', 'fixture-health.json'), 'utf8'));
    expect(stats).toMatchObject({ complete: false, incomplete: expect.stringContaining('robots.txt of http://localhost') });
  });

  it('keeps validators through a night the site is down, which is incomplete until a rerun fetches it', async () => {
    const down = await startFixtureSite();
    try {
      const state = join(dir, 'state-down');
      const sources = await registry(dir, down, SMALL, { name: 'down.json' });
      const opts = (output: string): StageOptions => ({ sources: [sources], output: join(dir, output), workers: 1, quiet: true });
      expect((await runStage(crawlStage, opts('down-1'), pipeline(state), silentLogger)).exitCode).toBe(0);
      const known = (await readJsonl<Doc>(join(dir, 'down-1', 'docs'))).map((d) => new URL(d.provenance.url!).pathname).sort();
      expect(known).toEqual(['/en/asthma.html', '/en/diabetes-care.html', '/en/diabetes.html']);

      // The site is down: robots.txt is refused (and retried), so is every page. Exit 2, not 0.
      await down.stop();
      const dead = await runStage(crawlStage, opts('down-2'), pipeline(state), silentLogger);
      expect(dead.exitCode).toBe(2);
      expect(dead.phases[0]!.ran[0]!.fileErrors[0]!.reason).toMatch(
        new RegExp(`^source fixture-health: nothing fetched: 4 of 4 pages failed \\(robots_unavailable 4\\); robots\\.txt of ${down.origin} unavailable after 3 attempts \\(fetch_failed: .*ECONNREFUSED`),
      );
      expect(await readJsonl<DeltaEntry>(join(dir, 'down-2', 'crawl-delta'))).toEqual([]);
      // The failed night kept what the next one needs for conditional requests.
      const records = await readRecords(state, 'fixture-health');
      for (const p of known) expect(records.get(down.origin + p)).toMatchObject({ state: 'skipped', reason: 'robots_unavailable', etag: expect.stringMatching(/^"/), lastModified: expect.any(String), docId: expect.any(String) });

      // The site is back: rerunning the incomplete crawl asks for the known pages conditionally.
      await down.restart();
      const from = down.requests.length;
      const rerun = await runStage(crawlStage, opts('down-2'), pipeline(state), silentLogger);
      expect(rerun.exitCode).toBe(0);
      expect(rerun.phases[0]!.ran).toHaveLength(1);
      const asked = down.requests.slice(from).filter((r) => known.includes(r.path));
      expect(asked.map((r) => r.path).sort()).toEqual(known);
      for (const r of asked) expect(r).toMatchObject({ ifNoneMatch: expect.stringMatching(/^"[0-9a-f]{16}"$/), ifModifiedSince: 'Mon, 02 Nov 2026 10:00:00 GMT' });
      expect(await readJsonl<Doc>(join(dir, 'down-2', 'docs'))).toEqual([]);
      expect(await readJsonl<DeltaEntry>(join(dir, 'down-2', 'crawl-delta'))).toEqual([]);
      const stats = JSON.parse(await readFile(join(dir, 'down-2', 'crawl-stats', 'fixture-health.json'), 'utf8'));
      expect(stats).toMatchObject({ complete: true, changes: { unchanged: 3 } });
    } finally {
      await down.close();
    }
  });

  it("refuses a source whose crawl state another crawl is using (another output, the same stateDir)", async () => {
    const state = join(dir, 'state-shared');
    const sources = await registry(dir, site);
    const other = await OutputLock.acquire(join(state, 'fixture-health'), 'run', 'the other crawl');
    try {
      const before = site.requests.length;
      const outcome = await runStage(crawlStage, { sources: [sources], output: join(dir, 'shared'), workers: 1, quiet: true }, pipeline(state), silentLogger);
      expect(outcome.exitCode).toBe(2);
      expect(outcome.phases[0]!.ran[0]!.fileErrors[0]!.reason).toContain(`${join(state, 'fixture-health')} is in use by another run: pid ${process.pid}`);
      expect(site.requests.length).toBe(before);
    } finally {
      await other.release();
    }
  });

  it('treats a 4xx robots.txt as allowing everything', async () => {
    const { createServer } = await import('node:http');
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.url ?? '');
      if (req.url === '/robots.txt') return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html lang="fr"><body><p>La rougeole est une maladie virale très contagieuse.</p></body></html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const file = join(dir, 'robots-404.json');
      await writeFile(file, JSON.stringify({ sources: [{ id: 'robots-404', lang: 'fr', source: 'web', license: 'test', seeds: [`http://127.0.0.1:${port}/rougeole`] }] }));
      const out = join(dir, 'robots-404');
      await runStage(crawlStage, { sources: [file], output: out, workers: 1, quiet: true }, pipeline(join(dir, 'state-404')), silentLogger);
      const docs = await readJsonl<Doc>(join(out, 'docs'));
      expect(docs.map((d) => [d.langHint, d.text])).toEqual([['fr', 'La rougeole est une maladie virale très contagieuse.']]);
      expect(seen).toEqual(['/robots.txt', '/rougeole']);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('resumes after SIGKILL without refetching finished pages', async () => {
    const fresh = await startFixtureSite();
    try {
      const root = join(__dirname, '..', '..', '..', '..');
      execFileSync(process.execPath, [join(root, 'tools/build/build.mjs'), 'apps/crawl'], { cwd: root, stdio: 'ignore' });
      const work = await mkdtemp(join(tmpdir(), 'crawl-kill-'));
      const sources = await registry(work, fresh);
      const pipe = join(work, 'pipeline.json');
      await writeFile(pipe, JSON.stringify(pipeline(join(work, 'state'), 1)));
      const out = join(work, 'out');
      const args = [join(root, 'dist/apps/crawl/main.js'), '--sources', sources, '--config', pipe, '--output', out, '--workers', '1', '--quiet'];
      const run = () => spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });

      const first = run();
      const exited = new Promise<NodeJS.Signals | null>((resolve) => first.on('exit', (_code, signal) => resolve(signal)));
      while (pagePaths(fresh).length < 8) await new Promise((r) => setTimeout(r, 20));
      first.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      const before = new Set(pagePaths(fresh));
      const cut = fresh.requests.length;

      const secondStarted = Date.now();
      const second = run();
      let stderr = '';
      second.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((resolve) => second.on('exit', (c) => resolve(c)));
      expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });

      const after = fresh.requests.slice(cut).filter((r) => r.host === `127.0.0.1:${fresh.port}` && r.path !== '/robots.txt' && !r.path.startsWith('/sitemap'));
      // The crawler's own request start times are checked exactly, from its stats file. On the
      // wire only a lower bound holds (an arrival lags its start, by more under load): requests
      // start at least the Crawl-delay apart from robots.txt on, and all after the process
      // started, so the last one cannot arrive sooner than that many delays after the start.
      const host = fresh.requests.slice(cut).filter((r) => r.host === `127.0.0.1:${fresh.port}`);
      expect(host.length).toBeGreaterThan(8);
      expect(host[host.length - 1]!.at - secondStarted).toBeGreaterThanOrEqual((host.length - 1) * FIXTURE_CRAWL_DELAY_S * 1000);
      const stats = JSON.parse(await readFile(join(out, 'crawl-stats', 'fixture-health.json'), 'utf8'));
      expect(stats.minRequestSpacingMs[`127.0.0.1:${fresh.port}`]).toBeGreaterThanOrEqual(FIXTURE_CRAWL_DELAY_S * 1000);
      const refetched = [...new Set(after.map((r) => r.path))].filter((p) => before.has(p));
      // Only what was in flight at the kill (one page, with its redirect hops) is fetched again.
      expect(refetched.length).toBeLessThanOrEqual(3);
      expect(before.size).toBeGreaterThanOrEqual(5);
      const docs = await readJsonl<Doc>(join(out, 'docs'));
      expect(docs).toHaveLength(18);
      expect(new Set(docs.map((d) => d.provenance.url)).size).toBe(18);
      const delta = await readJsonl<DeltaEntry>(join(out, 'crawl-delta'));
      expect(delta.filter((d) => d.change === 'new')).toHaveLength(18);
      await rm(work, { recursive: true, force: true });
    } finally {
      await fresh.close();
    }
  });
});
