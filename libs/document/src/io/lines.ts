import { closeSync, openSync, readSync } from 'node:fs';

/** One line of a text file: its 1-based number and either its text or why it is unusable. */
export type LineItem =
  | {
      line: number;
      text: string;
      bytes: number;
      /** The UTF-8 bytes `text` was decoded from (no line ending, no BOM): a view, valid until the next line is pulled. */
      raw: Buffer;
    }
  | { line: number; problem: 'invalid_utf8'; bytes: number };

const NEWLINE = 0x0a;

/** One line of a file as bytes: its 1-based number and its bytes without the newline (a view). */
export interface RawLine {
  line: number;
  buf: Buffer;
  /**
   * The reused buffer `buf` is a view of, with its count of refills (see `RawText`); absent
   * when `buf` is a line of its own (one that spanned two reads).
   */
  owner?: { readonly fills: number };
}

/**
 * Streams the lines of a file as bytes, split at newlines (a CR before one stays in the line).
 * A final line without a newline is still yielded. The file is read synchronously into one
 * reused buffer (a stream's fresh buffer per read cost a page fault per 4 KB, about as much CPU
 * as the reading): a line's `buf` is a view that stays valid only until the next line is
 * pulled; copy it to keep it.
 */
export async function* readRawLines(file: string, highWaterMark = 1 << 20): AsyncGenerator<RawLine> {
  const fd = openSync(file, 'r');
  try {
    const chunk = Buffer.allocUnsafe(highWaterMark);
    const owner = { fills: 0 };
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let line = 0;
    for (;;) {
      owner.fills++;
      const got = readSync(fd, chunk, 0, chunk.length, null);
      if (got === 0) break;
      let start = 0;
      let nl = chunk.indexOf(NEWLINE, start);
      while (nl !== -1 && nl < got) {
        const piece = chunk.subarray(start, nl);
        if (pendingBytes > 0) {
          pending.push(piece);
          yield { line: ++line, buf: Buffer.concat(pending, pendingBytes + piece.length) };
          pending = [];
          pendingBytes = 0;
        } else {
          yield { line: ++line, buf: piece, owner };
        }
        start = nl + 1;
        nl = chunk.indexOf(NEWLINE, start);
      }
      if (start < got) {
        // The buffer is refilled next: the start of an unfinished line is kept as a copy.
        pending.push(Buffer.from(chunk.subarray(start, got)));
        pendingBytes += got - start;
      }
    }
    if (pendingBytes > 0) yield { line: ++line, buf: Buffer.concat(pending, pendingBytes) };
  } finally {
    closeSync(fd);
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Decodes one line's bytes (no newline) strictly: a trailing CR and a leading BOM are dropped,
 * and a line with an invalid byte sequence is reported as such instead of being decoded with
 * replacement characters.
 */
export function decodeLine(buf: Buffer, line: number): LineItem {
  let end = buf.length;
  if (end > 0 && buf[end - 1] === 0x0d) end--; // CRLF
  try {
    const text = strictUtf8.decode(buf.subarray(0, end));
    // The decoder drops a BOM opening the line; the raw bytes leave it out too.
    const start = end >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
    return { line, text, bytes: buf.length + 1, raw: buf.subarray(start, end) };
  } catch {
    return { line, problem: 'invalid_utf8', bytes: buf.length + 1 };
  }
}

/** Streams the lines of a file as UTF-8 strings, each checked strictly (`decodeLine`). */
export async function* readLines(file: string, highWaterMark = 1 << 20): AsyncGenerator<LineItem> {
  for await (const { line, buf } of readRawLines(file, highWaterMark)) yield decodeLine(buf, line);
}

/** A parsed JSONL record, or the reason its line could not be used. Blank lines are skipped. */
export type JsonLineItem =
  | {
      line: number;
      value: unknown;
      bytes: number;
      /** The line the value was parsed from, as text and as its UTF-8 bytes (see `LineItem`). */
      text: string;
      raw: Buffer;
      /** Set by `readJsonLines` when `raw` is a view of its reused buffer (see `RawLine`). */
      owner?: { readonly fills: number };
    }
  | { line: number; problem: { reason: string; detail: string }; bytes: number };

/** Parses one line's bytes (no newline) as JSON; undefined for a blank line. */
export function parseJsonLine(buf: Buffer, line: number): JsonLineItem | undefined {
  const item = decodeLine(buf, line);
  if ('problem' in item) return { line, bytes: item.bytes, problem: { reason: 'invalid_utf8', detail: 'line is not valid UTF-8' } };
  if (item.text.trim().length === 0) return undefined;
  try {
    return { line, value: JSON.parse(item.text), bytes: item.bytes, text: item.text, raw: item.raw };
  } catch (err) {
    return { line, bytes: item.bytes, problem: { reason: 'malformed_json', detail: (err as Error).message } };
  }
}

/** Streams the JSON records of a JSONL file (`parseJsonLine`), blank lines skipped. */
export async function* readJsonLines(file: string, highWaterMark?: number): AsyncGenerator<JsonLineItem> {
  for await (const { line, buf, owner } of readRawLines(file, highWaterMark)) {
    const item = parseJsonLine(buf, line);
    if (item === undefined) continue;
    if (owner !== undefined && !('problem' in item)) item.owner = owner;
    yield item;
  }
}
