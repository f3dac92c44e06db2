import { patternMatches } from './robots';

/**
 * Canonical form of a URL for the seen-set and the store: scheme and host lower-cased, default
 * ports and fragments dropped, dot segments resolved, an empty path made `/`, and optionally the
 * query parameters sorted. Undefined for what is not an absolute http(s) URL.
 */
export function normalizeUrl(raw: string, base?: string | URL, sortQuery = false): string | undefined {
  let url: URL;
  try {
    url = base === undefined ? new URL(raw.trim()) : new URL(raw.trim(), base);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  // The WHATWG parser already lower-cases scheme and host, drops default ports and resolves
  // dot segments; what is left is the fragment and the query order.
  url.hash = '';
  if (url.username || url.password) {
    url.username = '';
    url.password = '';
  }
  if (sortQuery && url.search) url.searchParams.sort();
  // An empty query (`/x?`) is the same resource as none; setting it to '' drops the `?`.
  if (!url.search) url.search = '';
  return url.href;
}

/** What a source may crawl. */
export interface ScopeRules {
  /** Hosts that may be fetched (`example.org`, or `*.example.org` for it and its subdomains). Default: the seeds' hosts. */
  hosts: string[];
  /** Path patterns (robots.txt syntax: `*`, final `$`) of which one must match; empty allows every path. Default []. */
  include: string[];
  /** Path patterns that exclude a URL even when included. Default []. */
  exclude: string[];
  /** Link hops from a seed or sitemap entry (depth 0) that are still followed. Default 3. */
  maxDepth: number;
  /** Pages fetched per crawl run at most. Default 1000. */
  maxPages: number;
}

export function hostAllowed(host: string, hosts: readonly string[]): boolean {
  const h = host.toLowerCase();
  return hosts.some((allowed) => {
    const a = allowed.toLowerCase();
    if (a.startsWith('*.')) return h === a.slice(2) || h.endsWith(a.slice(1));
    return h === a;
  });
}

/** Why a URL is outside the scope, or undefined when it is inside. */
export function outOfScope(url: string, scope: ScopeRules): string | undefined {
  const u = new URL(url);
  if (!hostAllowed(u.host, scope.hosts)) return `host ${u.host} is not in the source's hosts`;
  const path = u.pathname + u.search;
  if (scope.include.length > 0 && !scope.include.some((p) => patternMatches(p, path))) return `path ${path} matches no include pattern`;
  const excluded = scope.exclude.find((p) => patternMatches(p, path));
  if (excluded) return `path ${path} matches exclude pattern ${excluded}`;
  return undefined;
}
