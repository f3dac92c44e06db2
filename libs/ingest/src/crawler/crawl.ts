import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { type DocItem, writeFileAtomic } from '@apollo/document';
import { OutputLock, type Logger, type TaskRuntime } from '@apollo/stage';
import type { FetchOptions, ReadLimits } from '../options';
import { problemItem } from '../readers/context';
import { CrawlStats } from './crawl-stats';
import { ExtractPool } from './extract-pool';
import { FetchTally, robotsProblem } from './fetch-tally';
import type { HostGate } from './host-gate';
import { mediaTypeOf } from './http';
import type { CrawlerOptions } from './options';
import type { PageContext } from './page-extract';
import { isTransientReason, PAGE_ACCEPT, PAGE_TYPES, PoliteClient, siteAnswered } from './polite-client';
import type { SiteSource } from './registry';
import { productToken } from './robots';
import { parseSitemap } from './sitemap';
import { CrawlStore, type UrlRecord } from './store';
import { hostAllowed, normalizeUrl, outOfScope } from './url';

/** Everything a source's crawl needs besides the source. */
export interface SiteCrawlContext {
  /** The registry file (stored as `provenance.file`). */
  file: string;
  /** Id of the crawl run (the stage run's first start): the same id resumes, a new one refreshes. */
  run: string;
  /** The stage output folder; the delta and stats files go below it. */
  output: string;
  fetch: FetchOptions;
  crawler: CrawlerOptions;
  limits: ReadLimits;
  log: Logger;
  /** The task's progress: the pages planned and fetched, for the status line's ETA. */
  progress?: Pick<TaskRuntime, 'plan' | 'advance'>;
}

/** One line of `crawl-delta/<source>.jsonl`. */
export interface DeltaEntry {
  change: 'new' | 'changed' | 'deleted';
  url: string;
  sourceId: string;
  /** The new document (new, changed). */
  docId?: string;
  /** The document it replaces (changed) or removes (deleted: the tombstone). */
  previousDocId?: string;
  version?: number;
  httpStatus?: number;
  fetchedAt?: string;
}

interface Entry {
  url: string;
  depth: number;
  kind: 'page' | 'sitemap';
}

const SITEMAP_ACCEPT = 'application/xml,text/xml;q=0.9,text/plain;q=0.5,*/*;q=0.1';
/** Pages past their request (extracting, storing, emitting) allowed per request slot: bounds memory when extraction falls behind. */
const PROCESSING_PER_SLOT = 4;

/**
 * A source whose crawl is incomplete (nothing fetched, or robots.txt unavailable): its documents
 * were output, and the task must be run again.
 */
export class IncompleteSourceError extends Error {
  constructor(
    readonly sourceId: string,
    readonly why: string,
  ) {
    super(`source ${sourceId}: ${why}`);
    this.name = 'IncompleteSourceError';
  }
}

/** Bounded hand-over of items from the crawl loop (many pages at once) to the stage's reader. */
export class ItemChannel {
  private readonly items: DocItem[] = [];
  private wakeReader: (() => void) | undefined;
  private readonly writers: (() => void)[] = [];
  private closed = false;
  private error: unknown;

  constructor(private readonly capacity = 64) {}

  /** Queues an item; resolves once there is room again (every waiting writer is woken). */
  async push(item: DocItem): Promise<void> {
    this.items.push(item);
    this.wakeReader?.();
    while (this.items.length > this.capacity && !this.closed) await new Promise<void>((resolve) => this.writers.push(resolve));
  }

  close(error?: unknown): void {
    this.closed = true;
    this.error = error;
    this.wakeReader?.();
    this.wakeWriters();
  }

  private wakeWriters(): void {
    for (const wake of this.writers.splice(0)) wake();
  }

  async *drain(): AsyncGenerator<DocItem> {
    for (;;) {
      const item = this.items.shift();
      if (item) {
        if (this.items.length <= this.capacity / 2) this.wakeWriters();
        yield item;
        continue;
      }
      if (this.closed) {
        if (this.error) throw this.error;
        return;
      }
      await new Promise<void>((resolve) => (this.wakeReader = resolve));
      this.wakeReader = undefined;
    }
  }
}

