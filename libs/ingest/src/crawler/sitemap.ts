import { htmlparser2Module } from '../lazy-modules';

export interface SitemapEntry {
  loc: string;
  /** `<lastmod>` as written (W3C datetime), when present. */
  lastmod?: string;
}

export interface Sitemap {
  /** `index` lists further sitemaps, `urlset` lists pages. */
  kind: 'index' | 'urlset';
  entries: SitemapEntry[];
}

/**
 * Parses a sitemap or sitemap index (sitemaps.org protocol). Namespace prefixes are ignored;
 * entries without `<loc>` are skipped. Undefined when the document is neither.
 */
export function parseSitemap(xml: string): Sitemap | undefined {
  let kind: Sitemap['kind'] | undefined;
  const entries: SitemapEntry[] = [];
  let entry: { loc?: string; lastmod?: string } | undefined;
  let field: 'loc' | 'lastmod' | undefined;
  let text = '';
  const local = (name: string) => name.slice(name.indexOf(':') + 1).toLowerCase();
  const parser = new (htmlparser2Module().Parser)(
    {
      onopentag(name) {
        const n = local(name);
        if (!kind && (n === 'sitemapindex' || n === 'urlset')) kind = n === 'sitemapindex' ? 'index' : 'urlset';
        else if (n === 'sitemap' || n === 'url') entry = {};
        else if (entry && (n === 'loc' || n === 'lastmod')) {
          field = n;
          text = '';
        }
      },
      ontext(data) {
        if (field) text += data;
      },
      onclosetag(name) {
        const n = local(name);
        if (field && n === field && entry) {
          entry[field] = text.trim();
          field = undefined;
        } else if ((n === 'sitemap' || n === 'url') && entry) {
          if (entry.loc) entries.push({ loc: entry.loc, ...(entry.lastmod ? { lastmod: entry.lastmod } : {}) });
          entry = undefined;
        }
      },
    },
    { xmlMode: true, decodeEntities: true },
  );
  parser.end(xml);
  return kind ? { kind, entries } : undefined;
}

/** A parsed HTML page's links and robots directives. */
export interface PageLinks {
  links: string[];
  /** `<meta name="robots" content="noindex">` (or the crawler's own token). */
  noindex: boolean;
  /** `<meta name="robots" content="nofollow">`: no link of the page is followed. */
  nofollow: boolean;
}

/**
 * Links of an HTML page (`<a href>` and `<area href>`, resolved against `<base href>` or the page
 * URL), skipping `rel="nofollow"` links, and the page's meta robots directives.
 */
export function extractLinks(html: string, pageUrl: string, robotsToken = ''): PageLinks {
  let base = pageUrl;
  const hrefs: string[] = [];
  let noindex = false;
  let nofollow = false;
  const parser = new (htmlparser2Module().Parser)(
    {
      onopentag(name, attrs) {
        if (name === 'base' && attrs.href) {
          try {
            base = new URL(attrs.href, pageUrl).href;
          } catch {
            // an invalid base is ignored, as browsers do
          }
        } else if ((name === 'a' || name === 'area') && attrs.href) {
          if (!/\bnofollow\b/i.test(attrs.rel ?? '')) hrefs.push(attrs.href);
        } else if (name === 'meta' && attrs.name) {
          const who = attrs.name.toLowerCase();
          if (who === 'robots' || (robotsToken && who === robotsToken)) {
            const content = (attrs.content ?? '').toLowerCase();
            if (/\b(noindex|none)\b/.test(content)) noindex = true;
            if (/\b(nofollow|none)\b/.test(content)) nofollow = true;
          }
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.end(html);
  const links: string[] = [];
  for (const href of hrefs) {
    try {
      links.push(new URL(href.trim(), base).href);
    } catch {
      // not a URL: skipped
    }
  }
  return { links, noindex, nofollow };
}
