import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { HttpClient, type HttpLimits, type HttpOutcome } from './http';

/** Outcomes of every branch of one HTTP exchange, against a loopback server. */

const LIMITS: HttpLimits = { userAgent: 'TestBot/1.0', headersTimeoutMs: 2000, bodyTimeoutMs: 2000, totalTimeoutMs: 2000, maxBytes: 64 * 1024 };
const PAGE = Buffer.from('<!doctype html><p>' + 'Fever and cough. '.repeat(200) + '</p>');
const HTML = { accept: 'text/html', wantBody: (media: string) => media === 'text/html' };

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface TestServer {
  origin: string;
  connections: number;
  seen: IncomingMessage['headers'][];
  close(): Promise<void>;
}

async function serve(routes: Record<string, Handler>): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const state = { connections: 0, seen: [] as IncomingMessage['headers'][] };
  const server: Server = createServer((req, res) => {
    state.seen.push(req.headers);
    const route = routes[req.url ?? ''];
    if (route) route(req, res);
    else res.writeHead(404, { 'content-type': 'text/html' }).end('<p>not here</p>');
  });
  server.on('connection', (socket: Socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    get connections() {
      return state.connections;
    },
    seen: state.seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Writes `parts` one after another, `gapMs` apart, then ends the response. */
function dribble(res: ServerResponse, parts: Buffer[], gapMs: number): void {
  let i = 0;
  const next = () => {
    if (res.destroyed) return;
    if (i === parts.length) return void res.end();
    res.write(parts[i++]);
    setTimeout(next, gapMs);
  };
  next();
}

describe('HttpClient', () => {
  let server: TestServer;
  let client: HttpClient;
  const get = (path: string, limits: Partial<HttpLimits> = {}, options = HTML): Promise<HttpOutcome> => {
    const c = Object.keys(limits).length > 0 ? new HttpClient({ ...LIMITS, ...limits }, 2, true) : client;
    return c.get(new URL(path, server.origin), options).finally(() => (c !== client ? c.close() : undefined));
  };

  beforeAll(async () => {
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20));
    server = await serve({
      '/page.html': (req, res) =>
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', etag: '"v1"', 'last-modified': 'Mon, 02 Nov 2026 10:00:00 GMT', 'x-ua': req.headers['user-agent'] ?? '' }).end(PAGE),
      '/chunked.html': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        dribble(res, [PAGE.subarray(0, 1000), PAGE.subarray(1000, 2000), PAGE.subarray(2000)], 5);
      },
      '/empty.html': (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(),
      '/redirect': (_req, res) => res.writeHead(301, { location: '/page.html', 'content-type': 'text/html' }).end('<p>moved</p>'),
      '/busy': (_req, res) => res.writeHead(429, { 'retry-after': '7', 'content-type': 'text/html' }).end('<p>slow down</p>'),
      '/pdf': (_req, res) => res.writeHead(200, { 'content-type': 'application/pdf' }).end(Buffer.alloc(20_000, 1)),
      '/declared-large': (_req, res) => res.writeHead(200, { 'content-type': 'text/html', 'content-length': String(100 * 1024) }).end(Buffer.alloc(100 * 1024, 0x61)),
      '/growing-large': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        dribble(res, Array.from({ length: 20 }, () => Buffer.alloc(8 * 1024, 0x61)), 1);
      },
      '/gzip.html': (_req, res) => res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }).end(gzipSync(PAGE)),
      '/gzip-chunked.html': (_req, res) => {
        const z = gzipSync(PAGE);
        res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' });
        dribble(res, [z.subarray(0, 10), z.subarray(10, 100), z.subarray(100)], 5);
      },
      '/deflate.html': (_req, res) => res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'deflate' }).end(deflateSync(PAGE)),
      '/raw-deflate.html': (_req, res) => res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'deflate' }).end(deflateRawSync(PAGE)),
      '/br.html': (_req, res) => res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'br' }).end(brotliCompressSync(PAGE)),
      '/bomb.html': (_req, res) => res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }).end(bomb),
      '/compress.html': (_req, res) => res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'compress' }).end(PAGE),
      '/corrupt.html': (_req, res) => res.writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' }).end(Buffer.concat([gzipSync(PAGE).subarray(0, 30), Buffer.alloc(50, 7)])),
      '/slow-body.html': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        dribble(res, Array.from({ length: 40 }, () => Buffer.from('<p>x</p>')), 50);
      },
      '/stalled-body.html': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.write('<p>first and last chunk</p>');
      },
      '/no-answer': () => undefined,
      '/reset': (req) => req.socket.destroy(),
      '/reset-mid-body': (req, res) => {
        res.writeHead(200, { 'content-type': 'text/html', 'content-length': '5000' });
        res.write(Buffer.alloc(1000, 0x61));
        setTimeout(() => req.socket.destroy(), 20);
      },
    });
    client = new HttpClient(LIMITS, 2, true);
  });

  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it('returns a body with its validators and sends the request headers', async () => {
    const out = await get('/page.html');
    expect(out).toMatchObject({ kind: 'response', status: 200, contentType: 'text/html; charset=utf-8', etag: '"v1"', lastModified: 'Mon, 02 Nov 2026 10:00:00 GMT', rawBytes: PAGE.length });
    expect(out.kind === 'response' && out.body?.equals(PAGE)).toBe(true);
    expect(out).not.toHaveProperty('location');
    const sent = server.seen[server.seen.length - 1]!;
    expect(sent).toMatchObject({ 'user-agent': 'TestBot/1.0', accept: 'text/html', 'accept-encoding': 'gzip, deflate, br' });
    expect(sent['if-none-match']).toBeUndefined();
  });

  it('sends conditional headers', async () => {
    await client.get(new URL('/page.html', server.origin), { ...HTML, etag: '"v0"', lastModified: 'Sun, 01 Nov 2026 10:00:00 GMT' });
    expect(server.seen[server.seen.length - 1]).toMatchObject({ 'if-none-match': '"v0"', 'if-modified-since': 'Sun, 01 Nov 2026 10:00:00 GMT' });
  });

  it('reads chunked and empty bodies', async () => {
    const chunked = await get('/chunked.html');
    expect(chunked.kind === 'response' && chunked.body?.equals(PAGE)).toBe(true);
    expect(chunked).toMatchObject({ rawBytes: PAGE.length });
    const empty = await get('/empty.html');
    expect(empty).toMatchObject({ kind: 'response', status: 200, rawBytes: 0 });
    expect(empty.kind === 'response' && empty.body?.length).toBe(0);
  });

  it('leaves bodies of redirects, errors and unwanted types unread, keeping the connection', async () => {
    const fresh = new HttpClient(LIMITS, 1, true);
    try {
      const before = server.connections;
      const at = (path: string) => fresh.get(new URL(path, server.origin), HTML);
      expect(await at('/redirect')).toEqual({ kind: 'response', status: 301, url: `${server.origin}/redirect`, contentType: 'text/html', location: '/page.html', rawBytes: 0 });
      expect(await at('/busy')).toEqual({ kind: 'response', status: 429, url: `${server.origin}/busy`, contentType: 'text/html', retryAfter: '7', rawBytes: 0 });
      expect(await at('/missing')).toMatchObject({ kind: 'response', status: 404, rawBytes: 0 });
      expect(await at('/pdf')).toMatchObject({ kind: 'response', status: 200, contentType: 'application/pdf', rawBytes: 0 });
      expect(await at('/page.html')).toMatchObject({ kind: 'response', status: 200, rawBytes: PAGE.length });
      // Small unread bodies arrive with their headers: the connection stays usable.
      expect(server.connections - before).toBeLessThanOrEqual(2);
    } finally {
      await fresh.close();
    }
  });

  it('refuses bodies above the cap, declared or not', async () => {
    expect(await get('/declared-large')).toMatchObject({ kind: 'error', reason: 'too_large', status: 200, detail: 'Content-Length 102400 is above the cap of 65536 bytes' });
    expect(await get('/growing-large')).toMatchObject({ kind: 'error', reason: 'too_large', status: 200, detail: 'body exceeded the cap of 65536 bytes; download aborted' });
    expect(await get('/bomb.html')).toMatchObject({ kind: 'error', reason: 'too_large', status: 200, detail: 'body decoded past the cap of 65536 bytes; download aborted' });
  });

  it('decodes gzip, deflate (zlib and raw) and brotli, counting wire bytes', async () => {
    for (const [path, wire] of [
      ['/gzip.html', gzipSync(PAGE).length],
      ['/gzip-chunked.html', gzipSync(PAGE).length],
      ['/deflate.html', deflateSync(PAGE).length],
      ['/raw-deflate.html', deflateRawSync(PAGE).length],
      ['/br.html', brotliCompressSync(PAGE).length],
    ] as const) {
      const out = await get(path);
      expect(out).toMatchObject({ kind: 'response', status: 200, rawBytes: wire });
      expect(out.kind === 'response' && out.body?.equals(PAGE)).toBe(true);
    }
  });

  it('reports bodies it cannot decode', async () => {
    expect(await get('/compress.html')).toEqual({ kind: 'error', reason: 'bad_encoding', status: 200, detail: 'BAD_ENCODING: unsupported Content-Encoding "compress"' });
    expect(await get('/corrupt.html')).toMatchObject({ kind: 'error', reason: 'bad_encoding', status: 200, detail: expect.stringMatching(/^BAD_ENCODING: /) });
  });

  it('times out on the whole-exchange deadline, before and during the body', async () => {
    const t0 = Date.now();
    expect(await get('/slow-body.html', { totalTimeoutMs: 300 })).toEqual({ kind: 'error', reason: 'timeout', status: 200, detail: '23: The operation was aborted due to timeout' });
    expect(await get('/no-answer', { totalTimeoutMs: 300 })).toEqual({ kind: 'error', reason: 'timeout', detail: '23: The operation was aborted due to timeout' });
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it('times out waiting for headers and between body chunks', async () => {
    expect(await get('/no-answer', { headersTimeoutMs: 200 })).toMatchObject({ kind: 'error', reason: 'timeout', detail: expect.stringContaining('UND_ERR_HEADERS_TIMEOUT') });
    expect(await get('/stalled-body.html', { bodyTimeoutMs: 200 })).toMatchObject({ kind: 'error', reason: 'timeout', status: 200, detail: expect.stringContaining('UND_ERR_BODY_TIMEOUT') });
  });

  it('reports broken connections and refused ones', async () => {
    expect(await get('/reset')).toMatchObject({ kind: 'error', reason: 'fetch_failed' });
    expect(await get('/reset-mid-body')).toMatchObject({ kind: 'error', reason: 'fetch_failed', status: 200 });
    const closed = await serve({});
    const origin = closed.origin;
    await closed.close();
    const refused = await client.get(new URL('/x', origin), HTML);
    expect(refused).toMatchObject({ kind: 'error', reason: 'fetch_failed', detail: expect.stringContaining('ECONNREFUSED') });
  });

  it('refuses names that resolve to private addresses unless allowed', async () => {
    const guarded = new HttpClient(LIMITS, 1, false);
    try {
      const out = await guarded.get(new URL(server.origin.replace('127.0.0.1', 'localhost') + '/page.html'), HTML);
      expect(out).toMatchObject({ kind: 'error', reason: 'private_address' });
    } finally {
      await guarded.close();
    }
  });

  it('serves many exchanges at once, each with its own deadline', async () => {
    const outs = await Promise.all(Array.from({ length: 40 }, (_, i) => get(i % 4 === 0 ? '/gzip.html' : '/page.html')));
    for (const out of outs) expect(out.kind === 'response' && out.body?.equals(PAGE)).toBe(true);
  });
});