/**
 * Crawls one source: seeds and sitemaps, links within the scope, politely (robots.txt, per-host
 * delay and concurrency, retries with backoff, Retry-After), with every URL's state in the crawl
 * store. In a new run, every URL the store knows is re-fetched conditionally; only new and
 * changed pages become documents, and the run's delta (new, changed, deleted) is written to
 * `<output>/crawl-delta/<source id>.jsonl`.
 */
export class SiteCrawler {
  readonly stats = new CrawlStats();
  /** Whether the site answered this run's page requests (decides whether the source is complete). */
  readonly tally = new FetchTally();
  private readonly options: CrawlerOptions;
  private readonly store: CrawlStore;
  private readonly client: PoliteClient;
  private readonly queues = new Map<string, Entry[]>();
  private readonly inFrontier = new Set<string>();
  private readonly fetched = new Set<string>();
  private readonly hostActive = new Map<string, number>();
  private active = 0;
  /** Pages whose response is in and that are still being extracted, stored or emitted. */
  private processing = 0;
  private pagesDispatched = 0;
  private sitemapsDispatched = 0;
  private wake: (() => void) | undefined;
  private aborted = false;
  private readonly pageCtx: PageContext;
  private pool: ExtractPool | undefined;
  private readonly token: string;
  private readonly maxPages: number;
  /** Pages counted in the task's planned work (at most `maxPages`). */
  private pagesPlanned = 0;
  /** `<lastmod>` of pages listed by this run's sitemaps (for `trustLastmod`). */
  private readonly lastmods = new Map<string, string>();

  constructor(
    readonly source: SiteSource,
    private readonly ctx: SiteCrawlContext,
  ) {
    this.options = { ...ctx.crawler, ...source.crawler };
    this.store = new CrawlStore(join(this.options.stateDir, source.id));
    this.client = new PoliteClient(ctx.fetch, this.options, {
      log: ctx.log,
      logFields: { source: source.id },
      stats: this.stats,
      seen: this.fetched,
      mayRedirectTo: (url) => hostAllowed(url.host, source.scope.hosts),
      onRobots: (policy) => {
        if (this.options.robotsSitemaps) for (const sitemap of policy.sitemaps) this.enqueue(sitemap, 0, 'sitemap');
      },
    });
    this.token = productToken(ctx.fetch.userAgent);
    this.maxPages = this.options.maxPagesCap > 0 ? Math.min(this.options.maxPagesCap, source.scope.maxPages) : source.scope.maxPages;
    this.pageCtx = {
      run: ctx.run,
      robotsToken: this.token,
      scope: source.scope,
      sortQuery: this.options.sortQuery,
      read: {
        spec: {
          file: ctx.file,
          sourceId: source.id,
          format: 'html',
          source: source.source,
          stage: source.stage,
          lang: source.lang,
          license: source.license,
          ...(source.maxChars ? { maxChars: source.maxChars } : {}),
        },
        limits: source.maxChars ? { ...ctx.limits, maxChars: source.maxChars } : ctx.limits,
      },
    };
  }

  /** The gate of a host (for tests: request start times). */
  gate(host: string): HostGate {
    return this.client.gate(host);
  }

  /**
   * The page extractor. Its threads start with the crawl when the per-host delay is off (a bulk
   * crawl, bound by its own CPU), else only once pages arrive fast (see `ExtractPool`).
   */
  private extractor(): ExtractPool {
    this.pool ??= new ExtractPool(this.pageCtx, {
      threads: this.options.extractThreads,
      ...(this.options.delayMs === 0 ? { startAtPagesPerSec: 0 } : {}),
      onError: (err) => this.ctx.log.warn('extraction thread failed; pages are extracted on the crawl thread', { source: this.source.id, error: err.message }),
    });
    return this.pool;
  }

  /** Documents and drops of the crawl, in the order pages finish. */
  async *items(): AsyncGenerator<DocItem> {
    // Two crawls sharing a state folder (another --output, the same stateDir) would interleave
    // their writes to the source's store: the second is refused, naming the first.
    const lock = await OutputLock.acquire(join(this.options.stateDir, this.source.id));
    try {
      yield* this.crawlItems();
    } finally {
      await lock.release();
    }
  }

