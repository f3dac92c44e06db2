import { RecordError, type RecordLocation } from '@apollo/document';
import { isLanguage, itemHash, type ItemOption, type Language, type XMedBenchItem } from './item';
import { sourceInfo } from './sources';

/** A label at the start of the options block or of a line: `(A) `. */
const OPTION_START = /(?:^|\n)\(([A-Z])\) ?/g;
const ANSWER = /^[(（]([A-Za-z]+)[)）]$/;

function fail(at: RecordLocation, reason: string, detail: string): never {
  throw new RecordError({ reason, detail, at });
}

function stringField(obj: Record<string, unknown>, keys: readonly string[], at: RecordLocation, required: boolean): string | undefined {
  for (const key of keys) {
    const value = obj[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') fail(at, 'bad_field', `"${key}" must be a string, got ${value === null ? 'null' : typeof value}`);
    return value;
  }
  if (required) fail(at, 'missing_field', `no "${keys.join('" or "')}" field`);
  return undefined;
}

/**
 * Splits an options block `(A) text.\n(B) text.` into labelled options. An option's text may run
 * over several lines (a few MedQA options do); labels must run A, B, C... without gaps.
 */
export function parseOptions(block: string, at: RecordLocation): ItemOption[] {
  const starts = [...block.matchAll(OPTION_START)];
  if (starts.length < 2) fail(at, 'bad_options', `expected at least two "(A) ..." options, got ${JSON.stringify(block.slice(0, 80))}`);
  if (starts[0]!.index !== 0) fail(at, 'bad_options', 'options block does not start with "(A)"');
  return starts.map((m, i) => {
    const expected = String.fromCharCode(65 + i);
    if (m[1] !== expected) fail(at, 'bad_options', `option ${i + 1} is labelled (${m[1]}), expected (${expected})`);
    const end = i + 1 < starts.length ? starts[i + 1]!.index : block.length;
    return { label: expected, text: block.slice(m.index + m[0].length, end) };
  });
}

/** `(C)` -> ['C'], `(BCDE)` -> ['B','C','D','E']; every label must name an option. */
export function parseGold(answer: string, options: readonly ItemOption[], at: RecordLocation): string[] {
  const m = ANSWER.exec(answer.trim());
  if (!m) fail(at, 'bad_answer', `answer ${JSON.stringify(answer)} is not a parenthesised letter set like "(B)"`);
  const labels = [...new Set(m[1]!.toUpperCase())].sort();
  for (const label of labels) {
    if (!options.some((o) => o.label === label)) fail(at, 'bad_answer', `answer ${answer} names (${label}), which is not an option`);
  }
  return labels;
}

/** The item's language: from the known source table, else from a file named after a language. */
function languageOf(source: string, fileLanguage: Language | undefined, at: RecordLocation): Language {
  const known = sourceInfo(source)?.language;
  if (known) return known;
  if (fileLanguage) return fileLanguage;
  return fail(at, 'unknown_language', `source "${source}" is not an XMedBench source and the file name names no language`);
}

/** The language a file's name announces (`zh.json`, `dev/ar.json`), if any. */
export function fileLanguage(file: string): Language | undefined {
  const stem = file.replace(/^.*[\\/]/, '').replace(/\..*$/, '');
  return isLanguage(stem) ? stem : undefined;
}

/**
 * Reads one record of the XMedBench unified format:
 * `{question, options, answer, source, context?}`, or the older spelling `{option, anwer}`.
 * Throws a RecordError naming file and index when the record is malformed. `language` (default:
 * the one the file name announces) is used only for sources the table does not know.
 */
export function parseUnifiedItem(
  value: unknown,
  file: string,
  index: number,
  language: Language | undefined = fileLanguage(file),
): Omit<XMedBenchItem, 'id'> {
  const at: RecordLocation = { file, record: index };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(at, 'not_an_object', 'item must be a JSON object');
  const obj = value as Record<string, unknown>;
  const question = stringField(obj, ['question'], at, true)!;
  const optionsText = stringField(obj, ['options', 'option'], at, true)!;
  const answerText = stringField(obj, ['answer', 'anwer'], at, true)!;
  const source = stringField(obj, ['source'], at, true)!;
  const context = stringField(obj, ['context'], at, false);
  if (question.trim() === '') fail(at, 'bad_field', 'empty question');
  if (source.trim() === '') fail(at, 'bad_field', 'empty source');
  const options = parseOptions(optionsText, at);
  const gold = parseGold(answerText, options, at);
  const lang = languageOf(source, language, at);
  const base = { source, language: lang, question, ...(context ? { context } : {}), options, optionsText, answerText, gold };
  return { ...base, hash: itemHash(base), file, index };
}
