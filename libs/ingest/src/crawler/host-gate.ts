import pLimit, { type LimitFunction } from 'p-limit';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Politeness towards one host: at most `concurrency` requests in flight, request starts at least
 * `delayMs` apart, and a pause (429/503 Retry-After) that holds every request to the host.
 */
export class HostGate {
  private readonly slots: LimitFunction;
  private nextStart = 0;
  private pausedUntil = 0;
  /** Requests waiting for this host (for the per-host queue display). */
  queued = 0;
  /** Start times of granted requests, kept for tests and stats (bounded). */
  readonly starts: number[] = [];

  constructor(
    concurrency: number,
    public delayMs: number,
  ) {
    this.slots = pLimit(concurrency);
  }

  /** Changes the delay (robots.txt Crawl-delay); the next start is re-spaced from the last one. */
  setDelay(ms: number): void {
    this.delayMs = ms;
    const last = this.starts[this.starts.length - 1];
    if (last !== undefined) this.nextStart = Math.max(this.nextStart, last + ms);
  }

  /** Smallest gap between two consecutive request starts so far, or null with fewer than two. */
  minSpacingMs(): number | null {
    let min: number | null = null;
    for (let i = 1; i < this.starts.length; i++) {
      const gap = this.starts[i]! - this.starts[i - 1]!;
      if (min === null || gap < min) min = gap;
    }
    return min;
  }

  /** Holds every request to the host until the given time (epoch ms). */
  pauseUntil(at: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, at);
  }

  /**
   * Runs `fn` as one request to the host: within the host's concurrency, then within `global`
   * (all hosts together). The global slot is taken before the start time is reserved, so a
   * request can never start closer than the delay to the one granted before it, however long
   * either waited for a global slot.
   */
  run<T>(global: LimitFunction, fn: () => Promise<T>): Promise<T> {
    this.queued++;
    return this.slots(() =>
      global(async () => {
        for (;;) {
          const wait = Math.max(Date.now(), this.nextStart, this.pausedUntil) - Date.now();
          if (wait <= 0) break;
          // Timers may fire a little early; the +1 keeps the spacing at or above the delay.
          await sleep(wait + 1);
        }
        const started = Date.now();
        this.nextStart = started + this.delayMs;
        this.queued--;
        if (this.starts.length < 10_000) this.starts.push(started);
        return fn();
      }),
    );
  }
}
