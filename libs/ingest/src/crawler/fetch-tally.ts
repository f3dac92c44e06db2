import type { RobotsFailure } from './polite-client';

const plural = (n: number, noun: string) => (n === 1 ? noun : `${noun}s`);

/** A robots.txt failure in words. */
export function robotsProblem(r: RobotsFailure): string {
  return `robots.txt of ${r.origin} unavailable after ${r.attempts} ${plural(r.attempts, 'attempt')} (${r.reason}: ${r.detail})`;
}

/**
 * What the fetches of one source (a web source, or a URL list) came to, and the rule that makes
 * the source incomplete (its task then exits 2 and a rerun redoes it):
 * - nothing fetched: URLs were asked for and the site answered none of them (see `siteAnswered`:
 *   a 304 or a 404 is an answer, a refused connection, a timeout, a 5xx, a 429, a 403 or a
 *   robots.txt refusal is not);
 * - robots.txt unavailable: URLs were not requested because their host's robots.txt could not
 *   be read, even after the retries.
 * A quiet night (everything 304) and a few failures among answers are complete.
 */
export class FetchTally {
  /** URLs the site answered about. */
  answered = 0;
  /** URLs that ended without an answer, by reason. */
  readonly failures: Record<string, number> = {};
  private failed = 0;
  private first: { url: string; reason: string; detail: string } | undefined;

  answer(): void {
    this.answered++;
  }

  fail(url: string, reason: string, detail: string): void {
    this.failed++;
    this.failures[reason] = (this.failures[reason] ?? 0) + 1;
    this.first ??= { url, reason, detail };
  }

  /** URLs asked for so far. */
  get attempted(): number {
    return this.answered + this.failed;
  }

  /**
   * Why the source is incomplete, in words (`noun` names what was fetched: "page", "URL"), or
   * undefined when it is complete. With nothing asked for, only a robots.txt failure counts.
   */
  incompleteness(noun: string, robots: readonly RobotsFailure[]): string | undefined {
    const problems: string[] = [];
    if (this.answered === 0 && this.failed > 0) {
      const reasons = Object.entries(this.failures)
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .map(([reason, n]) => `${reason} ${n}`)
        .join(', ');
      const first = this.first && this.first.reason !== 'robots_unavailable' ? `; first: ${this.first.url}: ${this.first.detail}` : '';
      problems.push(`nothing fetched: ${this.failed} of ${this.failed} ${plural(this.failed, noun)} failed (${reasons}${first})`);
    }
    const notRequested = this.failures.robots_unavailable ?? 0;
    if (notRequested > 0) {
      for (const r of robots) {
        problems.push(robotsProblem(r));
      }
      if (this.answered > 0) problems.push(`${notRequested} ${plural(notRequested, noun)} not requested`);
    }
    return problems.length > 0 ? problems.join('; ') : undefined;
  }
}
