/** Where a record sits: its file, and its 1-based line (line formats) or 0-based index (JSON arrays and documents). */
export interface ItemLocation {
  file: string;
  line?: number;
  record?: number;
}

/**
 * A benchmark file or record that cannot be read. The message names the file, the record
 * (`record 17`) or line (`:17`), a stable reason code and the detail:
 * `zh.json record 17: missing_field: missing field "answer"`.
 */
export class ItemError extends Error {
  constructor(
    readonly at: ItemLocation,
    /** Short stable code: `missing_field`, `bad_field`, `bad_options`, `bad_answer`, `malformed_json`, `not_a_benchmark_file`... */
    readonly reason: string,
    readonly detail: string,
    /** The field at fault, when one is. */
    readonly field?: string,
  ) {
    super(`${formatItemLocation(at)}: ${reason}: ${detail}`);
    this.name = 'ItemError';
  }
}

export function formatItemLocation(at: ItemLocation): string {
  let where = at.file;
  if (at.line !== undefined) where += `:${at.line}`;
  if (at.record !== undefined) where += ` record ${at.record}`;
  return where;
}

/** Throws an ItemError. */
export function fail(at: ItemLocation, reason: string, detail: string, field?: string): never {
  throw new ItemError(at, reason, detail, field);
}

/** JSON's name for a value's type, for error details. */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : typeof value;
}
