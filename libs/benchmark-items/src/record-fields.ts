import { fail, jsonType, type ItemLocation } from './item-error';

/** A JSON record of a benchmark file. */
export type JsonRecord = Record<string, unknown>;

/** The record itself: a JSON object, else `not_an_object`. */
export function asRecord(value: unknown, at: ItemLocation, what = 'record'): JsonRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(at, 'not_an_object', `${what} must be a JSON object, got ${jsonType(value)}`);
  return value as JsonRecord;
}

/** The first of `names` (alternative spellings, such as `answer` and the older `anwer`) that the record has. */
function present(rec: JsonRecord, names: string | readonly string[]): { name: string; value: unknown } | undefined {
  for (const name of typeof names === 'string' ? [names] : names) if (rec[name] !== undefined) return { name, value: rec[name] };
  return undefined;
}

function missing(names: string | readonly string[], at: ItemLocation): never {
  const [first, ...others] = typeof names === 'string' ? [names] : names;
  return fail(at, 'missing_field', `missing field "${first}"${others.map((o) => ` (or "${o}")`).join('')}`, first);
}

/** A required string field: missing, not a string, or (with `nonEmpty`) blank is an error naming the field. */
export function requiredString(rec: JsonRecord, names: string | readonly string[], at: ItemLocation, nonEmpty = true): string {
  const f = present(rec, names) ?? missing(names, at);
  if (typeof f.value !== 'string') fail(at, 'bad_field', `field "${f.name}" must be a string, got ${jsonType(f.value)}`, f.name);
  if (nonEmpty && f.value.trim() === '') fail(at, 'bad_field', `field "${f.name}" is empty`, f.name);
  return f.value;
}

/** An optional string field (absent or null: undefined). */
export function optionalString(rec: JsonRecord, name: string, at: ItemLocation): string | undefined {
  const value = rec[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') fail(at, 'bad_field', `field "${name}" must be a string, got ${jsonType(value)}`, name);
  return value;
}

/** A required JSON object field. */
export function requiredObject(rec: JsonRecord, name: string, at: ItemLocation): JsonRecord {
  const f = present(rec, name) ?? missing(name, at);
  if (typeof f.value !== 'object' || f.value === null || Array.isArray(f.value)) fail(at, 'bad_field', `field "${name}" must be a JSON object, got ${jsonType(f.value)}`, name);
  return f.value as JsonRecord;
}

/** A required list field. */
export function requiredList(rec: JsonRecord, name: string, at: ItemLocation): unknown[] {
  const f = present(rec, name) ?? missing(name, at);
  if (!Array.isArray(f.value)) fail(at, 'bad_field', `field "${name}" must be a list, got ${jsonType(f.value)}`, name);
  return f.value;
}

/** A required list of strings. */
export function requiredStringList(rec: JsonRecord, name: string, at: ItemLocation): string[] {
  const list = requiredList(rec, name, at);
  const bad = list.findIndex((v) => typeof v !== 'string');
  if (bad !== -1) fail(at, 'bad_field', `field "${name}" must be a list of strings; entry ${bad} is ${jsonType(list[bad])}`, name);
  return list as string[];
}

/** A CSV row must have at least `n` columns. */
export function requireColumns(row: readonly string[], n: number, at: ItemLocation): void {
  if (row.length < n) fail(at, 'bad_row', `expected at least ${n} columns, got ${row.length}`);
}
