import { isIP } from 'node:net';
import type { Logger } from '@apollo/stage';
import type { FetchOptions } from '../options';
import { CrawlStats } from './crawl-stats';
import pLimit, { type LimitFunction } from 'p-limit';
import { HostGate } from './host-gate';
import { backoffMs, HttpClient, type HttpOutcome, type RequestOptions, parseRetryAfter } from './http';
import { bareHostname, isPrivateAddress } from './net-guard';
import type { CrawlerOptions } from './options';
import { ALLOW_ALL, DISALLOW_ALL, isAllowed, parseRobots, policyFor, type RobotsPolicy } from './robots';
import { normalizeUrl } from './url';

/** The crawler options that govern how politely the client fetches. */
export type PolitenessOptions = Pick<
  CrawlerOptions,
  'delayMs' | 'perHostConcurrency' | 'concurrency' | 'maxRetries' | 'backoffBaseMs' | 'backoffMaxMs' | 'maxRetryAfterMs' | 'maxCrawlDelayMs' | 'robotsErrorMs' | 'allowPrivateHosts' | 'sortQuery'
>;

/**
 * How a fetch ended: the last hop's outcome, or a refusal before a request (robots.txt, a
 * private address, a redirect the client does not follow) with a stable reason code.
 */
export type FetchResult = { outcome: HttpOutcome; finalUrl: string } | { refused: string; detail: string; finalUrl: string };

/** A robots.txt that could not be read after the retries: its host counts as disallowing everything for a while. */
export interface RobotsFailure {
  origin: string;
  /** `http_<status>` or the network error's reason. */
  reason: string;
  detail: string;
  /** Requests made for it (the first one and the retries). */
  attempts: number;
}

export interface PoliteClientHooks {
  log: Logger;
  /** Fields added to the client's log lines (the source, or the URL list). */
  logFields: Record<string, unknown>;
  /** The crawl's counters; a fresh set when not given. */
  stats?: CrawlStats;
  /**
   * URLs fetched in this crawl: every requested URL is added, and a redirect to one of them is
   * refused as `duplicate_url`. Without it, any URL may be fetched again.
   */
  seen?: Set<string>;
  /** Whether a redirect may go to this URL (the source's hosts); refused as `redirect_out_of_scope` when not. */
  mayRedirectTo?(url: URL): boolean;
  /** Called with every robots.txt policy read (the crawler queues the sitemaps it lists). */
  onRobots?(policy: RobotsPolicy): void;
}

/** What a page request asks for: HTML, then plain text. */
export const PAGE_ACCEPT = 'text/html,application/xhtml+xml;q=0.9,text/plain;q=0.8';
/** Media types of pages; a page of another type is dropped as `unsupported_type` without downloading it. */
export const PAGE_TYPES: ReadonlySet<string> = new Set(['text/html', 'application/xhtml+xml', 'text/plain']);

const MAX_ROBOTS_BYTES = 512 * 1024;
const MAX_ROBOTS_REDIRECTS = 5;
const ROBOTS_REQUEST: RequestOptions = { accept: 'text/plain', wantBody: () => true };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Network errors, timeouts, 5xx (but 501) and 429 are worth another try. */
export function retryable(outcome: HttpOutcome): boolean {
  if (outcome.kind === 'error') return outcome.reason === 'timeout' || outcome.reason === 'fetch_failed';
  return outcome.status === 429 || (outcome.status >= 500 && outcome.status !== 501);
}

/** Reason codes of fetches that may succeed when tried again later (the site was down or busy). */
export function isTransientReason(reason: string | undefined): boolean {
  if (reason === undefined) return false;
  if (reason === 'fetch_failed' || reason === 'timeout' || reason === 'robots_unavailable') return true;
  const status = /^http_(\d{3})$/.exec(reason);
  return status !== null && (status[1] === '429' || (status[1]!.startsWith('5') && status[1] !== '501'));
}

/**
 * Whether the site answered about the URL: a 2xx or 3xx (304 Not Modified included), a 404 or
 * a 410 (a page that is gone is an answer too), also when the body was then refused (too
 * large, undecodable). Network errors, timeouts, 5xx, 429, other 4xx (401 and 403 are how a site
 * blocks a crawler) and refusals before any request are no answer.
 */
export function siteAnswered(result: FetchResult): boolean {
  if ('refused' in result) return false;
  const { outcome } = result;
  const status = outcome.kind === 'response' ? outcome.status : outcome.reason === 'too_large' || outcome.reason === 'bad_encoding' ? outcome.status : undefined;
  return status !== undefined && (status < 400 || status === 404 || status === 410);
}

/**
 * The one way this library fetches over HTTP, for the web crawl and for URL lists alike:
 * robots.txt of every origin (read once, with the same retries as pages), per-host politeness
 * (concurrency, delay, a larger Crawl-delay, Retry-After pauses), retries with backoff, redirects
 * followed by hand with robots.txt checked on every hop, and no private addresses unless allowed.
 * Never throws for a bad URL or response: every fetch ends in an outcome or a refusal.
 */
