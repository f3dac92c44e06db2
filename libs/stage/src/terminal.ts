/** The part of a stream the terminal writer uses: process.stderr, or a fake one in tests. */
export interface TerminalStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  /** Width in columns, when the stream is a terminal. */
  columns?: number;
  on?(event: 'resize', listener: () => void): unknown;
  off?(event: 'resize', listener: () => void): unknown;
}

/** Back to the start of the line and erase it: what a status line is cleared with. */
export const CLEAR_LINE = '\r\x1b[K';

/** Width assumed when a terminal does not report its own. */
const DEFAULT_COLUMNS = 80;

/**
 * `text` cut to at most `width` characters. Counts code points, one column each: right for the
 * ASCII status lines drawn here, not for wide (CJK) characters.
 */
export function fitWidth(text: string, width: number): string {
  const chars = Array.from(text);
  return chars.length <= width ? text : chars.slice(0, Math.max(0, width)).join('');
}

/** A status line for a given width: the caller decides what to leave out when it is narrow. */
export type StatusRenderer = (width: number) => string;

/**
 * One writer for everything a process prints on stderr: whole lines (log lines) and, on a
 * terminal, one status line kept below them. The status line is drawn in place (carriage
 * return, erase to the end of the line) and never wider than the terminal, so it never wraps;
 * a line printed while it is shown first clears it, and the status line is drawn again below.
 * Each such change is a single write, so the status line and a log line never interleave.
 */
export class TerminalWriter {
  private status: StatusRenderer | undefined;
  private readonly onResize = (): void => this.redraw();

  constructor(readonly stream: TerminalStream) {}

  /** Whether the stream is a terminal (a status line is drawn only there). */
  get isTTY(): boolean {
    return this.stream.isTTY === true;
  }

  /**
   * Columns a status line may take: one less than the terminal's width, because a line that
   * fills the last column leaves some terminals about to wrap.
   */
  get width(): number {
    const columns = this.stream.columns && this.stream.columns > 0 ? this.stream.columns : DEFAULT_COLUMNS;
    return Math.max(1, columns - 1);
  }

  /** Prints `text` and a newline; on a terminal, above the status line. */
  line(text: string): void {
    if (this.status === undefined) {
      this.stream.write(text + '\n');
      return;
    }
    this.stream.write(CLEAR_LINE + text + '\n' + this.render());
  }

  /**
   * Shows a status line, replacing the one shown; a renderer is asked again for each width, on
   * each redraw (after a line, after a resize). Nothing happens off a terminal.
   */
  setStatus(status: string | StatusRenderer): void {
    if (!this.isTTY) return;
    if (this.status === undefined) this.stream.on?.('resize', this.onResize);
    this.status = typeof status === 'string' ? () => status : status;
    this.stream.write(this.render());
  }

  /** Erases the status line; later lines are printed where it was. */
  clearStatus(): void {
    if (this.status === undefined) return;
    this.status = undefined;
    this.stream.off?.('resize', this.onResize);
    this.stream.write(CLEAR_LINE);
  }

  /** The status line as drawn at the current width. */
  private render(): string {
    const width = this.width;
    return CLEAR_LINE + fitWidth(this.status?.(width) ?? '', width);
  }

  private redraw(): void {
    if (this.status !== undefined) this.stream.write(this.render());
  }
}

let stderrWriter: TerminalWriter | undefined;

/** The writer of this thread's stderr, shared by its loggers and progress lines. */
export function stderrTerminal(): TerminalWriter {
  return (stderrWriter ??= new TerminalWriter(process.stderr));
}
