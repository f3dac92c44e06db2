import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { extractPage, type PageContext, type PageJob, type PageResult, robotsMetaPattern } from './page-extract';

/** `workerData` of an extraction thread. */
interface ExtractWorkerData {
  crawlExtract: { script: string; context: PageContext };
}

/** Jobs go in batches, one message per thread and event-loop turn: each message wakes a thread, and on a loaded machine a wake-up per page cost more than the page's transfer. */
type ToExtractor = { jobs: { id: number; job: PageJob }[] };
type FromExtractor = { results: ({ id: number; result: PageResult } | { id: number; error: string })[] };

const READY = 'CRAWL_EXTRACT_WORKER_READY';

/**
 * The worker thread loads the app's own bundle (the script that started the crawl), so nothing
 * extra has to be built or shipped. Loading it runs the rest of the bundle too (the app's entry
 * would parse the command line and start a crawl), so once this module has set up the thread it
 * throws a marker that stops the bundle there, and this boot code swallows that marker.
 */
const BOOT = `
const { workerData } = require('node:worker_threads');
try {
  require(workerData.crawlExtract.script);
} catch (err) {
  if (!err || err.code !== '${READY}') throw err;
}
`;

function isExtractWorker(data: unknown): data is ExtractWorkerData {
  return typeof data === 'object' && data !== null && typeof (data as Partial<ExtractWorkerData>).crawlExtract === 'object';
}

/** Serves extraction jobs in a worker thread: each batch's results go back in one message. */
function serveExtraction(context: PageContext): void {
  const port = parentPort!;
  const robotsMeta = robotsMetaPattern(context.robotsToken);
  port.on('message', ({ jobs }: ToExtractor) => {
    const results: FromExtractor['results'] = [];
    // Document lines go back as transferred buffers: the crawl thread writes them as they are.
    const transfer: ArrayBuffer[] = [];
    for (const { id, job } of jobs) {
      try {
        const result = extractPage(context, job, robotsMeta);
        if (result.kind === 'page' && result.docLine) transfer.push(result.docLine.buffer as ArrayBuffer);
        results.push({ id, result });
      } catch (err) {
        results.push({ id, error: (err as Error).stack ?? String(err) });
      }
    }
    port.postMessage({ results } satisfies FromExtractor, transfer);
  });
  port.postMessage({ ready: true });
}

if (!isMainThread && isExtractWorker(workerData)) {
  serveExtraction(workerData.crawlExtract.context);
  throw Object.assign(new Error('crawl extraction worker started'), { code: READY });
}

/** Whether a worker thread can load this script: a built bundle, not TypeScript run by Jest. */
export function canServeExtraction(script: string): boolean {
  return /\.(c?js)$/.test(script);
}

/** The script that holds this module: the app's bundle when built. */
export const OWN_SCRIPT = __filename;

/**
 * The script extraction threads load by default: the dedicated worker bundle the build writes
 * beside the app bundles (`dist/workers/crawl-extract.js`, from `dist/<apps|tools>/<name>/main.js`),
 * else the app's own bundle.
 */
export function defaultWorkerScript(): string {
  const dedicated = join(dirname(OWN_SCRIPT), '..', '..', 'workers', 'crawl-extract.js');
  return canServeExtraction(OWN_SCRIPT) && existsSync(dedicated) ? dedicated : OWN_SCRIPT;
}

/** Pages per second at which threads start, unless told otherwise. */
const DEFAULT_START_RATE = 100;
/** A thread not up after this long counts as failed (its waiting pages are extracted on the calling thread). */
const DEFAULT_START_TIMEOUT_MS = 10_000;

export interface ExtractPoolOptions {
  /** Worker threads (0: every page on the calling thread). */
  threads: number;
  /** The script the threads load. Default: `defaultWorkerScript()`. */
  script?: string;
  /** Threads start once this many pages arrive within one second; 0 starts them at once. Default 100. */
  startAtPagesPerSec?: number;
  /** A thread that has not loaded after this many milliseconds is given up. Default 10,000. */
  startTimeoutMs?: number;
  /** Told when a thread fails (its pages are then extracted on the calling thread). */
  onError?(err: Error): void;
}

interface Pending {
  resolve(result: PageResult): void;
  reject(err: Error): void;
  job: PageJob;
}

interface Thread {
  worker: Worker;
  ready: boolean;
  /** Stopped or failed: takes no more jobs. */
  gone: boolean;
  pending: Map<number, Pending>;
  /** Jobs not yet posted (of this turn, or waiting for the thread to load), and the buffers they hand over. */
  outbox: ToExtractor['jobs'];
  transfer: ArrayBuffer[];
  /** Settles once the thread is ready or gone. */
  started: Promise<void>;
}

/**
 * Runs `extractPage` in worker threads so the crawl loop's thread keeps fetching while pages are
 * decoded, reduced and hashed. Jobs go to the ready thread with the fewest pending; while threads
 * are still loading, they wait for one (extracting them on the calling thread instead, with code
 * that is not optimized yet, cost that thread several times a worker's CPU per page). Without
 * threads, and after a thread fails or does not load in time, jobs run on the calling thread: a
 * broken thread costs speed, not pages.
 *
 * Threads start only once pages arrive faster than `startAtPagesPerSec`: a thread's start-up
 * (loading the bundle: about 0.15 s of a core and 25 MB) pays off only for a crawl bound by
 * its own CPU, not for a polite one that waits on per-host delays most of the time.
 */
