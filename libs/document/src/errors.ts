/** Where a record sits: a file and a line (JSONL) or record index (JSON array). */
export interface RecordLocation {
  file: string;
  /** 1-based line number. */
  line?: number;
  /** 0-based index inside a JSON array. */
  record?: number;
  url?: string;
}

/** Why a record was not turned into a document. `reason` is a short stable code for stats. */
export interface RecordProblem {
  reason: string;
  detail: string;
  at: RecordLocation;
}

export function formatLocation(at: RecordLocation): string {
  let where = at.url ?? at.file;
  if (at.line !== undefined) where += `:${at.line}`;
  if (at.record !== undefined) where += ` record ${at.record}`;
  return where;
}

export function formatProblem(p: RecordProblem): string {
  return `${formatLocation(p.at)}: ${p.reason}: ${p.detail}`;
}

/** A record that could not be accepted; carries the location and the reason code. */
export class RecordError extends Error {
  constructor(readonly problem: RecordProblem) {
    super(formatProblem(problem));
    this.name = 'RecordError';
  }
}

/** A file that could not be read at all (missing, unreadable, not a file). */
export class FileError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'FileError';
  }
}
