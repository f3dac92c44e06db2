import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { undiciModule } from '../../lazy-modules';
import { silentLogger } from '@apollo/stage';
import { DEFAULT_FETCH_OPTIONS, DEFAULT_READ_LIMITS } from '../../options';
import { SiteCrawler } from '../crawl';
import { DEFAULT_CRAWLER_OPTIONS } from '../options';

/**
 * CPU milliseconds of this process's main thread (Linux: /proc), else undefined. On a shared
 * machine the main thread's CPU per page is a steadier figure than pages per second, and it is
 * where the crawler and the plain loop compete: both run their HTTP client and the fixture
 * server on it.
 */
function mainThreadCpuMs(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime (fields 14 and 15 of the line) in clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** Figures of one timed phase: pages/s, MB/s, seconds, and CPU milliseconds per page (process, main thread). */
function phaseFigures(pages: number, bytes: number, seconds: number, cpu: NodeJS.CpuUsage, mainMs: number | undefined) {
  return {
    pagesPerSec: Math.round(pages / seconds),
    mbPerSec: Number((bytes / seconds / 1e6).toFixed(1)),
    seconds: Number(seconds.toFixed(2)),
    cpuMsPerPage: Number(((cpu.user + cpu.system) / 1000 / pages).toFixed(3)),
    ...(mainMs !== undefined ? { mainThreadCpuMsPerPage: Number((mainMs / pages).toFixed(3)) } : {}),
  };
}

/**
 * Crawler throughput against a loopback site with politeness off, beside a plain undici request
 * loop over the same pages in the same run (issue 3's benchmark). `npm run bench` runs it
 * (tools/bench/main.ts, `--crawl-pages`, `--crawl-concurrency`).
 */
export async function benchCrawl(pages: number, concurrency: number): Promise<Record<string, unknown>> {
  const para = '<p>' + 'Hypertension is a common condition in which the long-term force of the blood against the artery walls is high. '.repeat(6) + '</p>';
  const html = (i: number) => `<!doctype html><html lang="en"><head><title>Page ${i}</title></head><body><nav><a href="/">Home</a></nav><main><h1>Topic ${i}</h1>${para.repeat(10)}</main></body></html>`;
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/robots.txt') return res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nAllow: /\n');
    if (url === '/sitemap.xml') {
      const locs = Array.from({ length: pages }, (_, i) => `<url><loc>http://${req.headers.host}/p/${i}.html</loc></url>`).join('');
      return res.writeHead(200, { 'content-type': 'application/xml' }).end(`<urlset>${locs}</urlset>`);
    }
    const m = /^\/p\/(\d+)\.html$/.exec(url);
    if (!m) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', etag: `"${m[1]}"` }).end(html(Number(m[1])));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const results: Record<string, unknown> = { pages, concurrency };
  try {
    // Plain loop: undici request, bodies read as text, nothing else.
    const { Agent, request } = undiciModule();
    const agent = new Agent({ connections: concurrency });
    let next = 0;
    let bytes = 0;
    let t = process.hrtime.bigint();
    let cpu = process.cpuUsage();
    let main = mainThreadCpuMs();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < pages) {
          const i = next++;
          const res = await request(`${origin}/p/${i}.html`, { dispatcher: agent });
          bytes += Buffer.byteLength(await res.body.text());
        }
      }),
    );
    let s = Number(process.hrtime.bigint() - t) / 1e9;
    results.plain = phaseFigures(pages, bytes, s, process.cpuUsage(cpu), main === undefined ? undefined : mainThreadCpuMs()! - main);
    await agent.close();

    const state = await mkdtemp(join(tmpdir(), 'crawl-bench-'));
    const crawler = new SiteCrawler(
      { id: 'bench', lang: 'en', source: 'web', stage: 'pretrain', license: 'bench', seeds: [], sitemaps: [`${origin}/sitemap.xml`], scope: { hosts: [new URL(origin).host], include: [], exclude: [], maxDepth: 0, maxPages: pages } },
      {
        file: 'bench.json',
        run: 'bench',
        output: state,
        fetch: DEFAULT_FETCH_OPTIONS,
        crawler: { ...DEFAULT_CRAWLER_OPTIONS, stateDir: join(state, 'state'), delayMs: 0, perHostConcurrency: concurrency, concurrency, allowPrivateHosts: true, statsEveryMs: 600_000 },
        limits: DEFAULT_READ_LIMITS,
        log: silentLogger,
      },
    );
    let docs = 0;
    t = process.hrtime.bigint();
    cpu = process.cpuUsage();
    main = mainThreadCpuMs();
    for await (const item of crawler.items()) if ('doc' in item) docs++;
    s = Number(process.hrtime.bigint() - t) / 1e9;
    const figures = phaseFigures(docs, crawler.stats.bytes, s, process.cpuUsage(cpu), main === undefined ? undefined : mainThreadCpuMs()! - main);
    results.crawler = { docs, ...figures, extractedInThreads: crawler.extractedInThreads };
    await rm(state, { recursive: true, force: true });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return results;
}
