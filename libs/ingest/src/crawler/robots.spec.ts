import { isAllowed, parseRobots, policyFor, productToken } from './robots';

const UA = 'ApolloCorpusBot/0.1 (+https://github.com/FreedomIntelligence/Apollo)';

describe('robots.txt', () => {
  const text = [
    '\uFEFFUser-agent: *',
    'Disallow: /',
    '',
    'User-agent: apollocorpusbot',
    'User-agent: OtherBot',
    'Crawl-delay: 2.5',
    'Disallow: /private/',
    'Allow: /private/open',
    'Disallow: /*.pdf$',
    'Disallow: /search?q=*',
    'Disallow:',
    'Sitemap: https://example.org/sitemap.xml # trailing comment',
    '',
    'User-agent: ApolloCorpusBot',
    'Disallow: /tmp',
  ].join('\r\n');
  const policy = policyFor(parseRobots(text), UA);

  it('merges the groups naming our product token, case-insensitively, over *', () => {
    expect(productToken(UA)).toBe('apollocorpusbot');
    expect(policy.crawlDelay).toBe(2.5);
    expect(policy.sitemaps).toEqual(['https://example.org/sitemap.xml']);
    expect(isAllowed(policy, '/tmp/x')).toBe(false);
    expect(isAllowed(policy, '/health/flu')).toBe(true);
    // Another crawler falls back to the * group, which disallows everything.
    expect(isAllowed(policyFor(parseRobots(text), 'SomeBot/1.0'), '/health/flu')).toBe(false);
  });

  it('applies the longest match, Allow winning ties, with * and $ wildcards', () => {
    expect(isAllowed(policy, '/private/secret.html')).toBe(false);
    expect(isAllowed(policy, '/private/open.html')).toBe(true);
    expect(isAllowed(policy, '/docs/report.pdf')).toBe(false);
    expect(isAllowed(policy, '/docs/report.pdf?download=1')).toBe(true);
    expect(isAllowed(policy, '/search?q=flu')).toBe(false);
    expect(isAllowed(policy, '/search')).toBe(true);
    expect(isAllowed(policy, '/robots.txt')).toBe(true);
    const tie = policyFor(parseRobots('User-agent: *\nDisallow: /page\nAllow: /page\n'), UA);
    expect(isAllowed(tie, '/page')).toBe(true);
  });

  it('treats percent-escapes of unreserved characters as the characters', () => {
    const p = policyFor(parseRobots('User-agent: *\nDisallow: /~joe/\n'), UA);
    expect(isAllowed(p, '/%7ejoe/index.html')).toBe(false);
  });

  it('allows everything without matching rules or groups', () => {
    expect(isAllowed(policyFor(parseRobots('# nothing\n'), UA), '/anything')).toBe(true);
  });
});