export class PoliteClient {
  readonly stats: CrawlStats;
  private readonly http: HttpClient;
  private readonly global: LimitFunction;
  private readonly gates = new Map<string, HostGate>();
  private readonly robots = new Map<string, Promise<RobotsPolicy>>();
  private readonly robotsExpiry = new Map<string, number>();
  /** Origins whose robots.txt could not be read at some point (kept after a later success: pages were refused meanwhile). */
  private readonly robotsFailed = new Map<string, RobotsFailure>();
  /** Origins whose name resolved to a private address (their robots.txt fetch was refused). */
  private readonly privateOrigins = new Set<string>();

  constructor(
    private readonly fetchOptions: FetchOptions,
    private readonly options: PolitenessOptions,
    private readonly hooks: PoliteClientHooks,
  ) {
    this.stats = hooks.stats ?? new CrawlStats();
    this.http = new HttpClient(
      {
        userAgent: fetchOptions.userAgent,
        headersTimeoutMs: fetchOptions.headersTimeoutMs,
        bodyTimeoutMs: fetchOptions.bodyTimeoutMs,
        totalTimeoutMs: fetchOptions.totalTimeoutMs,
        maxBytes: fetchOptions.maxBytes,
      },
      options.perHostConcurrency,
      options.allowPrivateHosts,
    );
    this.global = pLimit(options.concurrency);
  }

  /** Requests in flight at once, all hosts together. */
  get concurrency(): number {
    return this.options.concurrency;
  }

  /** The politeness gate of a host (its request start times are kept for the stats). */
  gate(host: string): HostGate {
    let gate = this.gates.get(host);
    if (!gate) {
      gate = new HostGate(this.options.perHostConcurrency, this.options.delayMs);
      this.gates.set(host, gate);
    }
    return gate;
  }

  /** Smallest gap between two request starts, per host (null for a host with one request). */
  minSpacingMs(): Record<string, number | null> {
    const spacing: Record<string, number | null> = {};
    for (const [host, gate] of this.gates) spacing[host] = gate.minSpacingMs();
    return spacing;
  }

  /** Origins whose robots.txt could not be read at some point of this crawl, even after the retries. */
  robotsFailures(): RobotsFailure[] {
    return [...this.robotsFailed.values()];
  }

  /**
   * Fetches a URL, following redirects (robots.txt and scope checked on every hop; only the first
   * hop gets the conditional validators) and retrying network errors, timeouts, 5xx and 429 with
   * backoff; 429 and 503 pause the whole host for their Retry-After.
   */
  async fetch(start: URL, request: RequestOptions): Promise<FetchResult> {
    const { seen } = this.hooks;
    const chain = new Set<string>([start.href]);
    let current = start;
    for (let hop = 0; ; hop++) {
      const refusal = this.refusal(current);
      if (refusal) return { refused: refusal.startsWith('only') ? 'unsupported_scheme' : 'private_address', detail: refusal, finalUrl: current.href };
      const policy = await this.policy(current);
      if (this.privateOrigins.has(current.origin)) return { refused: 'private_address', detail: `${current.host} resolves to a private address (set allowPrivateHosts to crawl it)`, finalUrl: current.href };
      if (!isAllowed(policy, current.pathname + current.search)) {
        this.stats.robotsDisallowed++;
        return {
          refused: policy.kind === 'disallow-all' ? 'robots_unavailable' : 'robots_disallowed',
          detail: policy.kind === 'disallow-all' ? `robots.txt of ${current.origin} could not be read` : `robots.txt of ${current.origin} disallows ${current.pathname}${current.search}`,
          finalUrl: current.href,
        };
      }
      if (hop > 0 && seen?.has(current.href)) return { refused: 'duplicate_url', detail: `redirects to ${current.href}, fetched before in this crawl`, finalUrl: current.href };
      seen?.add(current.href);
      const { outcome } = await this.request(current, hop === 0 ? request : { accept: request.accept, wantBody: request.wantBody });
      if (outcome.kind === 'error' || outcome.status < 300 || outcome.status >= 400 || outcome.status === 304 || !outcome.location) {
        return { outcome, finalUrl: current.href };
      }
      let next: URL;
      try {
        next = new URL(normalizeUrl(outcome.location, current, this.options.sortQuery) ?? outcome.location, current);
      } catch {
        return { refused: 'bad_redirect', detail: `redirect to an invalid URL ${JSON.stringify(outcome.location)}`, finalUrl: current.href };
      }
      if (chain.has(next.href)) return { refused: 'redirect_loop', detail: `redirect from ${current.href} back to ${next.href}`, finalUrl: current.href };
      if (hop + 1 > this.fetchOptions.maxRedirects) return { refused: 'too_many_redirects', detail: `more than ${this.fetchOptions.maxRedirects} redirects (last to ${next.href})`, finalUrl: next.href };
      if ((next.protocol === 'http:' || next.protocol === 'https:') && this.hooks.mayRedirectTo && !this.hooks.mayRedirectTo(next)) {
        return { refused: 'redirect_out_of_scope', detail: `redirect to ${next.href}, outside the source's hosts`, finalUrl: next.href };
      }
      chain.add(next.href);
      current = next;
    }
  }

