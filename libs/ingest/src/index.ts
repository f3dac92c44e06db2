export * from './source-spec';
export * from './apollo-names';
export * from './source-files';
export * from './options';
export * from './charset';
export * from './html-text';
export * from './readers';
export * from './crawl-stage';
export * from './crawler';
export { benchCrawl } from './crawler/testing/bench';
// The crawler's loopback fixture site: for tests, and for `tools/fixture-site` (a crawl and a
// refresh of it from the command line).
export { startFixtureSite, fixtureSource, FIXTURE_CRAWL_DELAY_S, type FixtureSite } from './crawler/testing/fixture-site';
