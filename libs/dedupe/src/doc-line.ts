import type { Doc, SourceLine } from '@apollo/document';

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