  /** One URL through its host's gate, retried with backoff while the outcome is worth retrying. */
  private async request(url: URL, options: RequestOptions): Promise<{ outcome: HttpOutcome; attempts: number }> {
    const gate = this.gate(url.host);
    for (let attempt = 0; ; attempt++) {
      const outcome = await gate.run(this.global, () => this.http.get(url, options));
      this.stats.requests++;
      this.stats.status(outcome.kind === 'response' ? outcome.status : outcome.reason);
      if (outcome.kind === 'response') this.stats.bytes += outcome.rawBytes;
      if (!retryable(outcome) || attempt >= this.options.maxRetries) return { outcome, attempts: attempt + 1 };
      this.stats.retries++;
      const backoff = backoffMs(attempt, this.options.backoffBaseMs, this.options.backoffMaxMs);
      if (outcome.kind === 'response' && (outcome.status === 429 || outcome.status === 503)) {
        const asked = parseRetryAfter(outcome.retryAfter);
        gate.pauseUntil(Date.now() + Math.min(asked ?? backoff, this.options.maxRetryAfterMs));
      } else {
        await sleep(backoff);
      }
    }
  }

  /** The robots.txt policy of a URL's origin, fetched once per crawl (again after an error period). */
  policy(url: URL): Promise<RobotsPolicy> {
    const origin = url.origin;
    const expiry = this.robotsExpiry.get(origin);
    let pending = this.robots.get(origin);
    if (!pending || (expiry !== undefined && Date.now() > expiry)) {
      this.robotsExpiry.delete(origin);
      pending = this.fetchRobots(url);
      this.robots.set(origin, pending);
    }
    return pending;
  }

  private async fetchRobots(url: URL): Promise<RobotsPolicy> {
    let target = new URL('/robots.txt', url.origin);
    let outcome: HttpOutcome | undefined;
    let attempts = 0;
    for (let hop = 0; hop <= MAX_ROBOTS_REDIRECTS; hop++) {
      const guard = this.refusal(target);
      if (guard) {
        outcome = { kind: 'error', reason: 'private_address', detail: guard };
        break;
      }
      const answer = await this.request(target, ROBOTS_REQUEST);
      outcome = answer.outcome;
      attempts += answer.attempts;
      if (outcome.kind === 'response' && outcome.status >= 300 && outcome.status < 400 && outcome.location) {
        try {
          target = new URL(outcome.location, target);
          continue;
        } catch {
          break;
        }
      }
      break;
    }
    let policy: RobotsPolicy;
    if (outcome?.kind === 'response' && outcome.status >= 200 && outcome.status < 300) {
      policy = policyFor(parseRobots((outcome.body ?? Buffer.alloc(0)).subarray(0, MAX_ROBOTS_BYTES).toString('utf8')), this.fetchOptions.userAgent);
    } else if (outcome?.kind === 'response' && outcome.status >= 400 && outcome.status < 500 && outcome.status !== 429) {
      policy = ALLOW_ALL;
    } else if (outcome?.kind === 'error' && outcome.reason === 'private_address') {
      policy = DISALLOW_ALL;
      this.privateOrigins.add(url.origin);
    } else {
      // 5xx, 429 or unreachable after the retries: the site may be unable to say what it
      // forbids, so nothing is fetched for a while.
      policy = DISALLOW_ALL;
      this.robotsExpiry.set(url.origin, Date.now() + this.options.robotsErrorMs);
      const reason = outcome?.kind === 'error' ? outcome.reason : `http_${outcome?.status}`;
      const detail = outcome?.kind === 'error' ? outcome.detail : `server answered ${outcome?.status}`;
      this.robotsFailed.set(url.origin, { origin: url.origin, reason, detail, attempts });
      this.hooks.log.warn('robots.txt unavailable: host treated as disallowing everything', { ...this.hooks.logFields, origin: url.origin, reason, attempts });
    }
    if (policy.crawlDelay !== undefined) this.gate(url.host).setDelay(Math.max(this.options.delayMs, Math.min(policy.crawlDelay * 1000, this.options.maxCrawlDelayMs)));
    this.hooks.onRobots?.(policy);
    return policy;
  }

  /** Why a URL must not be requested for safety reasons, if so. */
  private refusal(url: URL): string | undefined {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return `only http and https are fetched, not ${url.protocol}`;
    const host = bareHostname(url);
    if (!this.options.allowPrivateHosts && isIP(host) !== 0 && isPrivateAddress(host)) return `${host} is a private address (set allowPrivateHosts to crawl it)`;
    return undefined;
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}