  private async *crawlItems(): AsyncGenerator<DocItem> {
    this.store.open();
    const mode = this.store.begin(this.ctx.run);
    // A bulk crawl's threads load while robots.txt and the sitemaps are fetched: pages that
    // arrive before a thread is up are extracted here, with code not yet optimized, at several
    // times a thread's cost per page.
    if (this.options.delayMs === 0) this.extractor();
    const channel = new ItemChannel();
    const timer = setInterval(() => this.ctx.log.info('crawl progress', { source: this.source.id, ...this.snapshot() }), this.options.statsEveryMs);
    timer.unref();
    try {
      if (mode === 'resumed') {
        for await (const { doc } of this.store.runDocs()) yield { doc, bytes: Buffer.byteLength(doc.text) };
      }
      this.ctx.log.info(mode === 'resumed' ? 'crawl resumed' : 'crawl started', { source: this.source.id, run: this.ctx.run, known: this.store.records.size });
      const loop = this.loop(channel).then(
        () => channel.close(),
        (err: unknown) => channel.close(err),
      );
      try {
        yield* channel.drain();
      } finally {
        // Also reached when the reader stops early: closing the channel releases blocked pages.
        this.aborted = true;
        channel.close();
        this.wake?.();
        await loop;
      }
      // Planned pages the crawl did not fetch (limits, duplicates) are given back.
      this.ctx.progress?.plan?.(this.stats.pages - this.pagesPlanned, 'pages');
      const incomplete = this.incompleteness();
      await this.writeOutputs(incomplete);
      this.ctx.log.info('crawl finished', { source: this.source.id, ...this.snapshot() });
      if (incomplete) throw new IncompleteSourceError(this.source.id, incomplete);
    } finally {
      clearInterval(timer);
      await this.pool?.close();
      await this.store.close();
      await this.client.close();
    }
  }

  /** Why this run of the source is incomplete (see `FetchTally`), or undefined when it is complete. */
  private incompleteness(): string | undefined {
    if (this.tally.attempted === 0) return ['nothing fetched: no page was requested', ...this.client.robotsFailures().map(robotsProblem)].join('; ');
    return this.tally.incompleteness('page', this.client.robotsFailures());
  }

  /**
   * Whether a record's validators and document come from an earlier fetch than this run's: a
   * record of an earlier run, or one this run could not fetch (its failure kept them).
   */
  private fromEarlierFetch(record: UrlRecord): boolean {
    return record.run !== this.ctx.run || record.state === 'failed' || record.state === 'skipped';
  }

  /** Pages extracted in worker threads so far (the rest were extracted on the crawl thread). */
  get extractedInThreads(): number {
    return this.pool?.counts.threads ?? 0;
  }

  private snapshot(): Record<string, unknown> {
    const hostQueues: Record<string, number> = {};
    let frontier = 0;
    for (const [host, q] of this.queues) {
      frontier += q.length;
      if (q.length > 0) hostQueues[host] = q.length;
    }
    return { ...this.stats.snapshot(frontier, hostQueues), extractedInThreads: this.extractedInThreads };
  }

  private seed(): void {
    const run = this.ctx.run;
    // A resumed run fetches again what the site did not answer before (it was down or busy): a
    // rerun of an incomplete task is how such a night is completed.
    const settled = (record: UrlRecord) => record.run === run && record.state !== 'queued' && !isTransientReason(record.reason);
    for (const record of this.store.records.values()) {
      if (!settled(record)) continue;
      this.fetched.add(record.url);
      if (record.kind === 'page' && (record.state === 'done' || record.state === 'failed')) this.pagesDispatched++;
      if (record.kind === 'sitemap') this.sitemapsDispatched++;
      if (record.kind === 'page' && record.state === 'done') this.tally.answer();
      else if (record.kind === 'page') this.tally.fail(record.url, record.reason ?? 'unknown', `${record.reason ?? 'failed'} before the run was resumed`);
    }
    // Due: everything a previous run knew (refresh), and what this run queued or could not fetch before it stopped.
    for (const record of this.store.records.values()) {
      if (!settled(record)) {
        // A source whose scope was narrowed since stops refreshing what it no longer covers.
        if (record.kind === 'page' && outOfScope(record.url, this.source.scope)) continue;
        this.push({ url: record.url, depth: record.depth, kind: record.kind });
      }
    }
    for (const url of this.source.sitemaps) this.enqueue(url, 0, 'sitemap');
    for (const url of this.source.seeds) this.enqueue(url, 0, 'page');
  }

