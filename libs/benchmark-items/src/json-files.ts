import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fail } from './item-error';

/**
 * Benchmark files are small (the largest XMedBench test file is a few MB), so a JSON file is
 * parsed whole; JSON lines are streamed, since some original training files run to 100 MB.
 */

function parse(text: string, file: string, line?: number): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    return fail(line === undefined ? { file } : { file, line }, 'malformed_json', (err as Error).message);
  }
}

/** The one JSON value a file holds (a UTF-8 BOM is skipped). */
export async function readJsonDocument(file: string): Promise<unknown> {
  return parse((await readFile(file, 'utf8')).replace(/^\uFEFF/, ''), file);
}

/** The elements of a file holding one JSON array, with their 0-based index. */
export async function readJsonArray(file: string): Promise<{ value: unknown; record: number }[]> {
  const doc = await readJsonDocument(file);
  if (!Array.isArray(doc)) fail({ file }, 'not_an_array', 'a JSON benchmark file must hold one JSON array of items');
  return doc.map((value, record) => ({ value, record }));
}

/** The values of a JSON lines file, with their 1-based line; blank lines are skipped, a malformed line is an error naming it. */
export async function* readJsonLines(file: string): AsyncGenerator<{ value: unknown; line: number }> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  for await (const raw of lines) {
    line++;
    const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (text.trim() === '') continue;
    yield { value: parse(text, file, line), line };
  }
}

/** Whether the file's first character that is not white space (or a BOM) is `[`: a JSON array rather than JSON lines. */
export async function startsWithArray(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(256);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return /[^\s\uFEFF]/.exec(buf.subarray(0, bytesRead).toString('utf8'))?.[0] === '[';
  } finally {
    await fh.close();
  }
}