export class ExtractPool {
  private readonly threads: Thread[] = [];
  private postQueued = false;
  private readonly robotsMeta: RegExp;
  private nextId = 0;
  private closed = false;
  /** Pages extracted in worker threads and on the calling thread (for stats and tests). */
  readonly counts = { threads: 0, inline: 0 };

  private readonly onError: (err: Error) => void;
  private toStart: number;
  private readonly script: string;
  private readonly startAt: number;
  private readonly startTimeoutMs: number;
  private windowStart = 0;
  private windowPages = 0;

  constructor(
    private readonly context: PageContext,
    options: ExtractPoolOptions,
  ) {
    this.robotsMeta = robotsMetaPattern(context.robotsToken);
    this.script = options.script ?? defaultWorkerScript();
    this.onError = options.onError ?? (() => undefined);
    this.toStart = canServeExtraction(this.script) ? Math.max(0, options.threads) : 0;
    this.startAt = options.startAtPagesPerSec ?? DEFAULT_START_RATE;
    this.startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    if (this.startAt <= 0) this.startThreads();
  }

  /** Starts the threads once `startAt` pages arrived within one second. */
  private countPage(): void {
    if (this.toStart === 0) return;
    const now = Date.now();
    if (now - this.windowStart > 1000) {
      this.windowStart = now;
      this.windowPages = 0;
    }
    if (++this.windowPages >= this.startAt) this.startThreads();
  }

  private startThreads(): void {
    for (; this.toStart > 0; this.toStart--) this.startThread(this.script);
  }

  private startThread(script: string): void {
    const worker = new Worker(BOOT, { eval: true, workerData: { crawlExtract: { script, context: this.context } } satisfies ExtractWorkerData });
    let settle!: () => void;
    const started = new Promise<void>((resolve) => (settle = resolve));
    const thread: Thread = { worker, ready: false, gone: false, pending: new Map(), outbox: [], transfer: [], started };
    this.threads.push(thread);
    const startTimer = setTimeout(() => {
      fail(new Error(`extraction thread did not start within ${this.startTimeoutMs} ms`));
      void worker.terminate();
    }, this.startTimeoutMs);
    startTimer.unref();
    worker.on('message', (msg: FromExtractor | { ready: true }) => {
      if ('ready' in msg) {
        clearTimeout(startTimer);
        thread.ready = !this.closed && !thread.gone;
        settle();
        // Jobs that waited for the thread to load.
        if (thread.ready && thread.outbox.length > 0) this.queuePost();
        return;
      }
      for (const reply of msg.results) {
        const waiting = thread.pending.get(reply.id);
        if (!waiting) continue;
        thread.pending.delete(reply.id);
        this.counts.threads++;
        if ('result' in reply) waiting.resolve(reply.result);
        else waiting.reject(new Error(`page extraction failed: ${reply.error}`));
      }
    });
    const fail = (err: Error) => {
      clearTimeout(startTimer);
      settle();
      const at = this.threads.indexOf(thread);
      if (at < 0) return;
      this.threads.splice(at, 1);
      thread.gone = true;
      thread.ready = false;
      this.onError(err);
      // The jobs it held are redone here: extraction is pure, so the result is the same.
      for (const waiting of thread.pending.values()) this.runInline(waiting.job).then(waiting.resolve, waiting.reject);
      thread.pending.clear();
      thread.outbox = [];
      thread.transfer = [];
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`extraction thread exited with code ${code}`)));
  }

  /** Resolves once every thread has started or failed (tests; the crawl never waits for it). */
  async whenStarted(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.started));
  }

  /** Threads serving jobs now. */
  get readyThreads(): number {
    return this.threads.filter((t) => t.ready).length;
  }

  private runInline(job: PageJob): Promise<PageResult> {
    this.counts.inline++;
    try {
      return Promise.resolve(extractPage(this.context, job, this.robotsMeta));
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  /** Extracts a page: in the ready thread with the fewest pending, else one still loading, else here. */
  run(job: PageJob): Promise<PageResult> {
    this.countPage();
    let best: Thread | undefined;
    for (const t of this.threads) if (t.ready && (!best || t.pending.size < best.pending.size)) best = t;
    if (!best) for (const t of this.threads) if (!best || t.pending.size < best.pending.size) best = t;
    if (!best || this.closed) return this.runInline(job);
    const thread = best;
    const id = this.nextId++;
    // A copy is transferred (not cloned: a Buffer's view may span Node's shared pool); the job
    // keeps the original for the inline fallback should the thread die.
    const bytes = new Uint8Array(job.bytes);
    return new Promise<PageResult>((resolve, reject) => {
      thread.pending.set(id, { resolve, reject, job });
      thread.outbox.push({ id, job: { ...job, bytes } });
      thread.transfer.push(bytes.buffer);
      if (thread.ready) this.queuePost();
    });
  }

  private queuePost(): void {
    if (this.postQueued) return;
    this.postQueued = true;
    setImmediate(() => this.post());
  }

  private post(): void {
    this.postQueued = false;
    for (const thread of this.threads) {
      if (!thread.ready || thread.outbox.length === 0) continue;
      thread.worker.postMessage({ jobs: thread.outbox } satisfies ToExtractor, thread.transfer);
      thread.outbox = [];
      thread.transfer = [];
    }
  }

  /** Stops the threads (pending jobs finish first: the crawl awaits every page before closing). */
  async close(): Promise<void> {
    this.closed = true;
    this.toStart = 0;
    const threads = this.threads.splice(0);
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }
}
