import { DEFAULT_LIMITS, validateDoc, type Doc, type RecordLocation, type RecordProblem, type SourceLine, type ValidationLimits } from '@apollo/document';

/**
 * One JSONL line read as `readDocFile` reads it (libs/document io/lines.ts and io/docs.ts):
 * a trailing CR dropped, strict UTF-8 (a leading BOM dropped), blank lines skipped, then
 * JSON.parse and `validateDoc`. The filter's fast path parses only the few lines it must
 * (dropped and flagged ones) and needs the very item the full reader would have made of each;
 * `doc-line.spec.ts` compares the two line by line on every kind of line.
 */
export type DocLine =
  | { kind: 'blank' }
  | { kind: 'problem'; problem: RecordProblem }
  | { kind: 'doc'; doc: Doc; line: SourceLine };

const CR = 0x0d;
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Parses one line (its bytes without the newline) found at `at`. */
export function parseDocLine(buf: Buffer, at: RecordLocation, limits: ValidationLimits = DEFAULT_LIMITS): DocLine {
  let end = buf.length;
  if (end > 0 && buf[end - 1] === CR) end--;
  let text: string;
  try {
    text = decoder.decode(buf.subarray(0, end));
  } catch {
    return { kind: 'problem', problem: { reason: 'invalid_utf8', detail: 'line is not valid UTF-8', at } };
  }
  if (text.trim().length === 0) return { kind: 'blank' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { kind: 'problem', problem: { reason: 'malformed_json', detail: (err as Error).message, at } };
  }
  const checked = validateDoc(value, at, limits);
  if (!checked.ok) return { kind: 'problem', problem: checked.problem };
  const start = end >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  return { kind: 'doc', doc: checked.value, line: { text, bytes: buf.subarray(start, end) } };
}

/**
 * Whether a document's line can be copied as it is: its bytes, as they stand in the file
 * between two newlines, are exactly what the default writer makes of the document
 * (`JSON.stringify`). `validateDoc` returns the parsed value itself, so this holds for every
 * line a JSON.stringify wrote and fails for other spacing, escapes, number forms or key
 * orders, and for lines with a BOM or a CR (the copy would keep them). `lineBytes` counts the
 * whole line, newline included, as the readers' `bytes` do.
 */
export function isCopyableLine(doc: Doc, line: SourceLine, lineBytes: number): boolean {
  return line.bytes.length + 1 === lineBytes && isCanonicalLine(doc, line.text);
}

/**
 * `text === JSON.stringify(doc)` for the line `text` that `doc` was parsed from, without
 * serializing the document's text (most of the line: stringifying and comparing whole lines
 * cost a tenth of the signatures phase). The members before and after the text are
 * serialized and compared as they are. Between them the line holds the text's string; it is
 * the text's canonical escape when it has no `\u` and no `\/` escape and no unescaped quote
 * (the string would end early, with more members after it): then every escape is one of
 * the two-character escapes JSON.stringify uses for exactly those characters, and every
 * other character stands as itself, as JSON.stringify leaves it (raw controls are not JSON,
 * and strict UTF-8 has no lone surrogates). Texts whose canonical form holds a `\u` escape
 * (controls without a short escape, lone surrogates) or a literal backslash before a `u` or
 * a `/` answer false: copying them is left to the full path. doc-line.spec.ts compares this with
 * the full comparison.
 */
export function isCanonicalLine(doc: Doc, text: string): boolean {
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  let inAfter = false;
  let any = false;
  for (const key of Object.keys(doc)) {
    const value = (doc as unknown as Record<string, unknown>)[key];
    if (key === 'text') {
      before.text = '';
      inAfter = true;
    } else if (inAfter) {
      after[key] = value;
      any = true;
    } else {
      before[key] = value;
    }
  }
  const head = JSON.stringify(before).slice(0, -2); // ends with "text":"
  const tail = any ? '",' + JSON.stringify(after).slice(1) : '"}';
  const end = text.length - tail.length; // the string's closing quote
  if (end < head.length || !text.startsWith(head) || !text.endsWith(tail)) return false;
  if (before$(text, '\\u', head.length, end) || before$(text, '\\/', head.length, end)) return false;
  for (let q = text.indexOf('"', head.length); q !== -1 && q <= end; q = text.indexOf('"', q + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(q - 1 - backslashes) === 0x5c) backslashes++;
    // Escaped inside the string; unescaped only as the closing quote.
    if ((backslashes % 2 === 1) === (q === end)) return false;
  }
  return true;
}

/** Whether `pattern` starts in text[from, end). */
function before$(text: string, pattern: string, from: number, end: number): boolean {
  const at = text.indexOf(pattern, from);
  return at !== -1 && at < end;
}
