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
  | { line: number; problem: 'invalid_utf8' | 'too_large'; bytes: number };

const NEWLINE = 0x0a;

/**
 * Largest line (or JSON array element) a reader takes, in bytes. A longer one is reported as
 * `too_large` without being held in memory: a document's text is capped at 1,000,000
 * characters by default (`ValidationLimits`), at most about 12 MB as escaped JSON with its turns.
 */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

/** One line of a file as bytes: its 1-based number and its bytes without the newline (a view). */
export interface RawLine {
  line: number;
  buf: Buffer;
  /**
   * The reused buffer `buf` is a view of, with its count of refills (see `RawText`); absent
   * when `buf` is a line of its own (one that spanned two reads).
   */
  owner?: { readonly fills: number };
  /** Set (to the line's length in bytes) when the line was longer than the cap: `buf` is then empty. */
  oversize?: number;
}

const EMPTY = Buffer.alloc(0);

/**
 * Splits a stream of chunks into lines at newlines (a CR before one stays in the line); a final
 * line without a newline is still yielded. A line is a view of its chunk when it lies within one
 * (valid until the next line is pulled: chunks may be reused buffers, counted by `owner.fills`);
 * a line longer than `maxLineBytes` is skipped to its end and yielded empty with `oversize`.
 */
export async function* splitLines(
  chunks: Iterable<Buffer> | AsyncIterable<Buffer>,
  maxLineBytes = DEFAULT_MAX_LINE_BYTES,
  owner?: { fills: number },
): AsyncGenerator<RawLine> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let skipping = false;
  let line = 0;
  for await (const chunk of chunks) {
    const got = chunk.length;
    let start = 0;
    let nl = chunk.indexOf(NEWLINE, start);
    while (nl !== -1) {
      const length = pendingBytes + nl - start;
      if (skipping || length > maxLineBytes) {
        yield { line: ++line, buf: EMPTY, oversize: length };
        pending = [];
        pendingBytes = 0;
        skipping = false;
      } else if (pendingBytes > 0) {
        pending.push(chunk.subarray(start, nl));
        yield { line: ++line, buf: Buffer.concat(pending, length) };
        pending = [];
        pendingBytes = 0;
      } else {
        yield owner ? { line: ++line, buf: chunk.subarray(start, nl), owner } : { line: ++line, buf: chunk.subarray(start, nl) };
      }
      start = nl + 1;
      nl = chunk.indexOf(NEWLINE, start);
    }
    if (start < got) {
      pendingBytes += got - start;
      if (pendingBytes > maxLineBytes) {
        // Counted, not kept: the line is reported by its length alone.
        skipping = true;
        pending = [];
      } else {
        // The chunk may be refilled next: the start of an unfinished line is kept as a copy.
        pending.push(Buffer.from(chunk.subarray(start, got)));
      }
    }
  }
  if (pendingBytes > 0) {
    if (skipping || pendingBytes > maxLineBytes) yield { line: ++line, buf: EMPTY, oversize: pendingBytes };
    else yield { line: ++line, buf: Buffer.concat(pending, pendingBytes) };
  }
}

/** Reads a file synchronously into one reused buffer, yielding the filled part of it each time. */
function* fileChunks(file: string, highWaterMark: number, owner: { fills: number }): Generator<Buffer> {
  const fd = openSync(file, 'r');
  try {
    const chunk = Buffer.allocUnsafe(highWaterMark);
    for (;;) {
      owner.fills++;
      const got = readSync(fd, chunk, 0, chunk.length, null);
      if (got === 0) return;
      yield got === chunk.length ? chunk : chunk.subarray(0, got);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Streams the lines of a file as bytes (`splitLines`). The file is read synchronously into one
 * reused buffer (a stream's fresh buffer per read cost a page fault per 4 KB, about as much CPU
 * as the reading): a line's `buf` is a view that stays valid only until the next line is
 * pulled; copy it to keep it.
 */
export function readRawLines(file: string, highWaterMark = 1 << 20, maxLineBytes = DEFAULT_MAX_LINE_BYTES): AsyncGenerator<RawLine> {
  const owner = { fills: 0 };
  return splitLines(fileChunks(file, highWaterMark, owner), maxLineBytes, owner);
}

/** The problem reported for a line over the cap. */
export function oversizeProblem(bytes: number, maxLineBytes = DEFAULT_MAX_LINE_BYTES): { reason: 'too_large'; detail: string } {
  return { reason: 'too_large', detail: `line has ${bytes} bytes, above the cap of ${maxLineBytes}` };
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
  for await (const { line, buf, oversize } of readRawLines(file, highWaterMark)) {
    yield oversize !== undefined ? { line, problem: 'too_large', bytes: oversize + 1 } : decodeLine(buf, line);
  }
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
  for await (const { line, buf, owner, oversize } of readRawLines(file, highWaterMark)) {
    if (oversize !== undefined) {
      yield { line, bytes: oversize + 1, problem: oversizeProblem(oversize) };
      continue;
    }
    const item = parseJsonLine(buf, line);
    if (item === undefined) continue;
    if (owner !== undefined && !('problem' in item)) item.owner = owner;
    yield item;
  }
}
