/**
 * Limits of each HTTP request, for the web crawl and URL lists alike (plain data: they travel to
 * worker threads in the task config). How politely requests are spaced, retried and checked
 * against robots.txt is in the crawler options.
 */
export interface FetchOptions {
  /** Sent as `User-Agent`. Default `ApolloCorpusBot/0.1 (+https://github.com/FreedomIntelligence/Apollo)`. */
  userAgent: string;
  /** Time allowed until the response headers arrive, in ms. Default 15,000. */
  headersTimeoutMs: number;
  /** Longest pause allowed between two body chunks, in ms. Default 15,000. */
  bodyTimeoutMs: number;
  /** Whole-request deadline (redirects and body included), in ms. Default 60,000. */
  totalTimeoutMs: number;
  /** Largest accepted response body; the download is aborted above it. Default 5 MiB. */
  maxBytes: number;
  /** Redirects followed before giving up (`too_many_redirects`). Default 5. */
  maxRedirects: number;
}

export const DEFAULT_FETCH_OPTIONS: FetchOptions = {
  userAgent: 'ApolloCorpusBot/0.1 (+https://github.com/FreedomIntelligence/Apollo)',
  headersTimeoutMs: 15_000,
  bodyTimeoutMs: 15_000,
  totalTimeoutMs: 60_000,
  maxBytes: 5 * 1024 * 1024,
  maxRedirects: 5,
};

/** Limits of the readers. */
export interface ReadLimits {
  /** Largest accepted document text, in UTF-16 code units (`too_large` above). Default 1,000,000. */
  maxChars: number;
  /**
   * Largest .txt or .html input file read whole, in bytes (`too_large` above, without reading
   * it). Default 16 MiB.
   */
  maxFileBytes: number;
}

export const DEFAULT_READ_LIMITS: ReadLimits = { maxChars: 1_000_000, maxFileBytes: 16 * 1024 * 1024 };
