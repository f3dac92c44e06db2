import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import type { Doc, DocItem } from '@apollo/document';
import { Fetcher, type FetchResult } from './fetch';
import { DEFAULT_READ_LIMITS } from './options';
import { fileSpecFor } from './source-files';
import { readUrlList } from './readers';
import { parseUrlLine } from './readers/url-list';

const GOOD = `<!DOCTYPE html><html lang="fr"><head><title>Rougeole</title><script>track()</script></head>
<body><nav>Accueil</nav><main><h1>Rougeole</h1><p>La rougeole est une maladie virale très contagieuse.</p></main><footer>©</footer></body></html>`;

/** A loopback server with one route per behaviour a fetcher must handle. */
class TestServer {
  private server: Server;
  private timers = new Set<NodeJS.Timeout>();
  base = '';
  userAgents: string[] = [];
  bigBytesSent = 0;
  bigFinished = false;
  inFlight = 0;
  maxInFlight = 0;

  constructor() {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.userAgents.push(String(req.headers['user-agent']));
    res.on('error', () => undefined);
    const path = req.url ?? '/';
    const html = (body: string | Buffer, type = 'text/html; charset=utf-8') => {
      res.writeHead(200, { 'content-type': type });
      res.end(body);
    };
    if (path === '/good.html') return html(GOOD);
    if (path === '/plain.txt') return html('Measles vaccine: two doses.\r\n', 'text/plain');
    if (path === '/legacy.html') return html(iconv.encode('<html lang="ar"><body><p>الحصبة مرض فيروسي</p></body></html>', 'windows-1256'), 'text/html; charset=windows-1256');
    if (path === '/empty.html') return html('<html><body><nav>menu</nav></body></html>');
    if (path === '/missing') {
      res.writeHead(404, { 'content-type': 'text/html' });
      return void res.end('<p>Not found</p>');
    }
    if (path === '/error') {
      res.writeHead(503);
      return void res.end();
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
          this.bigBytesSent = sent;
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
      const n = Number(hop[1]);
      res.writeHead(n === 1 ? 301 : 302, { location: n < 3 ? `/r${n + 1}` : `${this.base}/good.html` });
      return void res.end();
    }
    if (path === '/loop-a' || path === '/loop-b') {
      res.writeHead(307, { location: path === '/loop-a' ? '/loop-b' : '/loop-a' });
      return void res.end();
    }
    if (path === '/to-ftp') {
      res.writeHead(302, { location: 'ftp://127.0.0.1/file' });
      return void res.end();
    }
    if (path.startsWith('/count/')) {
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      return this.later(60, () => {
        this.inFlight--;
        html(`<p>page ${path}</p>`);
      });
    }
    res.writeHead(500);
    res.end();
  }
}

describe('Fetcher', () => {
  const server = new TestServer();
  let fetcher: Fetcher;
  beforeAll(async () => {
    await server.start();
    fetcher = new Fetcher({ userAgent: 'ApolloTest/1.0', headersTimeoutMs: 300, bodyTimeoutMs: 300, totalTimeoutMs: 2000, maxBytes: 64 * 1024, maxRedirects: 3 });
  });
  afterAll(async () => {
    await fetcher.close();
    await server.stop();
  });

  const failure = (r: FetchResult) => (r.ok ? 'ok' : r.reason);

  it('fetches an HTML page with the configured User-Agent', async () => {
    const r = await fetcher.fetch(`${server.base}/good.html`);
    expect(r).toMatchObject({ ok: true, status: 200, media: 'html', charset: 'utf-8', redirects: 0, finalUrl: `${server.base}/good.html` });
    expect(r.ok && r.body.toString()).toBe(GOOD);
    expect(server.userAgents).toContain('ApolloTest/1.0');
  });

  it('maps failures to reason codes', async () => {
    const results = await Promise.all(
      ['/missing', '/error', '/slow-headers', '/slow-body', '/big-declared', '/pdf', '/loop-a', '/to-ftp'].map((p) => fetcher.fetch(server.base + p)),
    );
    expect(results.map(failure)).toEqual(['http_404', 'http_503', 'timeout', 'timeout', 'too_large', 'unsupported_type', 'redirect_loop', 'unsupported_scheme']);
    expect(results[5]).toMatchObject({ detail: expect.stringContaining('application/pdf') });
    expect(results[6]).toMatchObject({ url: `${server.base}/loop-a`, finalUrl: `${server.base}/loop-b` });
  });

  it('aborts a body that grows past the cap', async () => {
    const r = await fetcher.fetch(`${server.base}/big`);
    expect(failure(r)).toBe('too_large');
    expect(server.bigFinished).toBe(false);
  });

  it('follows a redirect chain up to the limit', async () => {
    const ok = await fetcher.fetch(`${server.base}/r1`);
    expect(ok).toMatchObject({ ok: true, redirects: 3, url: `${server.base}/r1`, finalUrl: `${server.base}/good.html` });
    const strict = new Fetcher({ maxRedirects: 2 });
    expect(await strict.fetch(`${server.base}/r1`)).toMatchObject({ ok: false, reason: 'too_many_redirects' });
    await strict.close();
  });

  it('rejects URLs it cannot fetch without a request', async () => {
    expect(await fetcher.fetch('file:///etc/passwd')).toMatchObject({ ok: false, reason: 'unsupported_scheme' });
    expect(await fetcher.fetch('not a url')).toMatchObject({ ok: false, reason: 'invalid_url' });
    expect(await fetcher.fetch('http://127.0.0.1:1/')).toMatchObject({ ok: false, reason: 'fetch_failed' });
  });

  it('keeps at most perHostConcurrency requests in flight to one host', async () => {
    const limited = new Fetcher({ concurrency: 8, perHostConcurrency: 2 });
    server.maxInFlight = 0;
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => limited.fetch(`${server.base}/count/${i}`)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(server.maxInFlight).toBe(2);
    await limited.close();
  });
});

