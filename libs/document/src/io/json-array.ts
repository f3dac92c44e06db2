import { createReadStream } from 'node:fs';

/** One element of a top-level JSON array, or why the file's remainder could not be read. */
export type ArrayElementItem =
  | { record: number; value: unknown; bytes: number }
  | { record: number; problem: { reason: string; detail: string }; bytes: number };

const enum Ch {
  Quote = 0x22,
  Backslash = 0x5c,
  OpenBracket = 0x5b,
  CloseBracket = 0x5d,
  OpenBrace = 0x7b,
  CloseBrace = 0x7d,
  Comma = 0x2c,
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/**
 * Streams the elements of a file holding one top-level JSON array (the Apollo release format:
 * hundreds of MB per file), parsing one element at a time so memory stays bounded by the
 * largest element. A malformed element is reported with its index and the reader moves on to
 * the next one; a truncated file yields its complete elements, then one `truncated_file`
 * problem.
 */
export async function* readJsonArray(file: string): AsyncGenerator<ArrayElementItem> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let state: 'before' | 'between' | 'done' = 'before';
  let depth = 0; // nesting depth inside the current element
  let inString = false;
  let escaped = false;
  let element: Buffer[] = [];
  let elementBytes = 0;
  let started = false; // inside an element
  let record = 0;

  const finish = (): ArrayElementItem => {
    const buf = Buffer.concat(element, elementBytes);
    element = [];
    const bytes = elementBytes + 1;
    elementBytes = 0;
    started = false;
    const index = record++;
    let text: string;
    try {
      text = decoder.decode(buf);
    } catch {
      return { record: index, bytes, problem: { reason: 'invalid_utf8', detail: 'element is not valid UTF-8' } };
    }
    try {
      return { record: index, bytes, value: JSON.parse(text) };
    } catch (err) {
      return { record: index, bytes, problem: { reason: 'malformed_json', detail: (err as Error).message } };
    }
  };

  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let segStart = -1; // start of the element bytes inside this chunk
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (state === 'done') {
        if (!isSpace(b)) {
          yield { record, bytes: 0, problem: { reason: 'malformed_json', detail: 'unexpected data after the closing bracket' } };
          return;
        }
        continue;
      }
      if (state === 'before') {
        if (isSpace(b) || (b === 0xef || b === 0xbb || b === 0xbf)) continue; // whitespace or BOM
        if (b !== Ch.OpenBracket) {
          yield { record, bytes: 0, problem: { reason: 'malformed_json', detail: 'file does not start with a JSON array' } };
          return;
        }
        state = 'between';
        continue;
      }
      // Inside the array.
      if (!started) {
        if (isSpace(b) || b === Ch.Comma) continue;
        if (b === Ch.CloseBracket) {
          state = 'done';
          continue;
        }
        started = true;
        segStart = i;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (b === Ch.Backslash) escaped = true;
        else if (b === Ch.Quote) inString = false;
        continue;
      }
      if (b === Ch.Quote) {
        inString = true;
      } else if (b === Ch.OpenBracket || b === Ch.OpenBrace) {
        depth++;
      } else if (b === Ch.CloseBracket || b === Ch.CloseBrace) {
        if (depth === 0) {
          // The array's own closing bracket ends a scalar element.
          const piece = chunk.subarray(segStart, i);
          element.push(piece);
          elementBytes += piece.length;
          yield finish();
          segStart = -1;
          state = 'done';
          continue;
        }
        depth--;
      } else if (b === Ch.Comma && depth === 0) {
        const piece = chunk.subarray(segStart, i);
        element.push(piece);
        elementBytes += piece.length;
        yield finish();
        segStart = -1;
        continue;
      }
    }
    if (started && segStart !== -1) {
      const piece = chunk.subarray(segStart);
      element.push(piece);
      elementBytes += piece.length;
    }
  }
  if (state !== 'done') {
    yield {
      record,
      bytes: elementBytes,
      problem: { reason: 'truncated_file', detail: `the JSON array is not closed; ${record} complete records were read before the end` },
    };
  }
}
