/**
 * robots.txt (RFC 9309): parsing, choosing the group of our user agent, and matching paths with
 * `*` and `$` wildcards under longest-match precedence. Pure functions; fetching and caching
 * belong to the crawler.
 */

export interface RobotsRule {
  allow: boolean;
  /** The path pattern as written (`*` any sequence, a final `$` anchors the end). */
  pattern: string;
}

export interface RobotsGroup {
  /** User-agent tokens of the group, lower-cased (`*` for everyone). */
  agents: string[];
  rules: RobotsRule[];
  /** Crawl-delay in seconds, when the group sets one. */
  crawlDelay?: number;
}

export interface RobotsFile {
  groups: RobotsGroup[];
  /** Sitemap URLs listed anywhere in the file (they belong to no group). */
  sitemaps: string[];
}

/** The rules that apply to one crawler: what a host allows it. */
export interface RobotsPolicy {
  rules: RobotsRule[];
  crawlDelay?: number;
  sitemaps: string[];
  /** `allow-all` (no robots.txt or a 4xx), `disallow-all` (5xx or unreachable), or `parsed`. */
  kind: 'parsed' | 'allow-all' | 'disallow-all';
}

/** Parses robots.txt text. Unknown lines and malformed values are ignored, as crawlers must. */
export function parseRobots(text: string): RobotsFile {
  const groups: RobotsGroup[] = [];
  const sitemaps: string[] = [];
  let current: RobotsGroup | undefined;
  let lastWasAgent = false;
  for (const rawLine of text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)) {
    const line = rawLine.replace(/#.*$/, '').trim();
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'sitemap') {
      if (value) sitemaps.push(value);
      continue;
    }
    if (key === 'user-agent') {
      // Consecutive user-agent lines share one group; one after rules starts a new group.
      if (!current || !lastWasAgent) {
        current = { agents: [], rules: [] };
        groups.push(current);
      }
      current.agents.push(value.toLowerCase());
      lastWasAgent = true;
      continue;
    }
    lastWasAgent = false;
    if (!current) continue;
    if (key === 'allow' || key === 'disallow') {
      // An empty Disallow allows everything: it is no rule at all.
      if (value) current.rules.push({ allow: key === 'allow', pattern: value });
    } else if (key === 'crawl-delay') {
      const n = Number(value);
      if (Number.isFinite(n) && n >= 0) current.crawlDelay = n;
    }
  }
  return { groups, sitemaps };
}

/** The product token of a User-Agent string: `ApolloCorpusBot/0.1 (+url)` -> `apollocorpusbot`. */
export function productToken(userAgent: string): string {
  return (userAgent.trim().split(/[/\s]/)[0] ?? '').toLowerCase();
}

/**
 * The policy for a user agent: the groups naming its product token (merged, as RFC 9309 says),
 * else the `*` groups, else no rules.
 */
export function policyFor(robots: RobotsFile, userAgent: string): RobotsPolicy {
  const token = productToken(userAgent);
  const specific = robots.groups.filter((g) => g.agents.some((a) => a !== '*' && a.length > 0 && token === productToken(a)));
  const chosen = specific.length > 0 ? specific : robots.groups.filter((g) => g.agents.includes('*'));
  const delays = chosen.map((g) => g.crawlDelay).filter((d): d is number => d !== undefined);
  return {
    kind: 'parsed',
    rules: chosen.flatMap((g) => g.rules),
    ...(delays.length > 0 ? { crawlDelay: Math.max(...delays) } : {}),
    sitemaps: robots.sitemaps,
  };
}

/** Percent-encodes what a browser would, and upper-cases escapes, so `%7e` and `~` compare equal. */
function canonicalPath(path: string): string {
  return path.replace(/%([0-9a-fA-F]{2})/g, (_m, hex: string) => {
    const ch = String.fromCharCode(parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(ch) ? ch : `%${hex.toUpperCase()}`;
  });
}

const patternCache = new Map<string, RegExp>();

function patternRegex(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    const anchored = pattern.endsWith('$');
    const body = canonicalPath(anchored ? pattern.slice(0, -1) : pattern)
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*');
    re = new RegExp(`^${body}${anchored ? '$' : ''}`);
    if (patternCache.size > 10_000) patternCache.clear();
    patternCache.set(pattern, re);
  }
  return re;
}

/** Whether a path pattern (`*`, `$`) matches a path (with its query). */
export function patternMatches(pattern: string, path: string): boolean {
  return patternRegex(pattern).test(canonicalPath(path));
}

/**
 * Whether a URL path (with query) may be fetched: the longest matching pattern wins, Allow wins
 * a tie, no match allows. `/robots.txt` itself is always allowed.
 */
export function isAllowed(policy: RobotsPolicy, pathAndQuery: string): boolean {
  if (pathAndQuery === '/robots.txt') return true;
  if (policy.kind === 'allow-all') return true;
  if (policy.kind === 'disallow-all') return false;
  let best: RobotsRule | undefined;
  for (const rule of policy.rules) {
    if (!patternMatches(rule.pattern, pathAndQuery)) continue;
    if (!best || rule.pattern.length > best.pattern.length || (rule.pattern.length === best.pattern.length && rule.allow && !best.allow)) {
      best = rule;
    }
  }
  return best ? best.allow : true;
}

export const ALLOW_ALL: RobotsPolicy = { kind: 'allow-all', rules: [], sitemaps: [] };
export const DISALLOW_ALL: RobotsPolicy = { kind: 'disallow-all', rules: [], sitemaps: [] };
