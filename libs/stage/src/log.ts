/** Structured logging: JSON lines on stderr when it is not a terminal, readable lines when it is. */
export type LogFields = Record<string, unknown>;

export interface Logger {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  /** Human-readable output; defaults to whether stderr is a terminal. */
  pretty?: boolean;
  /** Where lines go; defaults to stderr. */
  write?: (line: string) => void;
  /** Suppress info lines (warnings and errors still print). */
  quiet?: boolean;
}

export function createLogger(base: LogFields = {}, options: LoggerOptions = {}): Logger {
  const pretty = options.pretty ?? process.stderr.isTTY === true;
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const emit = (level: string, msg: string, fields?: LogFields) => {
    if (options.quiet && level === 'info') return;
    const all = { ...base, ...fields };
    if (pretty) {
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

/** A logger that drops everything (tests, library use). */
export const silentLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
