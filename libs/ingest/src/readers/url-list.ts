import { type DocItem, readLines } from '@apollo/document';
import { charsetFromContentType, decodeBytes } from '../charset';
import { FetchTally } from '../crawler/fetch-tally';
import { mediaTypeOf } from '../crawler/http';
import { type FetchResult, PAGE_ACCEPT, PAGE_TYPES, siteAnswered } from '../crawler/polite-client';
import { docItem, problemItem, type ReadContext } from './context';
import { htmlDocItem } from './files';

/** One entry of a URL list: a URL, or nothing for blank and comment lines. */
export function parseUrlLine(text: string): string | undefined {
  const trimmed = text.replace(/(^|\s)#.*$/, '').trim();
  return trimmed.length > 0 ? trimmed : undefined;
}

/** `http:` or `https:` URL parsed, or why it cannot be fetched. */
export function parseHttpUrl(raw: string): { url: URL } | { reason: string; detail: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { reason: 'invalid_url', detail: `not a valid absolute URL: ${JSON.stringify(raw)}` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { reason: 'unsupported_scheme', detail: `only http and https URLs are fetched, not ${url.protocol}` };
  }
  return { url };
}

const PAGE_REQUEST = { accept: PAGE_ACCEPT, wantBody: (media: string) => PAGE_TYPES.has(media) };

/** Where a fetch ended, as the reason code and detail of a drop (for a result that is not a page). */
function failureOf(result: FetchResult): { reason: string; detail: string } {
  if ('refused' in result) return { reason: result.refused, detail: result.detail };
  const { outcome } = result;
  if (outcome.kind === 'error') return { reason: outcome.reason, detail: outcome.detail };
  return { reason: `http_${outcome.status}`, detail: `server answered ${outcome.status}` };
}

function fetchedItem(result: FetchResult, start: URL, ctx: ReadContext, at: { file: string; line: number; url: string }, bytes: number): DocItem {
  const redirected = result.finalUrl !== start.href;
  const where = { ...at, ...(redirected ? { url: result.finalUrl } : {}) };
  const outcome = 'outcome' in result ? result.outcome : undefined;
  if (!outcome || outcome.kind === 'error' || outcome.status < 200 || outcome.status >= 300) {
    const { reason, detail } = failureOf(result);
    return problemItem(reason, detail, where, bytes);
  }
  const media = mediaTypeOf(outcome.contentType);
  if (!PAGE_TYPES.has(media) || !outcome.body) {
    return problemItem('unsupported_type', `content type ${JSON.stringify(outcome.contentType || '(none)')} is neither HTML nor plain text`, where, bytes);
  }
  const fetchedAt = new Date().toISOString();
  const charset = charsetFromContentType(outcome.contentType);
  const meta = { contentType: outcome.contentType, ...(redirected ? { requestedUrl: at.url } : {}) };
  const page = { ...at, url: result.finalUrl };
  if (media !== 'text/plain') {
    const item = htmlDocItem(outcome.body, ctx, page, { ...(charset ? { headerCharset: charset } : {}), fetchedAt, url: result.finalUrl, meta });
    return { ...item, bytes };
  }
  const decoded = decodeBytes(outcome.body, charset ?? 'utf-8');
  if (!decoded) return problemItem('unsupported_charset', `charset ${JSON.stringify(charset)} is not supported`, page, bytes);
  return docItem(
    ctx,
    { kind: 'text', text: decoded.text.replace(/\r\n?/g, '\n').trim(), fetchedAt, meta: { ...meta, charset: decoded.charset }, provenance: { url: result.finalUrl } },
    page,
    bytes,
  );
}

/**
 * Reads a URL list (one URL per line, `#` starts a comment) and fetches every URL with the
 * task's HTTP client, the crawler's: robots.txt, per-host delay and concurrency, retries. Fetches
 * overlap up to twice the client's concurrency, but documents come out in list order, so the
 * output does not depend on network timing. Every URL yields a document or a drop whose location
 * is the URL (and the list's file and line). Once every URL is out, a list whose sites answered
 * none of its URLs, or some of whose URLs were not requested because robots.txt could not be
 * read, throws (see `FetchTally`): its task is incomplete.
 */
export async function* readUrlList(file: string, ctx: ReadContext): AsyncGenerator<DocItem> {
  const client = ctx.client;
  if (!client) throw new Error(`${file}: URL lists need an HTTP client`);
  const ahead = Math.max(1, client.concurrency * 2);
  const tally = new FetchTally();
  const pending: Promise<DocItem>[] = [];
  const seen = new Set<string>();
  for await (const line of readLines(file)) {
    if ('problem' in line) {
      pending.push(Promise.resolve(problemItem('invalid_utf8', 'line is not valid UTF-8', { file, line: line.line }, line.bytes)));
    } else {
      const raw = parseUrlLine(line.text);
      if (raw === undefined) continue;
      const at = { file, line: line.line, url: raw };
      const parsed = parseHttpUrl(raw);
      if ('reason' in parsed) {
        pending.push(Promise.resolve(problemItem(parsed.reason, parsed.detail, at, line.bytes)));
      } else if (seen.has(parsed.url.href)) {
        pending.push(Promise.resolve(problemItem('duplicate_url', `${parsed.url.href} is listed earlier in this file`, at, line.bytes)));
      } else {
        seen.add(parsed.url.href);
        pending.push(
          client.fetch(parsed.url, PAGE_REQUEST).then(
            (result) => {
              if (siteAnswered(result)) tally.answer();
              else {
                const { reason, detail } = failureOf(result);
                tally.fail(raw, reason, detail);
              }
              return fetchedItem(result, parsed.url, ctx, at, line.bytes);
            },
            (err: Error) => {
              tally.fail(raw, 'fetch_failed', err.message);
              return problemItem('fetch_failed', err.message, at, line.bytes);
            },
          ),
        );
      }
    }
    while (pending.length >= ahead) yield await pending.shift()!;
  }
  while (pending.length > 0) yield await pending.shift()!;
  const why = tally.incompleteness('URL', client.robotsFailures());
  if (why) throw new Error(`${file}: ${why}`);
}
