import type { Doc } from '../document';
import type { RecordLocation, RecordProblem } from '../errors';
import { validateDoc, DEFAULT_LIMITS, type ValidationLimits } from '../validate';
import { readRawRecords } from './doc-files';
import { parseJsonLine } from './lines';
import { attachRawText } from './raw-text';

/** A document read from a file, or a problem that replaces it; `bytes` drives progress. */
export type DocItem = { doc: Doc; bytes: number } | { problem: RecordProblem; bytes: number };

/** The line a document was read from: its text and its UTF-8 bytes (no line ending, no BOM). */
export interface SourceLine {
  text: string;
  bytes: Buffer;
}

/** Options of `readDocFile`. */
export interface ReadDocOptions {
  limits?: ValidationLimits;
  /** Records each document's line here (for writers that copy unchanged lines). */
  lines?: WeakMap<Doc, SourceLine>;
  /** Read chunk size in bytes (tests use small ones to cut lines across chunks). Default 1 MB. */
  highWaterMark?: number;
  /**
   * Each document remembers its text as serialized in the line (`RawText`), so that a writer
   * copies an unchanged text instead of encoding it again. Off by default: the documents then
   * carry a symbol-keyed property, which deep equality in tests sees.
   */
  rawText?: boolean;
}

/** What one line of a document file holds (see `parseDocLine`). */
export type DocLine =
  | { kind: 'blank' }
  | { kind: 'problem'; problem: RecordProblem; bytes: number }
  | { kind: 'doc'; doc: Doc; line: SourceLine; bytes: number };

/**
 * Reads one line of a document file, given as its bytes without the newline, found at `at`:
 * strict UTF-8 (a trailing CR and a leading BOM dropped), blank lines skipped, then JSON.parse
 * and `validateDoc`. `bytes` counts the whole line, newline included. The one definition of a
 * document line: `readDocFile` reads every line with it, and dedupe's filter the few it parses.
 */
export function parseDocLine(
  buf: Buffer,
  at: RecordLocation,
  limits: ValidationLimits = DEFAULT_LIMITS,
  rawText?: { owner?: { readonly fills: number } },
): DocLine {
  const item = parseJsonLine(buf, at.line ?? 0);
  if (item === undefined) return { kind: 'blank' };
  if ('problem' in item) return { kind: 'problem', problem: { ...item.problem, at }, bytes: item.bytes };
  const checked = validateDoc(item.value, at, limits);
  if (!checked.ok) return { kind: 'problem', problem: checked.problem, bytes: item.bytes };
  // With `rawText`, the document remembers its serialized text so that an unchanged text is
  // written back as it was read, without escaping and encoding it again (see `RawText`).
  if (rawText) attachRawText(checked.value, checked.value.text, item.raw, rawText.owner);
  return { kind: 'doc', doc: checked.value, line: { text: item.text, bytes: item.raw }, bytes: item.bytes };
}

/**
 * Reads a document file (JSON lines, a JSON array of documents, either gzip-compressed: see
 * `docFileFormat`), validating each document; problems (malformed lines, too large records, a
 * file that is not text) come as items in place of documents.
 */
export async function* readDocFile(file: string, opts: ReadDocOptions = {}): AsyncGenerator<DocItem> {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  for await (const rec of readRawRecords(file, opts.highWaterMark !== undefined ? { highWaterMark: opts.highWaterMark } : {})) {
    if ('problem' in rec) {
      yield { problem: { ...rec.problem, at: rec.at }, bytes: rec.bytes };
      continue;
    }
    const item = parseDocLine(rec.buf, rec.at, limits, opts.rawText ? (rec.owner ? { owner: rec.owner } : {}) : undefined);
    if (item.kind === 'blank') continue;
    if (item.kind === 'problem') {
      yield { problem: item.problem, bytes: item.bytes };
      continue;
    }
    // The line's bytes are a view of the reader's buffer, refilled later: kept as a copy. An
    // array element is no line: it may span several, so it is never copied as one.
    if (rec.at.line !== undefined) opts.lines?.set(item.doc, { text: item.line.text, bytes: Buffer.from(item.line.bytes) });
    yield { doc: item.doc, bytes: item.bytes };
  }
}
