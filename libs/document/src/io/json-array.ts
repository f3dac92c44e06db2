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

/** One element of a top-level JSON array as its bytes, or why the array's remainder could not be read. */
export type RawArrayElement =
  | { record: number; buf: Buffer; bytes: number }
  | { record: number; problem: { reason: string; detail: string }; bytes: number };

/**
 * Streams the elements of one top-level JSON array as bytes, from a stream of chunks, holding one
 * element at a time (chunks must not be reused buffers: elements hold views of them). An element longer than `maxElementBytes` is reported as `too_large` without
 * being held; a truncated array yields its complete elements, then one `truncated_file` problem.
 */
export async function* readJsonArrayElements(chunks: AsyncIterable<Buffer> | Iterable<Buffer>, maxElementBytes = Infinity): AsyncGenerator<RawArrayElement> {
  let state: 'before' | 'between' | 'done' = 'before';
  let depth = 0; // nesting depth inside the current element
  let inString = false;
  let escaped = false;
  let element: Buffer[] = [];
  let elementBytes = 0;
  let started = false; // inside an element
  let record = 0;

  const keep = (piece: Buffer) => {
    elementBytes += piece.length;
    // Past the cap the element is only measured.
    if (elementBytes <= maxElementBytes) element.push(piece);
    else element = [];
  };
  const finish = (): RawArrayElement => {
    const bytes = elementBytes + 1;
    const index = record++;
    const over = elementBytes > maxElementBytes;
    const buf = over ? undefined : Buffer.concat(element, elementBytes);
    element = [];
    elementBytes = 0;
    started = false;
    if (!buf) return { record: index, bytes, problem: { reason: 'too_large', detail: `element has ${bytes - 1} bytes, above the cap of ${maxElementBytes}` } };
    return { record: index, buf, bytes };
  };

  for await (const chunk of chunks) {
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
          keep(chunk.subarray(segStart, i));
          yield finish();
          segStart = -1;
          state = 'done';
          continue;
        }
        depth--;
      } else if (b === Ch.Comma && depth === 0) {
        keep(chunk.subarray(segStart, i));
        yield finish();
        segStart = -1;
        continue;
      }
    }
    if (started && segStart !== -1) keep(chunk.subarray(segStart));
  }
  if (state !== 'done') {
    yield {
      record,
      bytes: elementBytes,
      problem: { reason: 'truncated_file', detail: `the JSON array is not closed; ${record} complete records were read before the end` },
    };
  }
}

/**
 * Streams the elements of a file holding one top-level JSON array (the Apollo release format:
 * hundreds of MB per file), parsing one element at a time so memory stays bounded by the
 * largest element. A malformed element is reported with its index and the reader moves on to
 * the next one; a truncated file yields its complete elements, then one `truncated_file`
 * problem.
 */
export async function* readJsonArray(file: string, maxElementBytes?: number): AsyncGenerator<ArrayElementItem> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for await (const el of readJsonArrayElements(createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>, maxElementBytes)) {
    if ('problem' in el) {
      yield el;
      continue;
    }
    let text: string;
    try {
      text = decoder.decode(el.buf);
    } catch {
      yield { record: el.record, bytes: el.bytes, problem: { reason: 'invalid_utf8', detail: 'element is not valid UTF-8' } };
      continue;
    }
    try {
      yield { record: el.record, bytes: el.bytes, value: JSON.parse(text) };
    } catch (err) {
      yield { record: el.record, bytes: el.bytes, problem: { reason: 'malformed_json', detail: (err as Error).message } };
    }
  }
}
