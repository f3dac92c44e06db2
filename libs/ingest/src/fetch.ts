import pLimit, { type LimitFunction } from 'p-limit';
import type { Agent, Dispatcher } from 'undici';
import { charsetFromContentType } from './charset';
import { undiciModule } from './lazy-modules';
import { DEFAULT_FETCH_OPTIONS, type FetchOptions } from './options';

/** What a fetched body is, as far as the readers are concerned. */
export type FetchedMedia = 'html' | 'text';

export interface FetchSuccess {
  ok: true;
  /** The URL asked for. */
  url: string;
  /** The URL the body came from, after redirects. */
  finalUrl: string;
  status: number;
  contentType: string;
  media: FetchedMedia;
  /** Charset named by the Content-Type header, if any. */
  charset?: string;
  body: Buffer;
  redirects: number;
  fetchedAt: string;
}

/**
 * A failed fetch. `reason` is a stable code: `invalid_url`, `unsupported_scheme`,
 * `fetch_failed` (DNS, connection, TLS, reset), `timeout`, `http_<status>`, `too_large`,
 * `unsupported_type`, `redirect_loop`, `too_many_redirects`, `bad_redirect`.
 */
export interface FetchFailure {
  ok: false;
  url: string;
  finalUrl?: string;
  reason: string;
  detail: string;
  fetchedAt: string;
}

export type FetchResult = FetchSuccess | FetchFailure;

const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);
const TEXT_TYPES = new Set(['text/plain']);
const ACCEPT = 'text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8';

/**
 * Drops a response body we will not read. Destroying an undici body emits an abort error,
 * which must have a listener or it becomes an unhandled error.
 */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
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

function isTimeout(err: unknown): boolean {
  const e = err as { name?: string; code?: string; cause?: unknown } | undefined;
  if (!e) return false;
  if (e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT' || e.code === 'UND_ERR_CONNECT_TIMEOUT') {
    return true;
  }
  return e.cause !== undefined && e.cause !== err && isTimeout(e.cause);
}

function describeError(err: unknown): string {
  const e = err as { message?: string; code?: string; cause?: { message?: string; code?: string } };
  const code = e.code ?? e.cause?.code;
  const message = e.cause?.message && e.cause.message !== e.message ? `${e.message}: ${e.cause.message}` : (e.message ?? String(err));
  return code ? `${code}: ${message}` : message;
}

/**
 * Fetches single pages politely enough for URL lists: limited concurrency overall and per
 * host, timeouts on headers, body pauses and the whole request, a body-size cap that aborts
 * the download, and manual redirects with a limit and loop detection. It never throws for a
 * bad URL or response: every failure is a `FetchFailure` with a reason code.
 *
 * Robots.txt, retries with backoff and conditional re-fetching belong to the crawler that
 * will grow around this module.
 */
export class Fetcher {
  readonly options: FetchOptions;
  private readonly agent: Agent;
  private readonly global: LimitFunction;
  private readonly hosts = new Map<string, LimitFunction>();

  constructor(options: Partial<FetchOptions> = {}) {
    this.options = { ...DEFAULT_FETCH_OPTIONS, ...options };
    this.agent = new (undiciModule().Agent)({
      headersTimeout: this.options.headersTimeoutMs,
      bodyTimeout: this.options.bodyTimeoutMs,
      connections: this.options.perHostConcurrency,
      connect: { timeout: this.options.headersTimeoutMs },
    });
    this.global = pLimit(this.options.concurrency);
  }

  private hostLimit(host: string): LimitFunction {
    let limit = this.hosts.get(host);
    if (!limit) {
      limit = pLimit(this.options.perHostConcurrency);
      this.hosts.set(host, limit);
    }
    return limit;
  }

  /** Fetches one URL; waits for a free slot of its host first, then for a global slot. */
  fetch(raw: string): Promise<FetchResult> {
    const parsed = parseHttpUrl(raw);
    if ('reason' in parsed) return Promise.resolve({ ok: false, url: raw, reason: parsed.reason, detail: parsed.detail, fetchedAt: new Date().toISOString() });
    return this.hostLimit(parsed.url.host)(() => this.global(() => this.fetchNow(raw, parsed.url)));
  }

  private async fetchNow(raw: string, start: URL): Promise<FetchResult> {
    const signal = AbortSignal.timeout(this.options.totalTimeoutMs);
    const visited = new Set<string>([start.href]);
    let current = start;
    let redirects = 0;
    const failure = (reason: string, detail: string): FetchFailure => ({
      ok: false,
      url: raw,
      ...(current.href !== start.href ? { finalUrl: current.href } : {}),
      reason,
      detail,
      fetchedAt: new Date().toISOString(),
    });
    try {
      for (;;) {
        const res = await undiciModule().request(current, {
          method: 'GET',
          dispatcher: this.agent,
          signal,
          headers: { 'user-agent': this.options.userAgent, accept: ACCEPT },
        });
        const fetchedAt = new Date().toISOString();
        const { statusCode, headers, body } = res;
        if (statusCode >= 300 && statusCode < 400 && statusCode !== 304) {
          discard(body);
          const location = headers.location;
          const target = Array.isArray(location) ? location[0] : location;
          if (!target) return failure(`http_${statusCode}`, `redirect status ${statusCode} without a Location header`);
          let next: URL;
          try {
            next = new URL(target, current);
          } catch {
            return failure('bad_redirect', `redirect to an invalid URL ${JSON.stringify(target)}`);
          }
          if (next.protocol !== 'http:' && next.protocol !== 'https:') {
            return failure('unsupported_scheme', `redirect to a ${next.protocol} URL: ${next.href}`);
          }
          if (visited.has(next.href)) return failure('redirect_loop', `redirect from ${current.href} back to ${next.href}`);
          if (++redirects > this.options.maxRedirects) {
            return failure('too_many_redirects', `more than ${this.options.maxRedirects} redirects (last to ${next.href})`);
          }
          visited.add(next.href);
          current = next;
          continue;
        }
        if (statusCode < 200 || statusCode >= 300) {
          discard(body);
          return failure(`http_${statusCode}`, `server answered ${statusCode}`);
        }
        const contentType = String(headers['content-type'] ?? '');
        const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
        const media: FetchedMedia | undefined = HTML_TYPES.has(mediaType) ? 'html' : TEXT_TYPES.has(mediaType) ? 'text' : undefined;
        if (!media) {
          discard(body);
          return failure('unsupported_type', `content type ${JSON.stringify(contentType || '(none)')} is neither HTML nor plain text`);
        }
        const declared = Number(headers['content-length']);
        if (Number.isFinite(declared) && declared > this.options.maxBytes) {
          discard(body);
          return failure('too_large', `Content-Length ${declared} is above the cap of ${this.options.maxBytes} bytes`);
        }
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of body as AsyncIterable<Buffer>) {
          size += chunk.length;
          if (size > this.options.maxBytes) {
            discard(body);
            return failure('too_large', `body exceeded the cap of ${this.options.maxBytes} bytes; download aborted`);
          }
          chunks.push(chunk);
        }
        const charset = charsetFromContentType(contentType);
        return {
          ok: true,
          url: raw,
          finalUrl: current.href,
          status: statusCode,
          contentType,
          media,
          ...(charset ? { charset } : {}),
          body: Buffer.concat(chunks, size),
          redirects,
          fetchedAt,
        };
      }
    } catch (err) {
      if (isTimeout(err) || signal.aborted) return failure('timeout', describeError(err));
      return failure('fetch_failed', describeError(err));
    }
  }

  /** Closes pooled connections. */
  async close(): Promise<void> {
    await this.agent.close();
  }
}
