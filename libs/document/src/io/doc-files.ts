import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { RecordLocation } from '../errors';
import { readJsonArrayElements } from './json-array';
import { DEFAULT_MAX_LINE_BYTES, oversizeProblem, readRawLines, splitLines } from './lines';

/**
 * The formats a stage reads documents from: JSON lines (the format between stages), a JSON array
 * of documents, and either one gzip-compressed. Names are matched case-insensitively.
 */
export type DocFileFormat = 'jsonl' | 'jsonl.gz' | 'json' | 'json.gz';

const FORMAT_BY_SUFFIX: [string, DocFileFormat][] = [
  ['.jsonl.gz', 'jsonl.gz'],
  ['.ndjson.gz', 'jsonl.gz'],
  ['.json.gz', 'json.gz'],
  ['.jsonl', 'jsonl'],
  ['.ndjson', 'jsonl'],
  ['.json', 'json'],
];

/** The suffixes of document files, for messages. */
export const DOC_FILE_SUFFIXES: readonly string[] = FORMAT_BY_SUFFIX.map(([s]) => s);

/** The format a file name says, or undefined when it is not a document file. */
export function docFileFormat(name: string): DocFileFormat | undefined {
  const lower = name.toLowerCase();
  for (const [suffix, format] of FORMAT_BY_SUFFIX) if (lower.endsWith(suffix)) return format;
  return undefined;
}

/** One record of a document file as bytes (a line, or an array element), or why it is unusable. */
export type RawRecord =
  | {
      at: RecordLocation;
      buf: Buffer;
      /** Bytes the record took in the file, separators included (for progress). */
      bytes: number;
      /** The reused buffer `buf` is a view of (see `RawLine`). */
      owner?: { readonly fills: number };
    }
  | { at: RecordLocation; problem: { reason: string; detail: string }; bytes: number };

export interface RawRecordOptions {
  /** Read chunk size (tests cut records across chunks with small ones). Default 1 MB. */
  highWaterMark?: number;
  /** Largest record, in bytes; longer ones are `too_large`, whatever their bytes. Default 64 MiB. */
  maxRecordBytes?: number;
}

const SNIFF_BYTES = 8192;
const sniffDecoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Why the first bytes of a file say it is not text (a NUL byte, or mostly invalid UTF-8), or
 * undefined. A text file with a few bad lines is text: each bad line is reported on its own.
 */
export function notTextReason(head: Buffer): string | undefined {
  const nul = head.indexOf(0);
  if (nul !== -1) return `binary data (a NUL byte at offset ${nul})`;
  if (head.length === 0) return undefined;
  // A multi-byte character cut at the end of the sample is not an error.
  const text = sniffDecoder.decode(head.length === SNIFF_BYTES ? head.subarray(0, head.length - 3) : head);
  let bad = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 0xfffd) bad++;
  return bad > 0 && bad * 4 > text.length ? `not UTF-8 text (${bad} invalid sequences in the first ${head.length} bytes)` : undefined;
}

function fileHead(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.allocUnsafe(SNIFF_BYTES);
    return head.subarray(0, readSync(fd, head, 0, SNIFF_BYTES, 0));
  } finally {
    closeSync(fd);
  }
}

/** The decompressed chunks of a gzip file. */
async function* gunzipped(file: string): AsyncGenerator<Buffer> {
  yield* createReadStream(file, { highWaterMark: 1 << 20 }).pipe(createGunzip()) as AsyncIterable<Buffer>;
}

/** Passes chunks on once the first is found to be text; else reports why not and yields nothing. */
async function* firstChecked(chunks: AsyncIterable<Buffer>, onNotText: (reason: string) => void): AsyncGenerator<Buffer> {
  let first = true;
  for await (const chunk of chunks) {
    if (first) {
      first = false;
      const reason = notTextReason(chunk.subarray(0, SNIFF_BYTES));
      if (reason) {
        onNotText(reason);
        return;
      }
    }
    yield chunk;
  }
}

/**
 * Streams the records of a document file of any `DocFileFormat` as bytes: the lines of JSON
 * lines (blank ones included: the caller skips them), the elements of a JSON array. A file that
 * is not text is reported once, as one `not_text` problem for the whole file. Gzip errors
 * (a corrupt or truncated archive) are thrown: the file could not be read.
 */
export async function* readRawRecords(file: string, opts: RawRecordOptions = {}): AsyncGenerator<RawRecord> {
  const format = docFileFormat(file) ?? 'jsonl';
  const cap = opts.maxRecordBytes ?? DEFAULT_MAX_LINE_BYTES;
  let notText: string | undefined;
  const reject = (reason: string) => {
    notText = reason;
  };
  if (format === 'jsonl' || format === 'json') {
    notText = notTextReason(fileHead(file));
  }
  if (notText === undefined) {
    if (format === 'jsonl' || format === 'jsonl.gz') {
      const lines = format === 'jsonl' ? readRawLines(file, opts.highWaterMark, cap) : splitLines(firstChecked(gunzipped(file), reject), cap);
      for await (const { line, buf, owner, oversize } of lines) {
        const at = { file, line };
        if (oversize !== undefined) yield { at, problem: oversizeProblem(oversize, cap), bytes: oversize + 1 };
        else yield owner ? { at, buf, bytes: buf.length + 1, owner } : { at, buf, bytes: buf.length + 1 };
      }
    } else {
      const chunks = format === 'json' ? (createReadStream(file, { highWaterMark: opts.highWaterMark ?? 1 << 20 }) as AsyncIterable<Buffer>) : firstChecked(gunzipped(file), reject);
      for await (const el of readJsonArrayElements(chunks, cap)) {
        // A stream cut short because it is not text is not a truncated array.
        if (notText !== undefined) break;
        const at = { file, record: el.record };
        yield 'problem' in el ? { at, problem: el.problem, bytes: el.bytes } : { at, buf: el.buf, bytes: el.bytes };
      }
    }
  }
  if (notText !== undefined) yield { at: { file }, problem: { reason: 'not_text', detail: `the file is not a document file: ${notText}` }, bytes: 0 };
}
