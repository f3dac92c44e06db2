import type { Doc } from '../document';
import type { RecordProblem } from '../errors';
import { validateDoc, DEFAULT_LIMITS, type ValidationLimits } from '../validate';
import { readJsonLines } from './lines';

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
}

/** Reads a JSONL file of serialized documents (the format between stages), validating each. */
export async function* readDocFile(file: string, opts: ReadDocOptions = {}): AsyncGenerator<DocItem> {
  for await (const item of readJsonLines(file, opts.highWaterMark)) {
    const at = { file, line: item.line };
    if ('problem' in item) {
      yield { problem: { ...item.problem, at }, bytes: item.bytes };
      continue;
    }
    const checked = validateDoc(item.value, at, opts.limits ?? DEFAULT_LIMITS);
    if (!checked.ok) {
      yield { problem: checked.problem, bytes: item.bytes };
      continue;
    }
    opts.lines?.set(checked.value, { text: item.text, bytes: item.raw });
    yield { doc: checked.value, bytes: item.bytes };
  }
}