  private push(entry: Entry): void {
    if (this.inFrontier.has(entry.url) || this.fetched.has(entry.url)) return;
    if (entry.kind === 'page' && this.pagesPlanned < this.maxPages) {
      this.pagesPlanned++;
      this.ctx.progress?.plan?.(1, 'pages');
    }
    const host = new URL(entry.url).host;
    let q = this.queues.get(host);
    if (!q) {
      q = [];
      this.queues.set(host, q);
    }
    // Sitemaps first: they are where most of the frontier comes from.
    if (entry.kind === 'sitemap') q.unshift(entry);
    else q.push(entry);
    this.inFrontier.add(entry.url);
    this.wake?.();
  }

  /** Adds a discovered URL to the frontier (and the store) if it is new to this run and in scope. */
  private enqueue(raw: string, depth: number, kind: Entry['kind'], lastmod?: string): void {
    const url = normalizeUrl(raw, undefined, this.options.sortQuery);
    if (url && lastmod && kind === 'page') this.lastmods.set(url, lastmod);
    if (!url || this.inFrontier.has(url) || this.fetched.has(url)) return;
    if (kind === 'page' ? outOfScope(url, this.source.scope) : !hostAllowed(new URL(url).host, this.source.scope.hosts)) return;
    const prior = this.store.get(url);
    // Already settled in this run (the seen-set covers it too; the store is the durable truth).
    // (A page this run could not fetch before it stopped was put in the frontier by `seed`.)
    if (prior && prior.run === this.ctx.run && prior.state !== 'queued') return;
    if (prior && prior.run !== this.ctx.run) {
      // Known from an earlier run: it is already due for refresh.
      if (lastmod && lastmod !== prior.lastmod) this.store.put({ ...prior, lastmod });
      this.push({ url, depth: Math.min(depth, prior.depth), kind });
      return;
    }
    this.store.put({ url, kind, depth, run: this.ctx.run, state: 'queued', errors: 0, ...(lastmod ? { lastmod } : {}) });
    this.push({ url, depth, kind });
  }

