import { stderrTerminal, type TerminalWriter } from './terminal';

/** Structured logging: JSON lines on stderr when it is not a terminal, readable lines when it is. */
export type LogFields = Record<string, unknown>;

export type LogLevel = 'info' | 'warn' | 'error';

/** One log entry, as a worker thread hands it to the main thread (see `LoggerOptions.forward`). */
export interface LogRecord {
  level: LogLevel;
  msg: string;
  fields: LogFields;
}

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  /** Human-readable output; defaults to whether the terminal writer's stream is a terminal. */
  pretty?: boolean;
  /** Where lines go; defaults to `terminal`. */
  write?: (line: string) => void;
  /**
   * The writer lines go through; defaults to this thread's stderr, shared with the progress
   * line so that a log line never lands inside it.
   */
  terminal?: TerminalWriter;
  /**
   * Hands each record (fields merged) to this function instead of printing it: a worker
   * thread forwards its records to the main thread, which prints them with `logRecord`.
   */
  forward?: (record: LogRecord) => void;
  /** Print errors only (`--quiet`): info and warnings are dropped. */
  quiet?: boolean;
}

export function createLogger(base: LogFields = {}, options: LoggerOptions = {}): Logger {
  const terminal = options.terminal ?? stderrTerminal();
  const pretty = options.pretty ?? terminal.isTTY;
  const write = options.write ?? ((line: string) => terminal.line(line));
  const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (options.quiet && level !== 'error') return;
    const all = { ...base, ...fields };
    if (options.forward) {
      options.forward({ level, msg, fields: all });
    } else if (pretty) {
      const extra = Object.entries(all)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      write(`${level === 'info' ? '' : level.toUpperCase() + ' '}${msg}${extra ? '  ' + extra : ''}`);
    } else {
      write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...all }));
    }
  };
  return {
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    child: (fields) => createLogger({ ...base, ...fields }, options),
  };
}

/** Prints a record forwarded from a worker thread through `log`. */
export function logRecord(log: Logger, record: LogRecord): void {
  log[record.level](record.msg, record.fields);
}

/** A logger that drops everything (tests, library use). */
export const silentLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
