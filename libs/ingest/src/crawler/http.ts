import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib';
import type { Transform } from 'node:stream';
import type { Agent, Dispatcher } from 'undici';
import { undiciModule } from '../lazy-modules';
import { guardedLookup } from './net-guard';

/** Limits of one HTTP exchange (plain data). */
export interface HttpLimits {
  userAgent: string;
  /** Time to connect and receive headers, in ms. */
  headersTimeoutMs: number;
  /** Longest pause between body chunks, in ms. */
  bodyTimeoutMs: number;
  /** Deadline of the whole exchange, in ms. */
  totalTimeoutMs: number;
  /** Largest body, counted both on the wire and after decoding (compression bombs stop here). */
  maxBytes: number;
}

/** Response headers the crawler uses. */
export interface ResponseInfo {
  status: number;
  url: string;
  contentType: string;
  location?: string;
  etag?: string;
  lastModified?: string;
  retryAfter?: string;
  contentEncoding?: string;
}

export type HttpOutcome =
  | ({ kind: 'response'; body?: Buffer; rawBytes: number } & ResponseInfo)
  | { kind: 'error'; reason: 'timeout' | 'fetch_failed' | 'too_large' | 'bad_encoding' | 'private_address'; detail: string; status?: number };

export interface RequestOptions {
  /** Conditional request validators (refresh). */
  etag?: string;
  lastModified?: string;
  accept: string;
  /** Whether a 2xx body of this media type (lower-case, no parameters) is downloaded. */
  wantBody(mediaType: string): boolean;
}

type ParsedHeaders = Record<string, string | string[]>;