  private async loop(channel: ItemChannel): Promise<void> {
    this.seed();
    const emit = (item: DocItem) => channel.push(item);
    for (;;) {
      if (this.aborted) break;
      let dispatched = false;
      for (const [host, q] of this.queues) {
        while (
          q.length > 0 &&
          this.active < this.options.concurrency &&
          this.processing < this.options.concurrency * PROCESSING_PER_SLOT &&
          (this.hostActive.get(host) ?? 0) < this.options.perHostConcurrency
        ) {
          const next = q[0]!;
          if (next.kind === 'page' && this.pagesDispatched >= this.maxPages) break;
          q.shift();
          this.inFrontier.delete(next.url);
          if (this.fetched.has(next.url)) continue;
          if (next.kind === 'sitemap' && this.sitemapsDispatched >= this.options.maxSitemaps) {
            // Left queued in the store: the next run reads it (sitemaps are never output).
            if (this.sitemapsDispatched++ === this.options.maxSitemaps) {
              this.ctx.log.warn('sitemap limit reached; further sitemaps wait for the next run', { source: this.source.id, maxSitemaps: this.options.maxSitemaps });
            }
            continue;
          }
          if (next.kind === 'page') this.pagesDispatched++;
          else this.sitemapsDispatched++;
          this.start(host, next, emit);
          dispatched = true;
        }
      }
      if (this.active === 0 && this.processing === 0 && !dispatched) break;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
    while (this.active > 0 || this.processing > 0) {
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }

  private start(host: string, entry: Entry, emit: (item: DocItem) => Promise<void>): void {
    this.active++;
    this.hostActive.set(host, (this.hostActive.get(host) ?? 0) + 1);
    // A page gives its request slot back once its response is in: decoding, extraction and the
    // store writes then overlap the next requests instead of holding a slot (`processing`).
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.active--;
      this.hostActive.set(host, (this.hostActive.get(host) ?? 1) - 1);
      this.processing++;
      this.wake?.();
    };
    const work = entry.kind === 'sitemap' ? this.crawlSitemap(entry) : this.crawlPage(entry, emit, release);
    work
      .catch((err: Error) => emit(problemItem('fetch_failed', `crawler error: ${err.message}`, { file: this.ctx.file, url: entry.url }, 0)))
      .finally(() => {
        if (released) {
          this.processing--;
        } else {
          this.active--;
          this.hostActive.set(host, (this.hostActive.get(host) ?? 1) - 1);
        }
        this.wake?.();
      });
  }

  /**
   * The validators of a URL's last fetched content, for a conditional request. Kept on the record
   * across failed and skipped fetches, so a night the site was down costs the next one nothing.
   */
  private conditionalFor(prior: UrlRecord | undefined): { etag?: string; lastModified?: string } {
    if (!prior || !this.fromEarlierFetch(prior)) return {};
    return { ...(prior.etag ? { etag: prior.etag } : {}), ...(prior.lastModified ? { lastModified: prior.lastModified } : {}) };
  }

  private async crawlSitemap(entry: Entry): Promise<void> {
    const prior = this.store.get(entry.url);
    const result = await this.client.fetch(new URL(entry.url), { ...this.conditionalFor(prior), accept: SITEMAP_ACCEPT, wantBody: () => true });
    const base: UrlRecord = { ...(prior ?? { errors: 0 }), url: entry.url, kind: 'sitemap', depth: 0, run: this.ctx.run, state: 'done', fetchedAt: new Date().toISOString() };
    if ('refused' in result) {
      this.stats.failure(result.refused);
      this.store.put({ ...base, state: result.refused.startsWith('robots') ? 'skipped' : 'failed', reason: result.refused });
      return;
    }
    const { outcome } = result;
    if (outcome.kind === 'error' || (outcome.status !== 304 && (outcome.status < 200 || outcome.status >= 300))) {
      const reason = outcome.kind === 'error' ? outcome.reason : `http_${outcome.status}`;
      this.stats.failure(reason);
      this.ctx.log.warn('sitemap not read', { source: this.source.id, url: entry.url, reason });
      this.store.put({ ...base, state: 'failed', reason, errors: base.errors + 1 });
      return;
    }
    if (outcome.status === 304) {
      this.store.put({ ...base, httpStatus: 304, errors: 0 });
      return;
    }
    let bytes = outcome.body ?? Buffer.alloc(0);
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
      try {
        bytes = gunzipSync(bytes, { maxOutputLength: this.ctx.fetch.maxBytes });
      } catch (err) {
        this.stats.failure('bad_encoding');
        this.store.put({ ...base, state: 'failed', reason: 'bad_encoding', errors: base.errors + 1 });
        this.ctx.log.warn('sitemap not read', { source: this.source.id, url: entry.url, reason: (err as Error).message });
        return;
      }
    }
    const text = bytes.toString('utf8');
    const sitemap = parseSitemap(text);
    if (sitemap?.kind === 'index') for (const e of sitemap.entries) this.enqueue(e.loc, 0, 'sitemap', e.lastmod);
    else if (sitemap) for (const e of sitemap.entries) this.enqueue(e.loc, 0, 'page', e.lastmod);
    else if (mediaTypeOf(outcome.contentType) === 'text/plain') {
      for (const line of text.split(/\r?\n/)) if (line.trim()) this.enqueue(line.trim(), 0, 'page');
    }
    this.store.put({
      ...base,
      httpStatus: outcome.status,
      errors: 0,
      ...(outcome.etag ? { etag: outcome.etag } : {}),
      ...(outcome.lastModified ? { lastModified: outcome.lastModified } : {}),
    });
  }

  private enqueueLinks(links: readonly string[], depth: number): void {
    if (depth > this.source.scope.maxDepth) return;
    for (const link of links) this.enqueue(link, depth, 'page');
  }

