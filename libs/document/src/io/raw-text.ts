import { RAW_TEXT, type Doc, type RawText } from '../document';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isSpace(b: number | undefined): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

function skipSpace(buf: Uint8Array, i: number): number {
  while (isSpace(buf[i])) i++;
  return i;
}

/**
 * Index of the quote closing a JSON string whose contents start at `from`, or -1. Inside a
 * string a quote is either the end or escaped by an odd run of backslashes, so the search
 * jumps from quote to quote (memchr speed over long texts) and only looks back at those.
 */
function stringEnd(buf: Uint8Array, from: number): number {
  for (let q = buf.indexOf(QUOTE, from); q !== -1; q = buf.indexOf(QUOTE, q + 1)) {
    let slashes = 0;
    for (let j = q - 1; j >= from && buf[j] === BACKSLASH; j--) slashes++;
    if (slashes % 2 === 0) return q;
  }
  return -1;
}

/** End (exclusive) of an object or array opening at `i`, skipping strings; -1 if unbalanced. */
function containerEnd(buf: Uint8Array, i: number): number {
  let depth = 0;
  for (; i < buf.length; i++) {
    const b = buf[i]!;
    if (b === QUOTE) {
      i = stringEnd(buf, i + 1);
      if (i === -1) return -1;
    } else if (b === 0x7b || b === 0x5b) {
      depth++;
    } else if (b === 0x7d || b === 0x5d) {
      if (--depth === 0) return i + 1;
    }
  }
  return -1;
}

function equalsAscii(buf: Uint8Array, start: number, end: number, key: string): boolean {
  if (end - start !== key.length) return false;
  for (let k = 0; k < key.length; k++) if (buf[start + k] !== key.charCodeAt(k)) return false;
  return true;
}

/**
 * Where the string value of the top-level member `key` (ASCII) lies in the bytes of one JSON
 * object: the bytes between its quotes. Undefined unless the member appears exactly once at the
 * top level with a string value, and no top-level key is written with escapes (JSON.parse would
 * decode `"te\u0078t"` as the same key). Meant for text that JSON.parse has already accepted:
 * on anything else it may answer undefined, never a wrong span.
 */
export function topLevelStringSpan(buf: Uint8Array, key: string): { start: number; end: number } | undefined {
  let i = skipSpace(buf, 0);
  if (buf[i] !== 0x7b) return undefined;
  i = skipSpace(buf, i + 1);
  let found: { start: number; end: number } | undefined;
  if (buf[i] === 0x7d) return undefined;
  for (;;) {
    if (buf[i] !== QUOTE) return undefined;
    const keyEnd = stringEnd(buf, i + 1);
    if (keyEnd === -1) return undefined;
    for (let j = i + 1; j < keyEnd; j++) if (buf[j] === BACKSLASH) return undefined;
    const isKey = equalsAscii(buf, i + 1, keyEnd, key);
    i = skipSpace(buf, keyEnd + 1);
    if (buf[i] !== 0x3a) return undefined;
    i = skipSpace(buf, i + 1);
    const b = buf[i];
    if (b === QUOTE) {
      const end = stringEnd(buf, i + 1);
      if (end === -1) return undefined;
      if (isKey) {
        if (found) return undefined;
        found = { start: i + 1, end };
      }
      i = end + 1;
    } else if (isKey) {
      return undefined;
    } else if (b === 0x7b || b === 0x5b) {
      i = containerEnd(buf, i);
      if (i === -1) return undefined;
    } else {
      while (i < buf.length && buf[i] !== 0x2c && buf[i] !== 0x7d && !isSpace(buf[i])) i++;
    }
    i = skipSpace(buf, i);
    if (buf[i] === 0x2c) {
      i = skipSpace(buf, i + 1);
      continue;
    }
    return buf[i] === 0x7d ? found : undefined;
  }
}

function hexDigit(b: number | undefined): number {
  if (b === undefined) return -1;
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x61 + 10;
  return -1;
}

/**
 * Whether the contents of a JSON string (valid, as JSON.parse accepted them) are escaped
 * exactly as JSON.stringify escapes: only `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, and
 * `\u00xx` (lower-case) for the other control characters. Text passed through as read must
 * come out as the writer would have written it, or the output would depend on how the input
 * was escaped (`\u4e2d` from Python's json.dumps, `\/`).
 */
export function isCanonicalJsonString(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = buf.indexOf(BACKSLASH, start); i !== -1 && i < end; i = buf.indexOf(BACKSLASH, i + 2)) {
    const e = buf[i + 1];
    if (e === QUOTE || e === BACKSLASH || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) continue;
    if (e !== 0x75 || buf[i + 2] !== 0x30 || buf[i + 3] !== 0x30) return false;
    const hi = hexDigit(buf[i + 4]);
    const lo = hexDigit(buf[i + 5]);
    if (hi < 0 || hi > 1 || lo < 0) return false;
    const code = hi * 16 + lo;
    if (code === 0x08 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d) return false;
    i += 4;
  }
  return true;
}

/**
 * Records on `doc` where its text lies in `line` (the bytes it was parsed from), when `text`
 * is the string JSON.parse made of the line's top-level `text` member and the document still
 * holds that very string. `owner`/`fills` stamp a view into a reused buffer (see `RawText`).
 */
export function attachRawText(doc: Doc, text: string, line: Uint8Array, owner?: { readonly fills: number }): void {
  if (doc.text !== text) return;
  const span = topLevelStringSpan(line, 'text');
  if (span === undefined || !isCanonicalJsonString(line, span.start, span.end)) return;
  const raw: RawText = { text, bytes: line.subarray(span.start, span.end), fills: owner?.fills ?? 0, ...(owner ? { owner } : {}) };
  doc[RAW_TEXT] = raw;
}

/** The serialized text `doc` was read with, if it still applies (same text, buffer not refilled). */
export function rawTextOf(doc: Doc): Uint8Array | undefined {
  const raw = doc[RAW_TEXT];
  if (raw === undefined || raw.text !== doc.text) return undefined;
  if (raw.owner !== undefined && raw.owner.fills !== raw.fills) return undefined;
  return raw.bytes;
}
