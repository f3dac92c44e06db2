import { type DocItem, readLines } from '@apollo/document';
import { decodeBytes } from '../charset';
import { type FetchResult, parseHttpUrl } from '../fetch';
import { docItem, problemItem, type ReadContext } from './context';
import { htmlDocItem } from './files';

/** One entry of a URL list: a URL, or nothing for blank and comment lines. */
export function parseUrlLine(text: string): string | undefined {
  const trimmed = text.replace(/(^|\s)#.*$/, '').trim();
  return trimmed.length > 0 ? trimmed : undefined;
}

function fetchedItem(result: FetchResult, ctx: ReadContext, at: { file: string; line: number; url: string }, bytes: number): DocItem {
  if (!result.ok) return problemItem(result.reason, result.detail, { ...at, ...(result.finalUrl ? { url: result.finalUrl } : {}) }, bytes);
  const meta = {
    contentType: result.contentType,
    ...(result.finalUrl !== result.url ? { requestedUrl: result.url } : {}),
  };
  const where = { ...at, url: result.finalUrl };
  if (result.media === 'html') {
    const item = htmlDocItem(result.body, ctx, where, {
      ...(result.charset ? { headerCharset: result.charset } : {}),
      fetchedAt: result.fetchedAt,
      url: result.finalUrl,
      meta,
    });
    return { ...item, bytes };
  }
  const decoded = decodeBytes(result.body, result.charset ?? 'utf-8');
  if (!decoded) return problemItem('unsupported_charset', `charset ${JSON.stringify(result.charset)} is not supported`, where, bytes);
  return docItem(
    ctx,
    {
      kind: 'text',
      text: decoded.text.replace(/\r\n?/g, '\n').trim(),
      fetchedAt: result.fetchedAt,
      meta: { ...meta, charset: decoded.charset },
      provenance: { url: result.finalUrl },
    },
    where,
    bytes,
  );
}

/**
 * Reads a URL list (one URL per line, `#` starts a comment) and fetches every URL with the
 * task's fetcher. Fetches overlap up to twice the fetcher's concurrency, but documents come
 * out in list order, so the output does not depend on network timing. Every URL yields a
 * document or a drop whose location is the URL (and the list's file and line).
 */
export async function* readUrlList(file: string, ctx: ReadContext): AsyncGenerator<DocItem> {
  const fetcher = ctx.fetcher;
  if (!fetcher) throw new Error(`${file}: URL lists need a fetcher`);
  const ahead = Math.max(1, fetcher.options.concurrency * 2);
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
          fetcher.fetch(raw).then(
            (result) => fetchedItem(result, ctx, at, line.bytes),
            (err: Error) => problemItem('fetch_failed', err.message, at, line.bytes),
          ),
        );
      }
    }
    while (pending.length >= ahead) yield await pending.shift()!;
  }
  while (pending.length > 0) yield await pending.shift()!;
}