  private async crawlPage(entry: Entry, emit: (item: DocItem) => Promise<void>, release: () => void): Promise<void> {
    const prior = this.store.get(entry.url);
    const refreshing = prior !== undefined && this.fromEarlierFetch(prior);
    const at = { file: this.ctx.file, url: entry.url };
    const lastmod = this.lastmods.get(entry.url);
    if (this.options.trustLastmod && refreshing && prior.state === 'done' && prior.docId && prior.fetchedAt && lastmod && Date.parse(lastmod) < Date.parse(prior.fetchedAt)) {
      // The sitemap says the page has not changed since it was fetched: no request at all.
      this.fetched.add(entry.url);
      this.tally.answer();
      this.stats.changes.unchanged!++;
      this.store.put({ ...prior, run: this.ctx.run, change: 'unchanged', lastmod });
      this.enqueueLinks(prior.links ?? [], prior.depth + 1);
      return;
    }
    const result = await this.client.fetch(new URL(entry.url), { ...this.conditionalFor(prior), accept: PAGE_ACCEPT, wantBody: (media) => PAGE_TYPES.has(media) });
    release();
    if (siteAnswered(result)) this.tally.answer();
    else if ('refused' in result) this.tally.fail(entry.url, result.refused, result.detail);
    else if (result.outcome.kind === 'error') this.tally.fail(entry.url, result.outcome.reason, result.outcome.detail);
    else this.tally.fail(entry.url, `http_${result.outcome.status}`, `server answered ${result.outcome.status}`);
    const fetchedAt = new Date().toISOString();
    // The previous outcome's reason and change do not carry over (left out rather than deleted:
    // `delete` turns the record into a slow dictionary-mode object for every later spread).
    const { reason: _reason, change: _change, ...kept }: Partial<UrlRecord> & Pick<UrlRecord, 'errors'> = prior ?? { errors: 0 };
    const base: UrlRecord = {
      ...kept,
      url: entry.url,
      kind: 'page',
      depth: Math.min(entry.depth, prior?.depth ?? entry.depth),
      run: this.ctx.run,
      state: 'done',
      fetchedAt,
    };
    this.stats.pages++;
    this.ctx.progress?.advance?.(1, 'outcome' in result && result.outcome.kind === 'response' ? result.outcome.rawBytes : 0);
    const fail = async (reason: string, detail: string, state: UrlRecord['state'], extra: Partial<UrlRecord> = {}) => {
      this.stats.failure(reason);
      this.store.put({ ...base, ...extra, state, reason, errors: state === 'failed' ? base.errors + 1 : base.errors });
      await emit(problemItem(reason, detail, at, 0));
    };
    if ('refused' in result) return fail(result.refused, result.detail, result.refused.startsWith('robots') || result.refused === 'duplicate_url' ? 'skipped' : 'failed');
    const { outcome } = result;
    if (outcome.kind === 'error') return fail(outcome.reason, outcome.detail, 'failed');
    const validators = { ...(outcome.etag ? { etag: outcome.etag } : {}), ...(outcome.lastModified ? { lastModified: outcome.lastModified } : {}) };
    // A record's validators are those of the content it was last read from: a body read now
    // replaces them (a page that is gone, or has no usable text, keeps none of the old ones, so
    // its return is never answered 304 against a document that was removed).
    const { etag: _etag, lastModified: _lastModified, ...unvalidated } = base;
    if (outcome.status === 304) {
      this.stats.changes.unchanged!++;
      this.store.put({ ...base, httpStatus: 304, change: 'unchanged', errors: 0 });
      // The page's links were stored: a refresh still discovers through unchanged pages.
      this.enqueueLinks(prior?.links ?? [], base.depth + 1);
      return;
    }
    if ((outcome.status === 404 || outcome.status === 410) && prior?.docId) {
      this.stats.changes.deleted!++;
      const { docId, ...rest } = unvalidated;
      this.store.put({ ...rest, httpStatus: outcome.status, change: 'deleted', previousDocId: docId, errors: 0, links: [] });
      return;
    }
    if (outcome.status < 200 || outcome.status >= 300) return fail(`http_${outcome.status}`, `server answered ${outcome.status}`, 'failed', { httpStatus: outcome.status });
    const media = mediaTypeOf(outcome.contentType);
    if (!PAGE_TYPES.has(media) || !outcome.body) {
      return fail('unsupported_type', `content type ${JSON.stringify(outcome.contentType || '(none)')} is neither HTML nor plain text`, 'skipped', { httpStatus: outcome.status });
    }
    // The version the page's document gets if it is new or changed (set by the extractor).
    const version = (prior?.version ?? 0) + 1;
    const extracted = await this.extractor().run({
      bytes: outcome.body,
      media,
      contentType: outcome.contentType,
      requestedUrl: entry.url,
      finalUrl: result.finalUrl,
      fetchedAt,
      wantLinks: base.depth + 1 <= this.source.scope.maxDepth,
      version,
      ...(prior?.docId ? { previousDocId: prior.docId } : {}),
    });
    if (extracted.kind === 'unsupported_charset') {
      return fail('unsupported_charset', `charset ${JSON.stringify(extracted.label)} (from ${extracted.from}) is not supported`, 'failed', { httpStatus: outcome.status });
    }
    const { links } = extracted;
    if (extracted.noindex || !extracted.item) {
      this.enqueueLinks(links, base.depth + 1);
      return fail('noindex', 'the page asks not to be indexed (meta robots noindex)', 'skipped', { httpStatus: outcome.status, links, ...validators });
    }
    const item = extracted.item;
    this.enqueueLinks(links, base.depth + 1);
    if ('problem' in item) {
      // The page no longer has usable text: for a page that had a document, that is a deletion.
      if (prior?.docId) {
        this.stats.changes.deleted!++;
        const { docId, ...rest } = unvalidated;
        this.store.put({ ...rest, ...validators, httpStatus: outcome.status, change: 'deleted', previousDocId: docId, links, errors: 0 });
      } else {
        this.store.put({ ...unvalidated, ...validators, httpStatus: outcome.status, reason: item.problem.reason, links, errors: 0 });
      }
      this.stats.failure(item.problem.reason);
      await emit(item);
      return;
    }
    const doc = item.doc;
    if (refreshing && prior?.docId === doc.id) {
      this.stats.changes.unchanged!++;
      this.store.put({ ...unvalidated, ...validators, httpStatus: outcome.status, change: 'unchanged', links, errors: 0 });
      return;
    }
    const change = prior?.docId ? 'changed' : 'new';
    // The extractor set the version and previous id on the document's meta and serialized it.
    this.stats.changes[change]!++;
    if (extracted.docLine) this.store.putDocLine(extracted.docLine);
    else this.store.putDoc(entry.url, doc);
    const { previousDocId: _old, ...rest } = unvalidated;
    this.store.put({
      ...rest,
      ...validators,
      httpStatus: outcome.status,
      docId: doc.id,
      version,
      change,
      ...(prior?.docId ? { previousDocId: prior.docId } : {}),
      links,
      errors: 0,
    });
    await emit(item);
  }

