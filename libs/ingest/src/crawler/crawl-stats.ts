/** Counters of one source's crawl, logged while it runs and written to a stats file at the end. */
export class CrawlStats {
  readonly startedAt = Date.now();
  requests = 0;
  pages = 0;
  bytes = 0;
  retries = 0;
  robotsDisallowed = 0;
  readonly statusCodes: Record<string, number> = {};
  readonly changes: Record<string, number> = { new: 0, changed: 0, unchanged: 0, deleted: 0 };
  readonly failures: Record<string, number> = {};

  status(code: number | string): void {
    this.statusCodes[String(code)] = (this.statusCodes[String(code)] ?? 0) + 1;
  }

  failure(reason: string): void {
    this.failures[reason] = (this.failures[reason] ?? 0) + 1;
  }

  /** A snapshot with rates and an ETA from the frontier left and the page rate so far. */
  snapshot(frontier: number, hostQueues: Record<string, number>): Record<string, unknown> {
    const seconds = (Date.now() - this.startedAt) / 1000;
    const rate = seconds > 0 ? this.pages / seconds : 0;
    return {
      seconds: Number(seconds.toFixed(2)),
      requests: this.requests,
      pages: this.pages,
      bytes: this.bytes,
      pagesPerSec: Number(rate.toFixed(2)),
      mbPerSec: Number((seconds > 0 ? this.bytes / seconds / 1e6 : 0).toFixed(3)),
      retries: this.retries,
      robotsDisallowed: this.robotsDisallowed,
      statusCodes: this.statusCodes,
      changes: this.changes,
      failures: this.failures,
      frontier,
      hostQueues,
      etaSeconds: rate > 0 ? Math.round(frontier / rate) : null,
    };
  }
}