function header(headers: ParsedHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function mediaTypeOf(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}

function isTimeout(err: unknown): boolean {
  const e = err as { name?: string; code?: string; cause?: unknown } | undefined;
  if (!e) return false;
  if (e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT' || e.code === 'UND_ERR_CONNECT_TIMEOUT') return true;
  return e.cause !== undefined && e.cause !== err && isTimeout(e.cause);
}

function errorCode(err: unknown): string | undefined {
  const e = err as { code?: string; cause?: unknown } | undefined;
  if (!e) return undefined;
  return e.code ?? (e.cause && e.cause !== err ? errorCode(e.cause) : undefined);
}

function describe(err: unknown): string {
  const e = err as { message?: string; cause?: { message?: string } };
  const code = errorCode(err);
  const msg = e.cause?.message && e.cause.message !== e.message ? `${e.message}: ${e.cause.message}` : (e.message ?? String(err));
  return code ? `${code}: ${msg}` : msg;
}

/** Whether bytes start with a zlib header (deflate method, header checksum divisible by 31). */
function isZlibHeader(head: Buffer): boolean {
  return head.length >= 2 && (head[0]! & 0x0f) === 8 && (head[0]! * 256 + head[1]!) % 31 === 0;
}

/** A decoder for a Content-Encoding; undefined for identity, null for one we cannot decode. */
function decoderFor(encoding: string | undefined, head: Buffer): Transform | undefined | null {
  const e = (encoding ?? '').trim().toLowerCase();
  if (e === '' || e === 'identity') return undefined;
  if (e === 'gzip' || e === 'x-gzip') return createGunzip();
  // "deflate" is meant to be zlib-wrapped, but some servers send raw deflate.
  if (e === 'deflate') return isZlibHeader(head) ? createInflate() : createInflateRaw();
  if (e === 'br') return createBrotliDecompress();
  return null;
}

/** The error a missed whole-exchange deadline ends a request with (what `AbortSignal.timeout` aborts with). */
function deadlineError(): Error {
  return new DOMException('The operation was aborted due to timeout', 'TimeoutError');
}

/** What an exchange does about the whole-exchange deadline. */
interface Expiring {
  readonly deadline: number;
  expire(): void;
}

/**
 * The whole-exchange deadlines of one client. Every exchange has the same timeout, so deadlines
 * come in start order and one timer, armed for the oldest exchange still running, serves them
 * all: an `AbortSignal.timeout` per request (its timer, abort listener and their removal) cost
 * the crawl thread more than parsing the response did.
 */
class Deadlines {
  private readonly running = new Set<Expiring>();
  private timer: NodeJS.Timeout | undefined;

  add(exchange: Expiring): void {
    this.running.add(exchange);
    if (!this.timer) this.arm(exchange.deadline);
  }

  delete(exchange: Expiring): void {
    this.running.delete(exchange);
  }

  private arm(deadline: number): void {
    // Unreferenced, as AbortSignal.timeout's timer is: a deadline never keeps the process alive.
    this.timer = setTimeout(() => this.fire(), Math.max(1, deadline - performance.now()));
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    const now = performance.now();
    for (const exchange of this.running) {
      // Timers may fire a little early; within 1 ms counts as due.
      if (exchange.deadline > now + 1) return this.arm(exchange.deadline);
      this.running.delete(exchange);
      exchange.expire();
    }
  }
}

class TooLarge extends Error {}

/**
 * One GET, as an undici dispatch handler: the response's headers, body chunks and end arrive as
 * callbacks, with no response stream, promise per chunk or abort signal in between (the crawler
 * makes thousands of these a second). The body is decoded from its Content-Encoding on the fly,
 * and both the wire bytes and the decoded bytes count against the cap, so a small compressed body
 * cannot expand past it. Settles exactly once, with an outcome (never an exception).
 */
class Exchange implements Dispatcher.DispatchHandler, Expiring {
  readonly deadline: number;
  private abortRequest: ((err?: Error) => void) | undefined;
  /** Why the request must end, when that was decided before it had a connection. */
  private abortReason: Error | undefined;
  private timedOut = false;
  private settled = false;
  private status: number | undefined;
  private info: ResponseInfo | undefined;
  /** Set once the body is wanted: undefined until its first chunk picks the decoder. */
  private decoder: Transform | undefined | null;
  private reading = false;
  /** Restarts a socket paused for the decoder (from undici, with the headers). */
  private resume: () => void = () => undefined;
  private readonly chunks: Buffer[] = [];
  private decoded = 0;
  private raw = 0;

  constructor(
    private readonly url: URL,
    private readonly options: RequestOptions,
    private readonly maxBytes: number,
    timeoutMs: number,
    private readonly deadlines: Deadlines,
    private readonly done: (outcome: HttpOutcome) => void,
  ) {
    this.deadline = performance.now() + timeoutMs;
    deadlines.add(this);
  }

  private settle(outcome: HttpOutcome): void {
    if (this.settled) return;
    this.settled = true;
    this.deadlines.delete(this);
    this.done(outcome);
  }

  /** Ends the request, unless it already completed. */
  private abort(err?: Error): void {
    if (this.abortRequest) this.abortRequest(err);
    else this.abortReason = err ?? new Error('request aborted');
  }

  /**
   * Leaves the rest of the body unread. Deferred as destroying a response stream was: a small
   * body that arrived with its headers completes first, and its connection stays open.
   */
  private discard(): void {
    queueMicrotask(() => this.abort());
  }

  expire(): void {
    this.timedOut = true;
    if (this.decoder) this.decoder.destroy();
    this.abort(deadlineError());
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.abortReason) return abort(this.abortReason);
    this.abortRequest = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    // Informational (1xx) responses precede the real one.
    if (statusCode < 200 || this.settled) return true;
    const headers = undiciModule().util.parseHeaders(rawHeaders);
    this.status = statusCode;
    const contentType = header(headers, 'content-type') ?? '';
    const location = header(headers, 'location');
    const etag = header(headers, 'etag');
    const lastModified = header(headers, 'last-modified');
    const retryAfter = header(headers, 'retry-after');
    const contentEncoding = header(headers, 'content-encoding');
    const info: ResponseInfo = {
      status: statusCode,
      url: this.url.href,
      contentType,
      ...(location ? { location } : {}),
      ...(etag ? { etag } : {}),
      ...(lastModified ? { lastModified } : {}),
      ...(retryAfter ? { retryAfter } : {}),
      ...(contentEncoding ? { contentEncoding } : {}),
    };
    if (statusCode >= 300 || !this.options.wantBody(mediaTypeOf(contentType))) {
      this.discard();
      this.settle({ kind: 'response', ...info, rawBytes: 0 });
      return true;
    }
    const declared = Number(header(headers, 'content-length'));
    if (Number.isFinite(declared) && declared > this.maxBytes) {
      this.discard();
      this.settle({ kind: 'error', reason: 'too_large', status: statusCode, detail: `Content-Length ${declared} is above the cap of ${this.maxBytes} bytes` });
      return true;
    }
    this.info = info;
    this.reading = true;
    this.resume = resume;
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (!this.reading || this.settled) return true;
    try {
      this.raw += chunk.length;
      if (this.raw > this.maxBytes) throw new TooLarge(`body exceeded the cap of ${this.maxBytes} bytes; download aborted`);
      if (this.decoder === undefined && this.raw === chunk.length) {
        this.decoder = decoderFor(this.info!.contentEncoding, chunk);
        if (this.decoder === null) throw Object.assign(new Error(`unsupported Content-Encoding ${JSON.stringify(this.info!.contentEncoding)}`), { code: 'BAD_ENCODING' });
        if (this.decoder) this.startDecoder(this.decoder);
      }
      if (!this.decoder) {
        this.take(chunk);
        return true;
      }
      // Backpressure: the socket pauses until the decoder has caught up.
      if (!this.decoder.write(chunk) && !this.decoder.destroyed) {
        this.decoder.once('drain', () => this.resume());
        return false;
      }
      return true;
    } catch (err) {
      this.fail(err);
      return true;
    }
  }

  private take(chunk: Buffer): void {
    this.decoded += chunk.length;
    if (this.decoded > this.maxBytes) throw new TooLarge(`body decoded past the cap of ${this.maxBytes} bytes; download aborted`);
    this.chunks.push(chunk);
  }

  private startDecoder(decoder: Transform): void {
    decoder.on('data', (chunk: Buffer) => {
      try {
        this.take(chunk);
      } catch (err) {
        decoder.destroy();
        this.fail(err);
      }
    });
    decoder.on('error', (err) => this.fail(Object.assign(err, { code: 'BAD_ENCODING' })));
    decoder.on('end', () => this.succeed());
  }

  private succeed(): void {
    if (this.settled) return;
    const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.decoded);
    this.settle({ kind: 'response', ...this.info!, body, rawBytes: this.raw });
  }

  onComplete(): void {
    if (!this.reading || this.settled) return;
    // The request is over: the deadline no longer applies to decoding what arrived.
    this.deadlines.delete(this);
    if (this.decoder) this.decoder.end();
    else this.succeed();
  }

  onError(err: Error): void {
    this.fail(err);
  }

  /** Settles with the outcome an error means, then stops the request and the decoder. */
  private fail(err: unknown): void {
    if (this.settled) return;
    // Settled first: stopping the request reports its own abort error back through onError.
    this.settle(outcomeOfError(err, this.status, this.timedOut));
    if (this.decoder && !this.decoder.destroyed) this.decoder.destroy();
    this.abort();
  }
}

