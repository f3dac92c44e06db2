import { backoffMs, parseRetryAfter } from './http';
import { isPrivateAddress } from './net-guard';
import { extractLinks, parseSitemap } from './sitemap';
import { normalizeUrl, outOfScope } from './url';

describe('URL normalization and scope', () => {
  it('normalizes scheme and host case, default ports, dot segments and fragments', () => {
    expect(normalizeUrl('HTTP://Example.ORG:80/a/./b/../c.html#top')).toBe('http://example.org/a/c.html');
    expect(normalizeUrl('https://example.org:443')).toBe('https://example.org/');
    expect(normalizeUrl('https://u:p@example.org/x?')).toBe('https://example.org/x');
    expect(normalizeUrl('/rel?b=2&a=1', 'https://example.org/dir/page', true)).toBe('https://example.org/rel?a=1&b=2');
    expect(normalizeUrl('/rel?b=2&a=1', 'https://example.org/dir/page')).toBe('https://example.org/rel?b=2&a=1');
    expect(normalizeUrl('mailto:someone@example.org')).toBeUndefined();
    expect(normalizeUrl('not a url')).toBeUndefined();
  });

  it('checks hosts (with *.subdomains), include and exclude patterns', () => {
    const scope = { hosts: ['*.who.int'], include: ['/news-room/fact-sheets/', '/*/fact-sheets/'], exclude: ['*.pdf$'], maxDepth: 2, maxPages: 10 };
    expect(outOfScope('https://www.who.int/news-room/fact-sheets/detail/diabetes', scope)).toBeUndefined();
    expect(outOfScope('https://who.int/fr/fact-sheets/x', scope)).toBeUndefined();
    expect(outOfScope('https://www.who.int/about', scope)).toMatch(/no include/);
    expect(outOfScope('https://www.who.int/news-room/fact-sheets/a.pdf', scope)).toMatch(/exclude/);
    expect(outOfScope('https://evil-who.int/news-room/fact-sheets/', scope)).toMatch(/host/);
  });
});

describe('sitemaps and links', () => {
  it('parses urlsets and indexes with lastmod, ignoring namespace prefixes', () => {
    const set = parseSitemap(
      '<?xml version="1.0"?><sm:urlset xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9"><sm:url><sm:loc> https://a.org/x?a=1&amp;b=2 </sm:loc><sm:lastmod>2026-01-02</sm:lastmod></sm:url><sm:url><sm:lastmod>x</sm:lastmod></sm:url></sm:urlset>',
    );
    expect(set).toEqual({ kind: 'urlset', entries: [{ loc: 'https://a.org/x?a=1&b=2', lastmod: '2026-01-02' }] });
    const index = parseSitemap('<sitemapindex><sitemap><loc>https://a.org/s1.xml.gz</loc></sitemap></sitemapindex>');
    expect(index).toEqual({ kind: 'index', entries: [{ loc: 'https://a.org/s1.xml.gz' }] });
    expect(parseSitemap('<html><body>nope</body></html>')).toBeUndefined();
  });

  it('extracts links against <base>, skipping rel=nofollow, and reads meta robots', () => {
    const html = '<html><head><base href="https://a.org/docs/"><meta name="robots" content="NOINDEX"></head><body><a href="x.html">x</a><a rel="nofollow sponsored" href="/ad">ad</a><a href="javascript:void(0)">j</a></body></html>';
    const found = extractLinks(html, 'https://a.org/index.html');
    expect(found.links).toEqual(['https://a.org/docs/x.html', 'javascript:void(0)']);
    expect(found).toMatchObject({ noindex: true, nofollow: false });
    expect(normalizeUrl(found.links[1]!)).toBeUndefined();
  });
});

describe('retries and safety', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('Wed, 25 Nov 2026 10:00:00 GMT');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffMs(0, 500, 30_000, () => 0)).toBe(250);
    expect(backoffMs(3, 500, 30_000, () => 1)).toBe(4000);
    expect(backoffMs(10, 500, 30_000, () => 0.5)).toBe(22_500);
  });

  it('knows private, loopback and link-local addresses', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '0.0.0.0']) {
      expect([a, isPrivateAddress(a)]).toEqual([a, true]);
    }
    for (const a of ['8.8.8.8', '151.101.1.1', '2606:4700::1111']) expect([a, isPrivateAddress(a)]).toEqual([a, false]);
  });
});

describe('the source registry (pipelines/sources)', () => {
  it('validates, covers the six languages and the web source types, and every seed is in its own scope', async () => {
    const { readdir } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { readSiteFile } = await import('./registry');
    const dir = join(__dirname, '..', '..', '..', '..', 'pipelines', 'sources');
    const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
    const langs = new Set<string>();
    const types = new Set<string>();
    const ids = new Set<string>();
    for (const file of files) {
      const site = await readSiteFile(join(dir, file));
      for (const s of site.sources) {
        expect(ids.has(s.id)).toBe(false);
        ids.add(s.id);
        langs.add(s.lang);
        types.add(s.source);
        expect(`${file}: ${s.id}: ${s.license.length > 10}`).toBe(`${file}: ${s.id}: true`);
        for (const seed of [...s.seeds, ...s.sitemaps]) expect([s.id, seed, outOfScope(seed, s.scope) ?? 'in scope']).toEqual([s.id, seed, 'in scope']);
      }
    }
    expect([...langs].sort()).toEqual(['ar', 'en', 'es', 'fr', 'hi', 'zh']);
    expect([...types].sort()).toEqual(['encyclopedia', 'guideline', 'paper', 'web']);
  });
});

describe('ItemChannel', () => {
  it('lets many blocked writers through once the reader drains', async () => {
    const { ItemChannel } = await import('./crawl');
    const channel = new ItemChannel(2);
    const item = (n: number) => ({ problem: { reason: 'x', detail: String(n), at: { file: 'f' } }, bytes: 0 });
    const writers = Promise.all(Array.from({ length: 10 }, (_, n) => channel.push(item(n)))).then(() => channel.close());
    const got: string[] = [];
    for await (const it of channel.drain()) if ('problem' in it) got.push(it.problem.detail);
    await writers;
    expect(got.sort((a, b) => Number(a) - Number(b))).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });
});
