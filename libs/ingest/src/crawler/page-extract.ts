import type { DocItem } from '@apollo/document';
import { charsetFromContentType, decodeBytes, sniffHtmlCharset } from '../charset';
import { extractHtmlText } from '../html-text';
import type { ReadContext } from '../readers/context';
import { docItem } from '../readers/context';
import { docLine, lineBytes } from './doc-line';
import { extractLinks } from './sitemap';
import { normalizeUrl, outOfScope, type ScopeRules } from './url';

/**
 * What every page of one source's crawl shares (plain data: it is sent once to each extraction
 * worker thread).
 */
export interface PageContext {
  /** Builds the documents (`fetcher` is never set for crawled pages). */
  read: Omit<ReadContext, 'fetcher'>;
  /** The crawler's robots.txt product token (meta robots directives addressed to it count). */
  robotsToken: string;
  scope: ScopeRules;
  sortQuery: boolean;
  /** The crawl run, which the crawl store's document lines carry. */
  run: string;
}

/** A fetched 2xx page body of a type the crawler keeps. */
export interface PageJob {
  bytes: Uint8Array;
  /** Media type, lower-case, without parameters: `text/html`, `application/xhtml+xml` or `text/plain`. */
  media: string;
  contentType: string;
  /** The URL the crawler asked for (stored as `meta.requestedUrl` when redirected). */
  requestedUrl: string;
  finalUrl: string;
  fetchedAt: string;
  /** Whether the page's links can still be followed (depth), so they must be parsed. */
  wantLinks: boolean;
  /**
   * The version the page's document gets if it is new or changed (the crawl store's previous
   * version + 1) and the id of the document it replaces: set on the document's meta here, so
   * that the document can be serialized off the crawl thread (`docLine`).
   */
  version: number;
  previousDocId?: string;
}

export type PageResult =
  | { kind: 'unsupported_charset'; label: string; from: string }
  | {
      kind: 'page';
      /** Normalized in-scope links, first occurrence order, none when the page says nofollow. */
      links: string[];
      noindex: boolean;
      /** The document or drop; absent for noindex pages, which are never turned into documents. */
      item?: DocItem;
      /**
       * The crawl store's line for the item's document, when there is one (`docLine` of the
       * run, the requested URL and `JSON.stringify` of the document), as UTF-8 in a buffer of
       * its own, which a thread hands over without a copy.
       */
      docLine?: Uint8Array;
    };

const regexpEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A cheap test for a meta robots tag, so pages whose links are not wanted need no second parse. */
export function robotsMetaPattern(token: string): RegExp {
  return new RegExp(`<meta[^>]+name\\s*=\\s*["']?(robots|${regexpEscape(token)})\\b`, 'i');
}

/**
 * Decodes a page, reduces it to its main text and links, and builds its document: everything the
 * crawler does with a body that needs no crawl state, so that it can run in a worker thread. Pure:
 * the same job gives the same result on any thread.
 */
export function extractPage(ctx: PageContext, job: PageJob, robotsMeta: RegExp = robotsMetaPattern(ctx.robotsToken)): PageResult {
  const headerCharset = charsetFromContentType(job.contentType);
  const choice = job.media === 'text/plain' ? { label: headerCharset ?? 'utf-8', from: 'header' } : sniffHtmlCharset(job.bytes, headerCharset);
  const decoded = decodeBytes(job.bytes, choice.label);
  if (!decoded) return { kind: 'unsupported_charset', label: choice.label, from: choice.from };
  const where = { file: ctx.read.spec.file, url: job.finalUrl };
  const meta: Record<string, string | number | boolean> = {
    contentType: job.contentType,
    charset: decoded.charset,
    ...(job.finalUrl !== job.requestedUrl ? { requestedUrl: job.requestedUrl } : {}),
  };
  if (job.media === 'text/plain') {
    const item = docItem(ctx.read, { kind: 'text', text: decoded.text.replace(/\r\n?/g, '\n').trim(), fetchedAt: job.fetchedAt, meta, provenance: { url: job.finalUrl } }, where, job.bytes.length);
    return withDocument(ctx.run, job, item, []);
  }
  const page = extractHtmlText(decoded.text);
  // A second parse for links only when they can be followed or a robots meta tag is there.
  const found = job.wantLinks || robotsMeta.test(decoded.text) ? extractLinks(decoded.text, job.finalUrl, ctx.robotsToken) : { links: [], noindex: false, nofollow: false };
  const links = found.nofollow ? [] : inScopeLinks(found.links, ctx.scope, ctx.sortQuery);
  if (found.noindex) return { kind: 'page', links, noindex: true };
  const item = docItem(
    ctx.read,
    {
      kind: 'text',
      text: page.text,
      ...(page.lang ? { langHint: page.lang } : {}),
      fetchedAt: job.fetchedAt,
      meta: { ...meta, ...(page.title ? { title: page.title } : {}) },
      provenance: { url: job.finalUrl },
    },
    where,
    job.bytes.length,
  );
  return withDocument(ctx.run, job, item, links);
}

/** The result of an indexable page: its document (if any) versioned and serialized. */
function withDocument(run: string, job: PageJob, item: DocItem, links: string[]): PageResult {
  if (!('doc' in item)) return { kind: 'page', links, noindex: false, item };
  item.doc.meta = { ...item.doc.meta, version: job.version, ...(job.previousDocId ? { previousDocId: job.previousDocId } : {}) };
  return { kind: 'page', links, noindex: false, item, docLine: lineBytes(docLine(run, job.requestedUrl, JSON.stringify(item.doc))) };
}

function inScopeLinks(raw: readonly string[], scope: ScopeRules, sortQuery: boolean): string[] {
  const out = new Set<string>();
  for (const link of raw) {
    const url = normalizeUrl(link, undefined, sortQuery);
    if (url !== undefined && !out.has(url) && !outOfScope(url, scope)) out.add(url);
  }
  return [...out];
}