/** What a failed exchange reports: the error's kind, its description, and the status if headers came. */
function outcomeOfError(err: unknown, status: number | undefined, timedOut: boolean): HttpOutcome {
  const withStatus = status ? { status } : {};
  if (err instanceof TooLarge) return { kind: 'error', reason: 'too_large', detail: err.message, ...withStatus };
  const code = errorCode(err);
  if (code === 'BAD_ENCODING' || code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR' || code === 'ERR__ERROR_FORMAT_PADDING_1') {
    return { kind: 'error', reason: 'bad_encoding', detail: describe(err), ...withStatus };
  }
  if (code === 'ERR_PRIVATE_ADDRESS') return { kind: 'error', reason: 'private_address', detail: describe(err) };
  if (isTimeout(err) || timedOut) return { kind: 'error', reason: 'timeout', detail: describe(err), ...withStatus };
  return { kind: 'error', reason: 'fetch_failed', detail: describe(err), ...withStatus };
}

/**
 * One HTTP GET without following redirects (the crawler follows them itself, checking robots.txt
 * and scope on every hop). Never throws: network trouble is an `error` outcome with a reason.
 */
export class HttpClient {
  private readonly agent: Agent;
  private readonly deadlines = new Deadlines();

  constructor(
    readonly limits: HttpLimits,
    connectionsPerHost: number,
    allowPrivateHosts: boolean,
  ) {
    this.agent = new (undiciModule().Agent)({
      headersTimeout: limits.headersTimeoutMs,
      bodyTimeout: limits.bodyTimeoutMs,
      connections: connectionsPerHost,
      connect: { timeout: limits.headersTimeoutMs, ...(allowPrivateHosts ? {} : { lookup: guardedLookup }) },
    });
  }

  get(url: URL, options: RequestOptions): Promise<HttpOutcome> {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return Promise.resolve({ kind: 'error', reason: 'fetch_failed', detail: 'UND_ERR_INVALID_ARG: Invalid URL protocol: the URL must start with `http:` or `https:`.' });
    }
    const headers: Record<string, string> = {
      'user-agent': this.limits.userAgent,
      accept: options.accept,
      'accept-encoding': 'gzip, deflate, br',
    };
    if (options.etag) headers['if-none-match'] = options.etag;
    if (options.lastModified) headers['if-modified-since'] = options.lastModified;
    return new Promise<HttpOutcome>((resolve) => {
      const exchange = new Exchange(url, options, this.limits.maxBytes, this.limits.totalTimeoutMs, this.deadlines, resolve);
      // dispatch reports its own failures (a closed agent, bad options) through onError.
      this.agent.dispatch({ origin: url.origin, path: url.pathname + url.search, method: 'GET', headers }, exchange);
    });
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/**
 * Milliseconds a Retry-After value asks to wait (delta-seconds or an HTTP date), or undefined
 * when it is missing or unreadable.
 */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Exponential backoff with "equal jitter": half fixed, half random, so retries of many clients spread out. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
