/**
 * Options of the web crawler (plain data: they travel to worker threads in the task config). The
 * politeness ones (delay, concurrency, retries, robots.txt, private hosts) also govern URL lists.
 */
export interface CrawlerOptions {
  /** Folder of the persistent crawl state, one subfolder per source. Default `output/crawl-state`. */
  stateDir: string;
  /** Least time between two request starts to one host, in ms; a larger robots.txt Crawl-delay wins. Default 1,000. */
  delayMs: number;
  /** Requests in flight to one host. Default 1. */
  perHostConcurrency: number;
  /** Requests in flight, all hosts of a task together. Default 16. */
  concurrency: number;
  /** Retries of a request (robots.txt included) after a network error, a timeout, a 5xx or a 429. Default 3. */
  maxRetries: number;
  /** First backoff before a retry, in ms; doubles per attempt, with jitter. Default 500. */
  backoffBaseMs: number;
  /** Longest backoff, in ms. Default 30,000. */
  backoffMaxMs: number;
  /** Longest wait a Retry-After header (429, 503) can impose, in ms. Default 120,000. */
  maxRetryAfterMs: number;
  /** Largest robots.txt Crawl-delay honoured, in ms (larger ones are capped). Default 30,000. */
  maxCrawlDelayMs: number;
  /** How long a host whose robots.txt answered 5xx or 429 or was unreachable, after the retries, counts as disallowing everything, in ms. Default 600,000. */
  robotsErrorMs: number;
  /** Lets hosts that resolve to private, loopback or link-local addresses be fetched (tests, intranets). Default false. */
  allowPrivateHosts: boolean;
  /** Sorts query parameters when normalizing URLs (`?b=1&a=2` equals `?a=2&b=1`). Default false. */
  sortQuery: boolean;
  /** Reads the sitemaps that robots.txt lists (within the source's hosts). Default true. */
  robotsSitemaps: boolean;
  /** Sitemaps (and sitemap indexes) read per source and run at most: big sites list thousands. Default 200. */
  maxSitemaps: number;
  /** Caps every source's `scope.maxPages` (a trial run over a whole registry); 0 leaves them. Default 0. */
  maxPagesCap: number;
  /**
   * Skips re-fetching a known page whose `<lastmod>` in this run's sitemap is older than the last
   * fetch. Saves requests on sites with accurate lastmod; misses changes on sites whose lastmod
   * lags. Default false (every known page gets a conditional request).
   */
  trustLastmod: boolean;
  /** Interval of progress log lines, in ms. Default 10,000. */
  statsEveryMs: number;
  /**
   * Worker threads that decode pages, extract their main text and build their documents while
   * the crawl thread keeps fetching; 0 does it all on the crawl thread. They start with the
   * first page when `delayMs` is 0, otherwise once pages arrive at 100 per second or more (a
   * polite crawl never needs them), and only when the crawler runs from a built bundle (under
   * Jest, pages are extracted on the crawl thread). Default 1.
   */
  extractThreads: number;
}

export const DEFAULT_CRAWLER_OPTIONS: CrawlerOptions = {
  stateDir: 'output/crawl-state',
  delayMs: 1000,
  perHostConcurrency: 1,
  concurrency: 16,
  maxRetries: 3,
  backoffBaseMs: 500,
  backoffMaxMs: 30_000,
  maxRetryAfterMs: 120_000,
  maxCrawlDelayMs: 30_000,
  robotsErrorMs: 600_000,
  allowPrivateHosts: false,
  sortQuery: false,
  robotsSitemaps: true,
  maxSitemaps: 200,
  maxPagesCap: 0,
  trustLastmod: false,
  statsEveryMs: 10_000,
  extractThreads: 1,
};

/** Checks a (partial) options object from a pipeline section or a source; names the bad field. */
export function parseCrawlerOptions(value: unknown, where: string, base: CrawlerOptions = DEFAULT_CRAWLER_OPTIONS): Partial<CrawlerOptions> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${where} must be an object`);
  const out: Partial<CrawlerOptions> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (!(key in base)) throw new Error(`${where}: unknown field "${key}" (allowed: ${Object.keys(base).join(', ')})`);
    const k = key as keyof CrawlerOptions;
    const expected = typeof base[k];
    if (expected === 'string' && (typeof v !== 'string' || v.length === 0)) throw new Error(`${where}.${key} must be a non-empty string`);
    if (expected === 'boolean' && typeof v !== 'boolean') throw new Error(`${where}.${key} must be true or false`);
    if (expected === 'number') {
      const min = k === 'delayMs' || k === 'maxRetries' || k === 'backoffBaseMs' || k === 'maxRetryAfterMs' || k === 'maxCrawlDelayMs' || k === 'robotsErrorMs' || k === 'maxPagesCap' || k === 'extractThreads' ? 0 : 1;
      if (!Number.isInteger(v) || (v as number) < min) throw new Error(`${where}.${key} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
    }
    (out as Record<string, unknown>)[k] = v;
  }
  return out;
}
