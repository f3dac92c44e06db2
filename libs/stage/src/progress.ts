import type { Logger } from './log';

export interface ProgressOptions {
  label: string;
  /** Total input bytes, for rate and ETA; 0 when unknown. */
  totalBytes: number;
  totalTasks: number;
  /** Terminal output (one rewritten line); defaults to whether stderr is a terminal. */
  tty?: boolean;
  /** Interval between structured log lines when not on a terminal, in ms. Default 10 s. */
  logEveryMs?: number;
  log: Logger;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/**
 * Counts documents, bytes and finished tasks; shows counts, rate and ETA on a terminal, and
 * writes the same as structured log lines at intervals otherwise.
 */
export class Progress {
  docs = 0;
  bytes = 0;
  tasksDone = 0;
  private readonly started = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private readonly tty: boolean;

  constructor(private readonly options: ProgressOptions) {
    this.tty = options.tty ?? process.stderr.isTTY === true;
  }

  start(): this {
    const every = this.tty ? 500 : (this.options.logEveryMs ?? 10_000);
    this.timer = setInterval(() => this.report(), every);
    this.timer.unref();
    return this;
  }

  add(docs: number, bytes: number): void {
    this.docs += docs;
    this.bytes += bytes;
  }

  taskDone(): void {
    this.tasksDone++;
  }

  snapshot(): { docs: number; bytes: number; tasksDone: number; totalTasks: number; seconds: number; mbPerSec: number; docsPerSec: number; etaSeconds: number } {
    const seconds = (Date.now() - this.started) / 1000;
    const rate = seconds > 0 ? this.bytes / seconds : 0;
    const left = Math.max(0, this.options.totalBytes - this.bytes);
    return {
      docs: this.docs,
      bytes: this.bytes,
      tasksDone: this.tasksDone,
      totalTasks: this.options.totalTasks,
      seconds,
      mbPerSec: rate / 1e6,
      docsPerSec: seconds > 0 ? this.docs / seconds : 0,
      etaSeconds: rate > 0 && this.options.totalBytes > 0 ? left / rate : NaN,
    };
  }

  private report(): void {
    const s = this.snapshot();
    if (this.tty) {
      const line =
        `[${this.options.label}] tasks ${s.tasksDone}/${s.totalTasks}  ${s.docs.toLocaleString('en')} docs  ` +
        `${(s.bytes / 1e6).toFixed(1)} MB  ${s.mbPerSec.toFixed(2)} MB/s  ${Math.round(s.docsPerSec)} docs/s  ETA ${formatDuration(s.etaSeconds)}`;
      process.stderr.write(`\r${line.padEnd(110)}`);
    } else {
      this.options.log.info('progress', {
        label: this.options.label,
        tasksDone: s.tasksDone,
        totalTasks: s.totalTasks,
        docs: s.docs,
        bytes: s.bytes,
        mbPerSec: Number(s.mbPerSec.toFixed(3)),
        docsPerSec: Math.round(s.docsPerSec),
        etaSeconds: Number.isFinite(s.etaSeconds) ? Math.round(s.etaSeconds) : null,
      });
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.tty) process.stderr.write('\r' + ' '.repeat(110) + '\r');
  }
}