  /** Writes the run's delta (from the store, so a resumed run's delta is whole) and stats. */
  private async writeOutputs(incomplete: string | undefined): Promise<void> {
    const delta: DeltaEntry[] = [];
    for (const r of this.store.records.values()) {
      if (r.run !== this.ctx.run || r.kind !== 'page' || (r.change !== 'new' && r.change !== 'changed' && r.change !== 'deleted')) continue;
      delta.push({
        change: r.change,
        url: r.url,
        sourceId: this.source.id,
        ...(r.docId ? { docId: r.docId } : {}),
        ...(r.previousDocId ? { previousDocId: r.previousDocId } : {}),
        ...(r.version ? { version: r.version } : {}),
        ...(r.httpStatus ? { httpStatus: r.httpStatus } : {}),
        ...(r.fetchedAt ? { fetchedAt: r.fetchedAt } : {}),
      });
    }
    delta.sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
    const deltaDir = join(this.ctx.output, 'crawl-delta');
    const statsDir = join(this.ctx.output, 'crawl-stats');
    await mkdir(deltaDir, { recursive: true });
    await mkdir(statsDir, { recursive: true });
    await writeFileAtomic(join(deltaDir, `${this.source.id}.jsonl`), delta.map((d) => JSON.stringify(d) + '\n').join(''));
    const counts = { new: 0, changed: 0, deleted: 0 };
    for (const d of delta) counts[d.change]++;
    const completeness = { complete: incomplete === undefined, ...(incomplete ? { incomplete } : {}), pagesAnswered: this.tally.answered, pagesAttempted: this.tally.attempted };
    await writeFileAtomic(
      join(statsDir, `${this.source.id}.json`),
      JSON.stringify({ source: this.source.id, run: this.ctx.run, ...completeness, delta: counts, minRequestSpacingMs: this.client.minSpacingMs(), ...this.snapshot() }, null, 2) + '\n',
    );
  }
}

/** Crawls one source (see `SiteCrawler`). */
export function crawlSite(source: SiteSource, ctx: SiteCrawlContext): AsyncGenerator<DocItem> {
  return new SiteCrawler(source, ctx).items();
}
