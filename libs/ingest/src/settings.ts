import { setting, type SettingsSpec } from '@apollo/stage';
import { DEFAULT_CRAWLER_OPTIONS, type CrawlerOptions } from './crawler/options';
import { DEFAULT_FETCH_OPTIONS, DEFAULT_READ_LIMITS, type FetchOptions } from './options';

/** The crawl stage's settings, as a pipeline file's `stages.crawl` section and the command line give them. */
export interface CrawlSettings {
  maxChars: number;
  maxFileBytes: number;
  fetch: FetchOptions;
  crawler: CrawlerOptions;
}

const ms = (description: string, dflt: number, min: number, flag?: string) => setting.integer(`${description}, in ms`, dflt, { min, ...(flag ? { flag } : {}) });

const F = DEFAULT_FETCH_OPTIONS;
const C = DEFAULT_CRAWLER_OPTIONS;

export const CRAWL_SETTINGS: SettingsSpec<CrawlSettings> = {
  maxChars: setting.integer('largest document, in characters (UTF-16 code units); larger ones are dropped as too_large', DEFAULT_READ_LIMITS.maxChars, { min: 1, flag: '--max-chars <n>' }),
  maxFileBytes: setting.integer('largest .txt or .html file read whole, in bytes (too_large above, without reading it)', DEFAULT_READ_LIMITS.maxFileBytes, { min: 1, flag: '--max-file-bytes <n>' }),
  fetch: setting.group('limits of each HTTP request (web crawl and URL lists)', {
    userAgent: setting.string('sent as User-Agent', F.userAgent, { nonEmpty: true, flag: '--user-agent <text>' }),
    headersTimeoutMs: ms('time allowed until the response headers arrive', F.headersTimeoutMs, 1),
    bodyTimeoutMs: ms('longest pause allowed between two body chunks', F.bodyTimeoutMs, 1),
    totalTimeoutMs: ms('whole-request deadline (redirects and body included)', F.totalTimeoutMs, 1, '--fetch-timeout <ms>'),
    maxBytes: setting.integer('largest accepted response body, in bytes; the download is aborted above it', F.maxBytes, { min: 1, flag: '--max-fetch-bytes <n>' }),
    maxRedirects: setting.integer('redirects followed before giving up (too_many_redirects)', F.maxRedirects, { min: 0, flag: '--max-redirects <n>' }),
  }),
  crawler: setting.group('politeness, retries and robots.txt (web crawl and URL lists); state and discovery of the web crawl (--sources)', {
    stateDir: setting.path('folder of the persistent crawl state, one subfolder per source', C.stateDir, { flag: '--state-dir <dir>' }),
    delayMs: ms('least time between two request starts to one host; a larger robots.txt Crawl-delay wins', C.delayMs, 0, '--delay <ms>'),
    perHostConcurrency: setting.integer('requests in flight to one host, per task', C.perHostConcurrency, { min: 1, flag: '--per-host-concurrency <n>' }),
    concurrency: setting.integer('requests in flight, all hosts of a task together', C.concurrency, { min: 1, flag: '--fetch-concurrency <n>' }),
    maxRetries: setting.integer('retries of a request (robots.txt included) after a network error, a timeout, a 5xx or a 429', C.maxRetries, { min: 0, flag: '--max-retries <n>' }),
    backoffBaseMs: ms('first backoff before a retry (doubles per attempt, with jitter)', C.backoffBaseMs, 0),
    backoffMaxMs: ms('longest backoff', C.backoffMaxMs, 1),
    maxRetryAfterMs: ms('longest wait a Retry-After header (429, 503) can impose', C.maxRetryAfterMs, 0),
    maxCrawlDelayMs: ms('largest robots.txt Crawl-delay honoured (larger ones are capped)', C.maxCrawlDelayMs, 0),
    robotsErrorMs: ms('how long a host whose robots.txt answered 5xx or 429 or was unreachable, after the retries, counts as disallowing everything', C.robotsErrorMs, 0),
    allowPrivateHosts: setting.boolean('let hosts that resolve to private, loopback or link-local addresses be fetched (tests, intranets)', C.allowPrivateHosts, { flag: '--allow-private-hosts' }),
    sortQuery: setting.boolean('sort query parameters when normalizing URLs', C.sortQuery),
    robotsSitemaps: setting.boolean('read the sitemaps that robots.txt lists (within the source\'s hosts)', C.robotsSitemaps),
    maxSitemaps: setting.integer('sitemaps (and sitemap indexes) read per source and run at most', C.maxSitemaps, { min: 1 }),
    maxPagesCap: setting.integer("caps every source's scope.maxPages (a trial run over a whole registry); 0 leaves them", C.maxPagesCap, { min: 0, flag: '--max-pages <n>' }),
    trustLastmod: setting.boolean('skip re-fetching a known page whose sitemap <lastmod> is older than the last fetch', C.trustLastmod),
    statsEveryMs: ms('interval of progress log lines', C.statsEveryMs, 1),
    extractThreads: setting.integer('worker threads that decode pages and extract their text while the crawl thread keeps fetching; 0: all on the crawl thread', C.extractThreads, { min: 0 }),
  }),
};