describe('readUrlList', () => {
  const server = new TestServer();
  let dir: string;
  beforeAll(async () => {
    await server.start();
    dir = await mkdtemp(join(tmpdir(), 'ingest-urls-'));
  });
  afterAll(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('parses lines, skipping blanks and comments', () => {
    expect(parseUrlLine('  # a comment')).toBeUndefined();
    expect(parseUrlLine('')).toBeUndefined();
    expect(parseUrlLine('https://a.org/x#frag   # note')).toBe('https://a.org/x#frag');
  });

  it('yields documents and drops in list order, each located by its URL', async () => {
    const file = join(dir, 'seeds.urls');
    const b = server.base;
    await writeFile(
      file,
      [
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
      ].join('\n'),
    );
    const spec = fileSpecFor(file, { sourceId: 'seeds', format: 'auto', source: 'web', stage: 'pretrain', lang: 'en' }, 'test');
    const fetcher = new Fetcher({ headersTimeoutMs: 500, bodyTimeoutMs: 500 });
    const items: DocItem[] = [];
    for await (const item of readUrlList(file, { spec, createdAt: '2024-01-01T00:00:00.000Z', limits: DEFAULT_READ_LIMITS, fetcher })) items.push(item);
    await fetcher.close();

    expect(items.map((i) => ('doc' in i ? `doc:${i.doc.provenance.line}` : `${i.problem.reason}:${i.problem.at.line}`))).toEqual([
      'doc:2',
      'http_404:3',
      'doc:5',
      'doc:6',
      'unsupported_type:7',
      'doc:8',
      'unsupported_scheme:9',
      'duplicate_url:10',
      'empty:11',
    ]);
    const byLine = new Map(items.map((i) => ['doc' in i ? i.doc.provenance.line : i.problem.at.line, i]));
    const page = byLine.get(2) as { doc: Doc };
    expect(page.doc).toMatchObject({
      text: 'Rougeole\n\nLa rougeole est une maladie virale très contagieuse.',
      langHint: 'fr',
      source: 'web',
      createdAt: '2024-01-01T00:00:00.000Z',
      meta: { title: 'Rougeole', charset: 'utf-8', contentType: 'text/html; charset=utf-8' },
      provenance: { file, line: 2, url: `${b}/good.html`, sourceId: 'seeds' },
    });
    expect(Date.parse(page.doc.fetchedAt!)).not.toBeNaN();
    expect(byLine.get(5)).toMatchObject({ doc: { text: 'Measles vaccine: two doses.', langHint: 'en', provenance: { url: `${b}/plain.txt` } } });
    expect(byLine.get(6)).toMatchObject({ doc: { provenance: { url: `${b}/good.html` }, meta: { requestedUrl: `${b}/r1` } } });
    expect(byLine.get(8)).toMatchObject({ doc: { text: 'الحصبة مرض فيروسي', langHint: 'ar', meta: { charset: 'windows-1256' } } });
    expect(byLine.get(3)).toMatchObject({ problem: { at: { file, line: 3, url: `${b}/missing` } } });
  });
});
