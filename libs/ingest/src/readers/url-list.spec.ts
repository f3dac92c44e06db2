import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import type { Doc, DocItem } from '@apollo/document';
import { runStage, silentLogger } from '@apollo/stage';
import { crawlStage } from '../crawl-stage';
import { DEFAULT_CRAWLER_OPTIONS, type CrawlerOptions } from '../crawler/options';
import { PoliteClient } from '../crawler/polite-client';
import { DEFAULT_FETCH_OPTIONS, DEFAULT_READ_LIMITS, type FetchOptions } from '../options';
import { fileSpecFor } from '../source-files';
import { parseUrlLine, readUrlList } from './url-list';

jest.setTimeout(30_000);

const GOOD = `<!DOCTYPE html><html lang="fr"><head><title>Rougeole</title><script>track()</script></head>
<body><nav>Accueil</nav><main><h1>Rougeole</h1><p>La rougeole est une maladie virale très contagieuse.</p></main><footer>©</footer></body></html>`;

/** A loopback server with one route per behaviour a URL list must handle, and a log of what it was asked. */
class TestServer {
  private server: Server;
  private timers = new Set<NodeJS.Timeout>();
  private hits = new Map<string, number>();
  base = '';
  port = 0;
  /** Requests as they arrived: path and time. */
  seen: { path: string; at: number; userAgent: string }[] = [];
  bigFinished = false;
  /** robots.txt answers 503 this many times before it is served. */
  robotsFailures = 0;

