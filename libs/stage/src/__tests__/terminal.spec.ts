import { EventEmitter } from 'node:events';
import { createLogger, logRecord, type LogRecord } from '../log';
import { Progress } from '../progress';
import { CLEAR_LINE, TerminalWriter, type TerminalStream } from '../terminal';

/** A stream that records what is written to it, with a terminal's width and resize events. */
class FakeTerminal extends EventEmitter implements TerminalStream {
  readonly chunks: string[] = [];
  constructor(
    public columns: number,
    public isTTY = true,
  ) {
    super();
  }
  write(chunk: string): boolean {
    this.chunks.push(chunk);
    return true;
  }
  get output(): string {
    return this.chunks.join('');
  }
}

/**
 * What a terminal `columns` wide shows after `output`: its lines, and whether text ever ran
 * past the last column (the terminal then wraps it onto a new line).
 */
function screen(output: string, columns: number): { lines: string[]; wrapped: boolean } {
  const lines: string[] = [];
  let line: string[] = [];
  let col = 0;
  let wrapped = false;
  for (let i = 0; i < output.length; i++) {
    if (output.startsWith('\x1b[K', i)) {
      line.length = col;
      i += 2;
    } else if (output[i] === '\r') {
      col = 0;
    } else if (output[i] === '\n') {
      lines.push(line.join(''));
      line = [];
      col = 0;
    } else {
      if (col === columns) {
        wrapped = true;
        lines.push(line.join(''));
        line = [];
        col = 0;
      }
      line[col++] = output[i]!;
    }
  }
  lines.push(line.join(''));
  return { lines, wrapped };
}

/** A progress line and a logger on one fake terminal, with a clock the test moves. */
function setup(columns: number, isTTY = true) {
  const term = new FakeTerminal(columns, isTTY);
  const writer = new TerminalWriter(term);
  const clock = { ms: 0 };
  const log = createLogger({ stage: 'crawl' }, { terminal: writer });
  // Redraws come from report() calls: the interval is far beyond the test.
  const progress = new Progress({ label: 'crawl:docs', totalBytes: 120e6, totalTasks: 8, log, terminal: writer, now: () => clock.ms, drawEveryMs: 3_600_000 });
  return { term, writer, clock, log, progress };
}

describe('the status line on a terminal', () => {
  it.each([80, 40])('fits %i columns and a log line between two redraws clears it first and prints above it', (columns) => {
    const { term, clock, log, progress } = setup(columns);
    progress.start();
    clock.ms = 10_000;
    progress.add(1234, 30e6);
    progress.report();
    const before = term.chunks.length;
    // Shorter than 40 columns: a log line longer than the terminal wraps as any printed line does.
    log.warn('robots.txt retry', { n: 2 });
    const logged = term.chunks.slice(before).join('');
    // One write: clear the status line, the log line, then the status line again below it.
    expect(term.chunks.length).toBe(before + 1);
    expect(logged.startsWith(`${CLEAR_LINE}WARN robots.txt retry  stage=crawl n=2\n${CLEAR_LINE}[crawl:docs]`)).toBe(true);
    clock.ms = 20_000;
    progress.add(1000, 30e6);
    progress.report();

    const shown = screen(term.output, columns);
    expect(shown.wrapped).toBe(false);
    expect(shown.lines).toHaveLength(2);
    expect(shown.lines[0]).toBe('WARN robots.txt retry  stage=crawl n=2');
    const status = shown.lines[1]!;
    expect(status.length).toBeLessThan(columns);
    // 60 of 120 MB in 20 s: 3 MB/s, 20 s to go.
    expect(status).toMatch(/^\[crawl:docs\] .*60\.0\/120\.0 MB .*ETA 20s$/);
    if (columns === 80) expect(status).toContain('2,234 docs  60.0/120.0 MB  50%  3.00 MB/s');
    for (const line of screen(term.output, columns).lines) expect(line.length).toBeLessThan(columns);

    progress.stop();
    expect(screen(term.output, columns).lines).toEqual(['WARN robots.txt retry  stage=crawl n=2', '']);
  });

  it('is drawn again at the new width when the terminal is resized, and never wider', () => {
    const { term, clock, progress } = setup(100);
    progress.start();
    clock.ms = 5_000;
    progress.add(10, 12e6);
    progress.report();
    expect(term.chunks.at(-1)!.length - CLEAR_LINE.length).toBeGreaterThan(60);
    term.columns = 30;
    term.emit('resize');
    const redrawn = term.chunks.at(-1)!;
    expect(redrawn.startsWith(CLEAR_LINE)).toBe(true);
    expect(redrawn.length - CLEAR_LINE.length).toBeLessThan(30);
    expect(redrawn).toContain('[crawl:docs]');
    progress.stop();
    expect(term.listenerCount('resize')).toBe(0);
  });

  it('shows the work a task plans and reports (pages of a web crawl), its bytes and an ETA from it', () => {
    const { term, clock, progress } = setup(100);
    progress.start();
    progress.plan(300, 'pages');
    progress.plan(200, 'pages');
    clock.ms = 20_000;
    progress.advance(100, 5e6);
    progress.report();
    const status = screen(term.output, 100).lines.at(-1)!;
    // 100 of 500 pages in 20 s: 400 left at 5 pages/s.
    expect(status).toContain('100/500 pages  5.0 MB  20%');
    expect(status).toContain('0.25 MB/s');
    expect(status).toMatch(/ETA 1m20s$/);
    // A task that finds fewer pages than it planned gives the rest back.
    progress.plan(-400, 'pages');
    progress.report();
    expect(screen(term.output, 100).lines.at(-1)!).toMatch(/100\/100 pages .*ETA 0s$/);
    progress.stop();
  });
});

describe('progress and logs off a terminal', () => {
  afterEach(() => jest.useRealTimers());

  it('writes structured JSON progress lines at intervals, no control characters', () => {
    jest.useFakeTimers();
    const { term, clock, progress } = setup(80, false);
    progress.start();
    progress.plan(50, 'pages');
    clock.ms = 10_000;
    progress.advance(10, 2e6);
    progress.add(8, 0);
    jest.advanceTimersByTime(10_000);
    progress.stop();
    expect(term.output.includes('\r') || term.output.includes('\x1b')).toBe(false);
    const lines = term.output.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'info', msg: 'progress', stage: 'crawl', label: 'crawl:docs', docs: 8, bytes: 2e6, unit: 'pages', planned: 50, done: 10, etaSeconds: 40 });
  });
});

describe('the logger', () => {
  it('prints only errors when quiet', () => {
    const term = new FakeTerminal(80);
    const log = createLogger({}, { terminal: new TerminalWriter(term), quiet: true });
    log.info('summary');
    log.warn('output folder holds another run');
    log.error('cannot read the pipeline file');
    expect(term.output).toBe('ERROR cannot read the pipeline file\n');
  });

  it("hands a worker thread's records to the main thread, which prints them above its status line", () => {
    const { term, progress, log } = setup(80);
    const records: LogRecord[] = [];
    const worker = createLogger({ thread: 'worker' }, { forward: (r) => records.push(r) });
    worker.info('crawl finished', { source: 'nhs' });
    expect(records).toEqual([{ level: 'info', msg: 'crawl finished', fields: { thread: 'worker', source: 'nhs' } }]);
    progress.start();
    logRecord(log, records[0]!);
    progress.stop();
    expect(screen(term.output, 80).lines).toEqual(['crawl finished  stage=crawl thread=worker source=nhs', '']);
  });
});
