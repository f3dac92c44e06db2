import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { iconvModule } from '../../lazy-modules';

/** One request the fixture site received. */
export interface SeenRequest {
  host: string;
  path: string;
  at: number;
  /** First request on its connection: its arrival lagged its start by the connection setup. */
  newConnection: boolean;
  userAgent: string;
  ifNoneMatch?: string;
  ifModifiedSince?: string;
}

export interface FixtureSite {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  port: number;
  requests: SeenRequest[];
  /** 1 for the first crawl; 2 changes a page, removes two, adds one. */
  version: number;
  /** Stops listening and drops open connections: requests are refused (ECONNREFUSED), as by a site that is down. */
  stop(): Promise<void>;
  /** Listens again on the same port, with the same pages, version and request log. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The registry entry of the fixture site: one English web source seeded at its diabetes page and
 * scoped to its host; with `localhost`, the same server under that name as a second host (whose
 * robots.txt answers 503).
 */
export function fixtureSource(site: FixtureSite, opts: { localhost?: boolean } = {}): Record<string, unknown> {
  const local = `localhost:${site.port}`;
  return {
    id: 'fixture-health',
    lang: 'en',
    source: 'web',
    license: 'fixture content, tests only',
    seeds: [`${site.origin}/en/diabetes.html`, ...(opts.localhost ? [`http://${local}/en/asthma.html`] : [])],
    scope: { hosts: [`127.0.0.1:${site.port}`, ...(opts.localhost ? [local] : [])], maxDepth: 1, maxPages: 100 },
  };
}

/** Crawl-delay of the fixture's robots.txt for ApolloCorpusBot, in seconds. */
export const FIXTURE_CRAWL_DELAY_S = 0.05;
/** Bytes of the oversize page (above the tests' 64 KiB cap). */
const BIG_BYTES = 100 * 1024;
const LAST_MODIFIED = 'Mon, 02 Nov 2026 10:00:00 GMT';

function page(title: string, lang: string, body: string, charset = 'utf-8'): string {
  return `<!doctype html><html lang="${lang}"><head><meta charset="${charset}"><title>${title}</title></head>` +
    `<body><nav><a href="/en/diabetes.html">Home</a></nav><main><h1>${title}</h1>${body}</main><footer>Fixture Health Agency</footer></body></html>`;
}

/**
 * A small multi-language medical web site on 127.0.0.1 for crawler tests: robots.txt with a
 * Crawl-delay and disallowed paths, a sitemap index with a plain and a gzip sitemap, pages in
 * GBK, Big5 and windows-1256, redirects and a redirect loop, a 429 with Retry-After, a page
 * failing twice with 500, a page slower than the timeout, an oversize body, a compression bomb,
 * brotli, deflate and raw-deflate bodies, ETag and Last-Modified, and (in version 2) a changed page, a new one
 * and two that disappear. `localhost` requests get a 503 robots.txt. It can be stopped and
 * restarted on its port, as a site that is down for a night.
 */
export async function startFixtureSite(): Promise<FixtureSite> {
  const requests: SeenRequest[] = [];
  const hits = new Map<string, number>();
  const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20));
  const state = { version: 1 };
  const slowTimers = new Set<NodeJS.Timeout>();
  const sockets = new WeakSet<object>();

  const pages = (): Record<string, { body: Buffer; type: string; encoding?: string }> => {
    const html = (s: string) => ({ body: Buffer.from(s), type: 'text/html; charset=utf-8' });
    const v = state.version;
    const out: Record<string, { body: Buffer; type: string; encoding?: string }> = {
      '/en/diabetes.html': html(
        page(
          'Diabetes',
          'en',
          `<p>Diabetes is a chronic disease that occurs when the pancreas does not produce enough insulin.</p>` +
            (v >= 2 ? `<p>Updated guidance: screen adults over 35 every three years.</p>` : '') +
            `<p><a href="/en/diabetes-care.html">Care</a> <a href="/private/hidden.html">Staff</a> <a href="http://example.org/x">Elsewhere</a>` +
            ` <a rel="nofollow" href="/en/nofollow-target.html">Ad</a> <a href="/en/asthma.html#symptoms">Asthma</a></p>`,
        ),
      ),
      '/en/diabetes-care.html': html(page('Diabetes care', 'en', '<p>Check your feet every day and keep your blood sugar in range.</p><p><a href="/en/deep.html">More</a></p>')),
      '/en/deep.html': html(page('Deep', 'en', '<p>Three links away from the sitemap.</p>')),
      '/en/nofollow-target.html': html(page('Advert', 'en', '<p>Never followed.</p>')),
      '/en/asthma.html': html(page('Asthma', 'en', '<p>Asthma is a disease of the airways that makes breathing difficult.</p>')),
      '/en/redirected-target.html': html(page('Hypertension', 'en', '<p>High blood pressure rarely causes symptoms.</p>')),
      '/private/open.html': html(page('Open', 'en', '<p>Allowed by a longer Allow rule.</p>')),
      '/private/secret.html': html(page('Secret', 'en', '<p>Must never be fetched.</p>')),
      '/rate-limited.html': html(page('Influenza vaccine', 'en', '<p>Annual vaccination is recommended for everyone over six months.</p>')),
      '/flaky.html': html(page('Measles', 'en', '<p>Measles is a highly contagious viral disease.</p>')),
      '/brotli.html': { body: brotliCompressSync(Buffer.from(page('Tuberculosis', 'en', '<p>Tuberculosis is caused by bacteria that most often affect the lungs.</p>'))), type: 'text/html', encoding: 'br' },
      '/deflate.html': { body: deflateSync(Buffer.from(page('Malaria', 'en', '<p>Malaria is transmitted by the bites of infected mosquitoes.</p>'))), type: 'text/html', encoding: 'deflate' },
      // Raw deflate without the zlib wrapper, as some servers send it.
      '/raw-deflate.html': { body: deflateRawSync(Buffer.from(page('Cholera', 'en', '<p>Cholera is an acute diarrhoeal infection caused by contaminated food or water.</p>'))), type: 'text/html', encoding: 'deflate' },
      '/bomb.html': { body: bomb, type: 'text/html', encoding: 'gzip' },
      '/image.png': { body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]), type: 'image/png' },
      '/report.pdf': { body: Buffer.from('%PDF-1.4'), type: 'application/pdf' },
      '/zh/gbk.html': {
        body: iconvModule().encode(page('糖尿病', 'zh-CN', '<p>糖尿病是一种慢性代谢性疾病，需要长期管理血糖。</p>', 'gbk'), 'gbk'),
        type: 'text/html; charset=GBK',
      },
      '/zh/big5.html': { body: iconvModule().encode(page('高血壓', 'zh-TW', '<p>高血壓是心血管疾病的主要危險因素。</p>', 'big5'), 'big5'), type: 'text/html' },
      '/ar/cp1256.html': {
        body: iconvModule().encode(page('السكري', 'ar', '<p>داء السكري مرض مزمن يحدث عندما لا ينتج البنكرياس كمية كافية من الأنسولين.</p>', 'windows-1256'), 'windows-1256'),
        type: 'text/html; charset=windows-1256',
      },
      '/es/gripe.html': html(page('Gripe', 'es', '<p>La gripe es una infección vírica aguda que se propaga con facilidad.</p>')),
      '/fr/grippe.html': html(page('Grippe', 'fr', '<p>La grippe saisonnière est une infection virale aiguë.</p>')),
      '/hi/madhumeh.html': html(page('मधुमेह', 'hi', '<p>मधुमेह एक दीर्घकालिक रोग है जो रक्त शर्करा को प्रभावित करता है।</p>')),
    };
    if (v === 1) {
      out['/gone-later.html'] = html(page('Smallpox', 'en', '<p>Smallpox was declared eradicated in 1980.</p>'));
      out['/removed-410.html'] = html(page('Old advice', 'en', '<p>This advice was withdrawn.</p>'));
    } else {
      out['/en/new-page.html'] = html(page('Dengue', 'en', '<p>Dengue is a viral infection transmitted by mosquitoes.</p>'));
    }
    return out;
  };

  const sitemapEn = (origin: string) => {
    const paths = [
      '/en/diabetes.html',
      '/en/asthma.html',
      '/private/secret.html',
      '/private/open.html',
      '/redirect-start',
      '/loop-a',
      '/rate-limited.html',
      '/flaky.html',
      '/slow.html',
      '/big.html',
      '/bomb.html',
      '/brotli.html',
      '/deflate.html',
      '/raw-deflate.html',
      '/report.pdf',
      '/image.png',
      ...(state.version === 1 ? ['/gone-later.html', '/removed-410.html'] : ['/en/new-page.html']),
    ];
    return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` +
      paths.map((p) => `<url><loc>${origin}${p}</loc><lastmod>2026-11-0${state.version}</lastmod></url>`).join('') + '</urlset>';
  };
  const sitemapIntl = (origin: string) =>
    `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` +
    ['/zh/gbk.html', '/zh/big5.html', '/ar/cp1256.html', '/es/gripe.html', '/fr/grippe.html', '/hi/madhumeh.html'].map((p) => `<url><loc>${origin}${p}</loc></url>`).join('') +
    '</urlset>';

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const host = (req.headers.host ?? '').toLowerCase();
    const path = req.url ?? '/';
    const origin = `http://${host}`;
    const newConnection = !sockets.has(req.socket);
    sockets.add(req.socket);
    requests.push({
      host,
      path,
      at: Date.now(),
      newConnection,
      userAgent: String(req.headers['user-agent'] ?? ''),
      ...(req.headers['if-none-match'] ? { ifNoneMatch: String(req.headers['if-none-match']) } : {}),
      ...(req.headers['if-modified-since'] ? { ifModifiedSince: String(req.headers['if-modified-since']) } : {}),
    });
    const n = (hits.get(host + path) ?? 0) + 1;
    hits.set(host + path, n);
    const send = (status: number, body: string | Buffer, headers: Record<string, string> = {}) => {
      res.writeHead(status, headers);
      res.end(body);
    };
    if (host.startsWith('localhost')) return send(503, 'maintenance', { 'content-type': 'text/plain' });
    switch (path) {
      case '/robots.txt':
        return send(
          200,
          `# fixture\nUser-agent: *\nDisallow: /\n\nUser-agent: OtherBot\nAllow: /\n\nUser-agent: ApolloCorpusBot\nCrawl-delay: ${FIXTURE_CRAWL_DELAY_S}\n` +
            `Disallow: /private/\nAllow: /private/open.html\nDisallow: /*.pdf$\n\nSitemap: ${origin}/sitemap-index.xml\n`,
          { 'content-type': 'text/plain' },
        );
      case '/sitemap-index.xml':
        return send(
          200,
          `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>${origin}/sitemap-en.xml</loc><lastmod>2026-11-01</lastmod></sitemap>` +
            `<sitemap><loc>${origin}/sitemap-intl.xml.gz</loc></sitemap></sitemapindex>`,
          { 'content-type': 'application/xml' },
        );
      case '/sitemap-en.xml':
        return send(200, sitemapEn(origin), { 'content-type': 'application/xml' });
      case '/sitemap-intl.xml.gz':
        return send(200, gzipSync(sitemapIntl(origin)), { 'content-type': 'application/x-gzip' });
      case '/redirect-start':
        return send(301, '', { location: '/redirect-mid' });
      case '/redirect-mid':
        return send(302, '', { location: `${origin}/en/redirected-target.html` });
      case '/loop-a':
        return send(302, '', { location: '/loop-b' });
      case '/loop-b':
        return send(302, '', { location: '/loop-a' });
      case '/slow.html': {
        const timer = setTimeout(() => {
          slowTimers.delete(timer);
          if (!res.destroyed) send(200, page('Slow', 'en', '<p>Too late.</p>'), { 'content-type': 'text/html' });
        }, 3000);
        slowTimers.add(timer);
        res.on('close', () => clearTimeout(timer));
        return;
      }
      case '/big.html':
        // No Content-Length: the cap must stop the download itself.
        res.writeHead(200, { 'content-type': 'text/html' });
        res.write('<html><body><p>');
        res.end('x'.repeat(BIG_BYTES) + '</p></body></html>');
        return;
      case '/rate-limited.html':
        if (n === 1) return send(429, 'slow down', { 'retry-after': '1', 'content-type': 'text/plain' });
        break;
      case '/flaky.html':
        if (n <= 2) return send(500, 'oops', { 'content-type': 'text/plain' });
        break;
      case '/removed-410.html':
        if (state.version >= 2) return send(410, 'gone', { 'content-type': 'text/plain' });
        break;
    }
    const p = pages()[path];
    if (!p) return send(404, 'not found', { 'content-type': 'text/plain' });
    const etag = `"${createHash('sha1').update(p.body).digest('hex').slice(0, 16)}"`;
    if (req.headers['if-none-match'] === etag) return send(304, '', { etag });
    send(200, p.body, { 'content-type': p.type, etag, 'last-modified': LAST_MODIFIED, ...(p.encoding ? { 'content-encoding': p.encoding } : {}) });
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const stop = async () => {
    for (const t of slowTimers) clearTimeout(t);
    server.closeAllConnections();
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  const site: FixtureSite = {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    get version() {
      return state.version;
    },
    set version(v: number) {
      state.version = v;
    },
    stop,
    restart: () =>
      new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      }),
    close: stop,
  };
  return site;
}