  constructor() {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    this.base = `http://127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Paths requested since `from` (an index into `seen`). */
  paths(from = 0): string[] {
    return this.seen.slice(from).map((s) => s.path);
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? '/';
    this.seen.push({ path, at: Date.now(), userAgent: String(req.headers['user-agent']) });
    const n = (this.hits.get(path) ?? 0) + 1;
    this.hits.set(path, n);
    res.on('error', () => undefined);
    const html = (body: string | Buffer, type = 'text/html; charset=utf-8') => {
      res.writeHead(200, { 'content-type': type });
      res.end(body);
    };
    if (path === '/robots.txt') {
      if (n <= this.robotsFailures) return void res.writeHead(503, { 'content-type': 'text/plain' }).end('busy');
      return html('User-agent: *\nDisallow: /private/\n', 'text/plain');
    }
    if (path === '/good.html' || path === '/private/page.html') return html(GOOD);
    if (path === '/plain.txt') return html('Measles vaccine: two doses.\r\n', 'text/plain');
    if (path === '/legacy.html') return html(iconv.encode('<html lang="ar"><body><p>الحصبة مرض فيروسي</p></body></html>', 'windows-1256'), 'text/html; charset=windows-1256');
    if (path === '/empty.html') return html('<html><body><nav>menu</nav></body></html>');
    if (path === '/missing') return void res.writeHead(404, { 'content-type': 'text/html' }).end('<p>Not found</p>');
    if (path === '/error') return void res.writeHead(503).end();
    if (path === '/flaky.html') {
      if (n <= 2) return void res.writeHead(500).end();
      return html(GOOD);
    }
    if (path === '/slow-headers') return this.later(3000, () => html(GOOD));
    if (path === '/slow-body') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.write('<p>start');
      return this.later(3000, () => res.end('</p>'));
    }
    if (path === '/big') {
      // Chunked, no Content-Length: the cap must abort the download itself.
      res.writeHead(200, { 'content-type': 'text/html' });
      const chunk = Buffer.alloc(16 * 1024, 0x61);
      let sent = 0;
      const pump = () => {
        while (sent < 4 * 1024 * 1024) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        this.bigFinished = true;
        res.end();
      };
      return pump();
    }
    if (path === '/big-declared') {
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': String(10 * 1024 * 1024) });
      return void res.write('<p>');
    }
    if (path === '/pdf') return html(Buffer.from('%PDF-1.7'), 'application/pdf');
    const hop = /^\/r(\d)$/.exec(path);
    if (hop) {
      const i = Number(hop[1]);
      return void res.writeHead(i === 1 ? 301 : 302, { location: i < 3 ? `/r${i + 1}` : `${this.base}/good.html` }).end();
    }
    if (path === '/loop-a' || path === '/loop-b') return void res.writeHead(307, { location: path === '/loop-a' ? '/loop-b' : '/loop-a' }).end();
    if (path === '/to-ftp') return void res.writeHead(302, { location: 'ftp://127.0.0.1/file' }).end();
    if (path.startsWith('/page/')) return html(`<p>Page ${path} about measles vaccination schedules.</p>`);
    res.writeHead(500);
    res.end();
  }
}

/** Test settings: short timeouts and backoffs, a 64 KiB cap, loopback allowed, no delay unless asked. */
const FETCH: FetchOptions = { ...DEFAULT_FETCH_OPTIONS, userAgent: 'ApolloTest/1.0', headersTimeoutMs: 1000, bodyTimeoutMs: 1000, totalTimeoutMs: 2000, maxBytes: 64 * 1024, maxRedirects: 3 };
const CRAWLER: CrawlerOptions = { ...DEFAULT_CRAWLER_OPTIONS, delayMs: 0, perHostConcurrency: 4, maxRetries: 2, backoffBaseMs: 20, backoffMaxMs: 50, maxRetryAfterMs: 100, allowPrivateHosts: true };

describe('readUrlList', () => {
  const server = new TestServer();
  let dir: string;
  let lists = 0;
  beforeAll(async () => {
    await server.start();
    dir = await mkdtemp(join(tmpdir(), 'ingest-urls-'));
  });
  afterAll(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Reads a list through a client of its own; what it yielded, and the error it ended with (if any). */
  async function readList(lines: string[], crawler: Partial<CrawlerOptions> = {}, fetch: Partial<FetchOptions> = {}): Promise<{ items: DocItem[]; error?: Error; file: string }> {
    const file = join(dir, `list-${++lists}.urls`);
    await writeFile(file, lines.join('\n'));
    const spec = fileSpecFor(file, { sourceId: 'seeds', format: 'auto', source: 'web', stage: 'pretrain', lang: 'en' }, 'test');
    const client = new PoliteClient({ ...FETCH, ...fetch }, { ...CRAWLER, ...crawler }, { log: silentLogger, logFields: { file } });
    const items: DocItem[] = [];
    try {
      for await (const item of readUrlList(file, { spec, limits: DEFAULT_READ_LIMITS, client })) items.push(item);
      return { items, file };
    } catch (err) {
      return { items, error: err as Error, file };
    } finally {
      await client.close();
    }
  }

  const outcome = (i: DocItem) => ('doc' in i ? `doc:${i.doc.provenance.line}` : `${i.problem.reason}:${i.problem.at.line}`);

  it('parses lines, skipping blanks and comments', () => {
    expect(parseUrlLine('  # a comment')).toBeUndefined();
    expect(parseUrlLine('')).toBeUndefined();
    expect(parseUrlLine('https://a.org/x#frag   # note')).toBe('https://a.org/x#frag');
  });

  it('yields documents and drops in list order, each located by its URL', async () => {
    const b = server.base;
    const { items, error, file } = await readList([
      '# Measles pages',
      `${b}/good.html`,
      `${b}/missing`,
      '',
      `${b}/plain.txt   # plain text`,
      `${b}/r1`,
      `${b}/pdf`,
      `${b}/legacy.html`,
      'mailto:someone@example.org',
      `${b}/good.html`,
      `${b}/empty.html`,
    ]);
    expect(error).toBeUndefined();
    expect(items.map(outcome)).toEqual(['doc:2', 'http_404:3', 'doc:5', 'doc:6', 'unsupported_type:7', 'doc:8', 'unsupported_scheme:9', 'duplicate_url:10', 'empty:11']);
    const byLine = new Map(items.map((i) => ['doc' in i ? i.doc.provenance.line : i.problem.at.line, i]));
    const page = byLine.get(2) as { doc: Doc };
    expect(page.doc).toMatchObject({
      text: 'Rougeole\n\nLa rougeole est une maladie virale très contagieuse.',
      langHint: 'fr',
      source: 'web',
      meta: { title: 'Rougeole', charset: 'utf-8', contentType: 'text/html; charset=utf-8' },
      provenance: { file, line: 2, url: `${b}/good.html`, sourceId: 'seeds' },
    });
    expect(Date.parse(page.doc.fetchedAt!)).not.toBeNaN();
    expect(byLine.get(5)).toMatchObject({ doc: { text: 'Measles vaccine: two doses.', langHint: 'en', provenance: { url: `${b}/plain.txt` } } });
    expect(byLine.get(6)).toMatchObject({ doc: { provenance: { url: `${b}/good.html` }, meta: { requestedUrl: `${b}/r1` } } });
    expect(byLine.get(8)).toMatchObject({ doc: { text: 'الحصبة مرض فيروسي', langHint: 'ar', meta: { charset: 'windows-1256' } } });
    expect(byLine.get(3)).toMatchObject({ problem: { at: { file, line: 3, url: `${b}/missing` } } });
    expect(server.seen.every((s) => s.userAgent === 'ApolloTest/1.0')).toBe(true);
  });

  it('maps failures to reason codes, and a list with some answers is complete', async () => {
    const b = server.base;
    const paths = ['/error', '/slow-headers', '/slow-body', '/big-declared', '/big', '/loop-a', '/to-ftp', '/good.html'];
    const { items, error } = await readList(
      paths.map((p) => b + p),
      { maxRetries: 0 },
    );
    expect(error).toBeUndefined();
    expect(items.map((i) => ('doc' in i ? 'doc' : i.problem.reason))).toEqual(['http_503', 'timeout', 'timeout', 'too_large', 'too_large', 'redirect_loop', 'unsupported_scheme', 'doc']);
    expect(server.bigFinished).toBe(false);
    const loop = items[5]!;
    expect('problem' in loop && loop.problem.at).toMatchObject({ url: `${b}/loop-b` });
    const strict = await readList([`${b}/r1`], {}, { maxRedirects: 2 });
    expect(strict.items.map((i) => ('problem' in i ? i.problem.reason : 'doc'))).toEqual(['too_many_redirects']);
  });

  it('retries pages and robots.txt that fail for a while, with backoff', async () => {
    const retrying = new TestServer();
    retrying.robotsFailures = 2;
    await retrying.start();
    try {
      const { items, error } = await readList([`${retrying.base}/flaky.html`, `${retrying.base}/private/page.html`]);
      expect(error).toBeUndefined();
      // robots.txt was read on its third try: its rules apply (the private page is refused unrequested).
      expect(items.map((i) => ('doc' in i ? 'doc' : i.problem.reason))).toEqual(['doc', 'robots_disallowed']);
      expect(retrying.paths()).toEqual(['/robots.txt', '/robots.txt', '/robots.txt', '/flaky.html', '/flaky.html', '/flaky.html']);
    } finally {
      await retrying.stop();
    }
  });

  it('never requests what robots.txt disallows', async () => {
    const from = server.seen.length;
    const { items, error } = await readList([`${server.base}/private/page.html`, `${server.base}/good.html`]);
    expect(error).toBeUndefined();
    expect(items[0]).toMatchObject({ problem: { reason: 'robots_disallowed', detail: expect.stringContaining('disallows /private/page.html') } });
    expect(server.paths(from)).toEqual(['/robots.txt', '/good.html']);
  });

  it('spaces the requests to one host by the delay', async () => {
    const delayMs = 150;
    const pages = Array.from({ length: 5 }, (_, i) => `${server.base}/page/${i}`);
    const from = server.seen.length;
    const started = Date.now();
    const { items, error } = await readList(pages, { delayMs, perHostConcurrency: 1 });
    expect(error).toBeUndefined();
    expect(items.every((i) => 'doc' in i)).toBe(true);
    const arrivals = server.seen.slice(from);
    expect(arrivals.map((a) => a.path)).toEqual(['/robots.txt', ...pages.map((p) => new URL(p).pathname)]);
    // A lower bound only: each request starts at least the delay after the previous one, and
    // arrives after it starts, so the last one cannot arrive before five delays have passed
    // (arrival times lag under load, so single gaps and upper bounds are not checked).
    expect(arrivals[arrivals.length - 1]!.at - started).toBeGreaterThanOrEqual(5 * delayMs);
  });

  it('throws once every URL is out when none could be fetched', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const down = `http://127.0.0.1:${port}`;
    const { items, error, file } = await readList([`${down}/a.html`, `${down}/b.html`, 'mailto:x@example.org']);
    expect(items.map(outcome)).toEqual(['robots_unavailable:1', 'robots_unavailable:2', 'unsupported_scheme:3']);
    expect(error?.message).toMatch(
      new RegExp(`^${file}: nothing fetched: 2 of 2 URLs failed \\(robots_unavailable 2\\); robots\\.txt of ${down} unavailable after 3 attempts \\(fetch_failed: .*ECONNREFUSED`),
    );
  });

  it('refuses private addresses unless allowed, without a request', async () => {
    const from = server.seen.length;
    const { items, error } = await readList([`${server.base}/good.html`], { allowPrivateHosts: false });
    expect(items.map((i) => ('problem' in i ? i.problem.reason : 'doc'))).toEqual(['private_address']);
    expect(error?.message).toContain('nothing fetched: 1 of 1 URL failed (private_address 1; first:');
    expect(server.seen.length).toBe(from);
  });

  it('makes the crawl task of a list that fetched nothing incomplete (exit 2)', async () => {
    const file = join(dir, 'refused.urls');
    await writeFile(file, `${server.base}/good.html\n`);
    const out = join(dir, 'stage-out');
    const outcome = await runStage(crawlStage, { input: [file], output: out, workers: 1, quiet: true }, { stages: { crawl: { crawler: { delayMs: 0 } } } }, silentLogger);
    expect(outcome.exitCode).toBe(2);
    const [task] = outcome.phases[0]!.ran;
    expect(task!.fileErrors).toEqual([{ file: expect.stringContaining('refused.urls'), reason: expect.stringContaining('nothing fetched: 1 of 1 URL failed (private_address 1') }]);
    expect(task!.dropped).toEqual({ private_address: 1 });
  });
});
