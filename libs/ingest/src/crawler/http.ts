import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib';
import type { Transform } from 'node:stream';
import { Agent, type Dispatcher, request } from 'undici';
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

function header(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
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

class TooLarge extends Error {}

/**
 * Downloads a body, decoding its Content-Encoding on the fly and counting both the wire bytes and
 * the decoded bytes against the cap, so a small compressed body cannot expand past it.
 */
async function readBody(body: Dispatcher.ResponseData['body'], encoding: string | undefined, maxBytes: number): Promise<{ body: Buffer; rawBytes: number }> {
  const iterator = (body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return { body: Buffer.alloc(0), rawBytes: 0 };
  const decoder = decoderFor(encoding, first.value);
  if (decoder === null) throw Object.assign(new Error(`unsupported Content-Encoding ${JSON.stringify(encoding)}`), { code: 'BAD_ENCODING' });
  const out: Buffer[] = [];
  let decoded = 0;
  let raw = 0;
  const take = (chunk: Buffer) => {
    decoded += chunk.length;
    if (decoded > maxBytes) throw new TooLarge(`body decoded past the cap of ${maxBytes} bytes; download aborted`);
    out.push(chunk);
  };
  const rawChunk = (chunk: Buffer) => {
    raw += chunk.length;
    if (raw > maxBytes) throw new TooLarge(`body exceeded the cap of ${maxBytes} bytes; download aborted`);
  };
  if (!decoder) {
    rawChunk(first.value);
    take(first.value);
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) {
      rawChunk(r.value);
      take(r.value);
    }
    return { body: Buffer.concat(out, decoded), rawBytes: raw };
  }
  let failure: unknown;
  decoder.on('data', (chunk: Buffer) => {
    try {
      take(chunk);
    } catch (err) {
      failure = err;
      decoder.destroy();
    }
  });
  const finished = new Promise<void>((resolve, reject) => {
    decoder.on('end', resolve);
    decoder.on('close', () => (failure ? reject(failure) : resolve()));
    decoder.on('error', (err) => reject(failure ?? Object.assign(err, { code: 'BAD_ENCODING' })));
  });
  finished.catch(() => undefined);
  const write = async (chunk: Buffer) => {
    rawChunk(chunk);
    if (!decoder.write(chunk) && !decoder.destroyed) {
      // A decoder destroyed by the cap never drains: wait for whichever comes first.
      await new Promise<void>((resolve) => {
        decoder.once('drain', resolve);
        decoder.once('close', resolve);
      });
    }
  };
  try {
    await write(first.value);
    for (let r = await iterator.next(); !r.done && !failure && !decoder.destroyed; r = await iterator.next()) await write(r.value);
  } catch (err) {
    decoder.destroy();
    throw failure ?? err;
  }
  if (failure) throw failure;
  decoder.end();
  await finished;
  if (failure) throw failure;
  return { body: Buffer.concat(out, decoded), rawBytes: raw };
}

/**
 * One HTTP GET without following redirects (the crawler follows them itself, checking robots.txt
 * and scope on every hop). Never throws: network trouble is an `error` outcome with a reason.
 */
export class HttpClient {
  private readonly agent: Agent;

  constructor(
    readonly limits: HttpLimits,
    connectionsPerHost: number,
    allowPrivateHosts: boolean,
  ) {
    this.agent = new Agent({
      headersTimeout: limits.headersTimeoutMs,
      bodyTimeout: limits.bodyTimeoutMs,
      connections: connectionsPerHost,
      connect: { timeout: limits.headersTimeoutMs, ...(allowPrivateHosts ? {} : { lookup: guardedLookup }) },
    });
  }

  async get(url: URL, options: RequestOptions): Promise<HttpOutcome> {
    const signal = AbortSignal.timeout(this.limits.totalTimeoutMs);
    const headers: Record<string, string> = {
      'user-agent': this.limits.userAgent,
      accept: options.accept,
      'accept-encoding': 'gzip, deflate, br',
    };
    if (options.etag) headers['if-none-match'] = options.etag;
    if (options.lastModified) headers['if-modified-since'] = options.lastModified;
    let status: number | undefined;
    let body: Dispatcher.ResponseData['body'] | undefined;
    try {
      const res = await request(url, { method: 'GET', dispatcher: this.agent, signal, headers });
      status = res.statusCode;
      body = res.body;
      const contentType = header(res.headers, 'content-type') ?? '';
      const location = header(res.headers, 'location');
      const etag = header(res.headers, 'etag');
      const lastModified = header(res.headers, 'last-modified');
      const retryAfter = header(res.headers, 'retry-after');
      const contentEncoding = header(res.headers, 'content-encoding');
      const info: ResponseInfo = {
        status,
        url: url.href,
        contentType,
        ...(location ? { location } : {}),
        ...(etag ? { etag } : {}),
        ...(lastModified ? { lastModified } : {}),
        ...(retryAfter ? { retryAfter } : {}),
        ...(contentEncoding ? { contentEncoding } : {}),
      };
      if (status < 200 || status >= 300 || !options.wantBody(mediaTypeOf(contentType))) {
        discard(res.body);
        return { kind: 'response', ...info, rawBytes: 0 };
      }
      const declared = Number(header(res.headers, 'content-length'));
      if (Number.isFinite(declared) && declared > this.limits.maxBytes) {
        discard(res.body);
        return { kind: 'error', reason: 'too_large', status, detail: `Content-Length ${declared} is above the cap of ${this.limits.maxBytes} bytes` };
      }
      const read = await readBody(res.body, contentEncoding, this.limits.maxBytes);
      return { kind: 'response', ...info, body: read.body, rawBytes: read.rawBytes };
    } catch (err) {
      if (body) discard(body);
      if (err instanceof TooLarge) return { kind: 'error', reason: 'too_large', detail: err.message, ...(status ? { status } : {}) };
      const code = errorCode(err);
      if (code === 'BAD_ENCODING' || code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR' || code === 'ERR__ERROR_FORMAT_PADDING_1') {
        return { kind: 'error', reason: 'bad_encoding', detail: describe(err), ...(status ? { status } : {}) };
      }
      if (code === 'ERR_PRIVATE_ADDRESS') return { kind: 'error', reason: 'private_address', detail: describe(err) };
      if (isTimeout(err) || signal.aborted) return { kind: 'error', reason: 'timeout', detail: describe(err), ...(status ? { status } : {}) };
      return { kind: 'error', reason: 'fetch_failed', detail: describe(err), ...(status ? { status } : {}) };
    }
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
