import type { Logger } from './log';
import { stderrTerminal, type TerminalWriter } from './terminal';

export interface ProgressOptions {
  label: string;
  /** Total input bytes, for rate and ETA; 0 when unknown. */
  totalBytes: number;
  totalTasks: number;
  /** Show a status line; defaults to whether the terminal writer's stream is a terminal. */
  tty?: boolean;
  /** Interval between structured log lines when not on a terminal, in ms. Default 10 s. */
  logEveryMs?: number;
  /** Interval between redraws of the status line, in ms. Default 500. */
  drawEveryMs?: number;
  log: Logger;
  /** Where the status line is drawn; defaults to this thread's stderr, shared with the loggers. */
  terminal?: TerminalWriter;
  /** Clock in ms; defaults to `Date.now`. */
  now?: () => number;
}

/** Work that tasks measure themselves, when the input files say nothing of it (pages of a web crawl). */
export interface TaskWork {
  /** What is counted: `pages`. */
  unit: string;
  planned: number;
  done: number;
  /** Bytes moved doing it (downloaded). */
  bytes: number;
}

export interface ProgressSnapshot {
  docs: number;
  /** Bytes done: the tasks' own work's bytes when they report work, else input bytes read. */
  bytes: number;
  /** Total of `bytes`, 0 when unknown. */
  totalBytes: number;
  tasksDone: number;
  totalTasks: number;
  seconds: number;
  mbPerSec: number;
  docsPerSec: number;
  /** From the planned work when tasks report it, else from the input bytes; NaN when unknown. */
  etaSeconds: number;
  work?: TaskWork;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Bytes in MB (GB from 10 GB on, or in `scale`'s unit when given), one or two decimals. */
export function formatBytes(bytes: number, scale = bytes): string {
  return scale >= 1e10 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

/** Bytes done of a total, in the total's unit: `45.6/120.0 MB`. */
function formatShare(done: number, total: number): string {
  const [value] = formatBytes(done, total).split(' ');
  return `${value}/${formatBytes(total)}`;
}

const count = (n: number): string => n.toLocaleString('en');

/** A part of the status line and how much it matters: the larger `drop`, the sooner it goes on a narrow terminal. */
interface Segment {
  text: string;
  drop: number;
}

/**
 * The status line at a width: the label always, then as many of the other parts as fit, the
 * least useful left out first (docs/s, rate, tasks, share, documents), the amount done and the
 * ETA last.
 */
export function statusLine(label: string, s: ProgressSnapshot, width: number): string {
  const share = s.work ? (s.work.planned > 0 ? s.work.done / s.work.planned : NaN) : s.totalBytes > 0 ? s.bytes / s.totalBytes : NaN;
  const segments: Segment[] = [
    { text: `${s.tasksDone}/${s.totalTasks} tasks`, drop: 4 },
    { text: `${count(s.docs)} docs`, drop: 2 },
    ...(s.work ? [{ text: `${count(s.work.done)}/${count(s.work.planned)} ${s.work.unit}`, drop: 0 }] : []),
    { text: !s.work && s.totalBytes > 0 ? formatShare(s.bytes, s.totalBytes) : formatBytes(s.bytes), drop: s.work ? 3 : 0 },
    ...(Number.isFinite(share) ? [{ text: `${Math.min(100, Math.floor(share * 100))}%`, drop: 3 }] : []),
    { text: `${s.mbPerSec.toFixed(2)} MB/s`, drop: 5 },
    { text: `${count(Math.round(s.docsPerSec))} docs/s`, drop: 6 },
    ...(Number.isFinite(s.etaSeconds) ? [{ text: `ETA ${formatDuration(s.etaSeconds)}`, drop: 1 }] : []),
  ];
  const head = `[${label}]`;
  for (let keep = 6; keep >= 0; keep--) {
    const line = [head, ...segments.filter((g) => g.drop <= keep).map((g) => g.text)].join('  ');
    if (line.length <= width) return line;
  }
  return head;
}

/**
 * Counts documents, bytes and finished tasks, and work that tasks plan and report themselves;
 * shows counts, bytes, rate and ETA in a status line on a terminal (through the terminal
 * writer the loggers share, so log lines print above it), and writes the same as structured
 * log lines at intervals otherwise.
 */
export class Progress {
  docs = 0;
  bytes = 0;
  tasksDone = 0;
  private work: TaskWork | undefined;
  private readonly now: () => number;
  private readonly started: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly tty: boolean;
  private readonly terminal: TerminalWriter;
  private readonly render = (width: number): string => statusLine(this.options.label, this.snapshot(), width);

  constructor(private readonly options: ProgressOptions) {
    this.terminal = options.terminal ?? stderrTerminal();
    this.tty = options.tty ?? this.terminal.isTTY;
    this.now = options.now ?? Date.now;
    this.started = this.now();
  }

  start(): this {
    const every = this.tty ? (this.options.drawEveryMs ?? 500) : (this.options.logEveryMs ?? 10_000);
    if (this.tty) this.terminal.setStatus(this.render);
    this.timer = setInterval(() => this.report(), every);
    this.timer.unref();
    return this;
  }

  /** Documents processed and input bytes read (deltas). */
  add(docs: number, bytes: number): void {
    this.docs += docs;
    this.bytes += bytes;
  }

  taskDone(): void {
    this.tasksDone++;
  }

  /**
   * Work a task expects to do, as a delta: a task whose input files say nothing of its size (a
   * web crawl's registry files) plans its own units, may plan more as it finds them, and gives
   * back what it will not do (a negative delta). Once any is planned, the ETA comes from it.
   */
  plan(units: number, unit = 'pages'): void {
    this.work ??= { unit, planned: 0, done: 0, bytes: 0 };
    this.work.planned += units;
  }

  /** Planned work done, and the bytes it moved (deltas). */
  advance(units: number, bytes = 0): void {
    this.work ??= { unit: 'pages', planned: 0, done: 0, bytes: 0 };
    this.work.done += units;
    this.work.bytes += bytes;
  }

  snapshot(): ProgressSnapshot {
    const seconds = (this.now() - this.started) / 1000;
    const work = this.work ? { ...this.work } : undefined;
    const bytes = work ? work.bytes : this.bytes;
    const totalBytes = work ? 0 : this.options.totalBytes;
    const rate = seconds > 0 ? bytes / seconds : 0;
    let etaSeconds = NaN;
    if (work && work.planned > 0 && work.done > 0 && seconds > 0) {
      etaSeconds = Math.max(0, work.planned - work.done) / (work.done / seconds);
    } else if (!work && totalBytes > 0 && rate > 0) {
      etaSeconds = Math.max(0, totalBytes - bytes) / rate;
    }
    return {
      docs: this.docs,
      bytes,
      totalBytes,
      tasksDone: this.tasksDone,
      totalTasks: this.options.totalTasks,
      seconds,
      mbPerSec: rate / 1e6,
      docsPerSec: seconds > 0 ? this.docs / seconds : 0,
      etaSeconds,
      ...(work ? { work } : {}),
    };
  }

  /** Draws the status line again (terminal), or writes a structured progress log line. */
  report(): void {
    if (this.tty) {
      this.terminal.setStatus(this.render);
      return;
    }
    const s = this.snapshot();
    this.options.log.info('progress', {
      label: this.options.label,
      tasksDone: s.tasksDone,
      totalTasks: s.totalTasks,
      docs: s.docs,
      bytes: s.bytes,
      totalBytes: s.totalBytes,
      mbPerSec: Number(s.mbPerSec.toFixed(3)),
      docsPerSec: Math.round(s.docsPerSec),
      etaSeconds: Number.isFinite(s.etaSeconds) ? Math.round(s.etaSeconds) : null,
      ...(s.work ? { unit: s.work.unit, planned: s.work.planned, done: s.work.done } : {}),
    });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.tty) this.terminal.clearStatus();
  }
}
