// Registry and stage settings for crawling the crawler's fixture site (tools/fixture-site, and
// the pipeline refresh test).
import { fixtureSource, type FixtureSite } from '@apollo/ingest';

/** The registry file of the site: one English web source, scoped to the site's host. */
export function fixtureRegistry(site: FixtureSite): object {
  return { name: 'fixture', sources: [fixtureSource(site)] };
}

/**
 * Stage settings for crawling the fixture: its slow page (3 s), oversize body and 429 are meant
 * to trip the timeouts (1 s: long enough for every other page on a loaded machine), a small size
 * cap and a short Retry-After limit, as in the tests.
 */
export function fixturePipeline(stateDir: string): object {
  return {
    name: 'fixture',
    stages: {
      crawl: {
        fetch: { headersTimeoutMs: 1000, bodyTimeoutMs: 1000, totalTimeoutMs: 1000, maxBytes: 64 * 1024, maxRedirects: 3 },
        crawler: { stateDir, delayMs: 10, perHostConcurrency: 2, concurrency: 8, maxRetries: 2, backoffBaseMs: 50, backoffMaxMs: 200, maxRetryAfterMs: 1500, statsEveryMs: 60_000 },
      },
    },
  };
}
