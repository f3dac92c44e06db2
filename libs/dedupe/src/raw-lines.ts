import { createReadStream } from 'node:fs';
import { AtomicFileWriter, validateDoc, type Doc, type DocItem } from '@apollo/document';
import type { DocSink } from '@apollo/stage';

/**
 * Kept documents copied as the bytes they were read as. The filter phase keeps 93% of its
 * documents unchanged, and re-serializing them (joining the lines, measuring and encoding them
 * as UTF-8) was half of its time. Its reader remembers each document's line; its sink writes
 * that line's bytes when they are exactly what the default writer would produce (the line
 * equals `JSON.stringify` of the document), and serializes the document otherwise (a document
 * the step changed or replaced, a line not in canonical form). The output is byte for byte the
 * default sink's.
 */

/** The line a document was read from: its text and its bytes (no line ending, no BOM). */
interface SourceLine {
  text: string;
  bytes: Buffer;
}

/** Lines of the documents read and not yet written, by document (no strong references kept). */
export type SourceLines = WeakMap<Doc, SourceLine>;

const NEWLINE = 0x0a;
const NEWLINE_BYTES = Buffer.from('\n');

/**
 * `readDocFile` of @apollo/document with the same items, numbering and byte counts (strict
 * UTF-8 per line, CRLF, a BOM dropped at the start of a line as its TextDecoder does, blank lines
 * skipped, malformed JSON and invalid documents reported), recording each document's line in
 * `lines`.
 */
export async function* readDocFileWithLines(file: string, lines: SourceLines, highWaterMark = 1 << 20): AsyncGenerator<DocItem> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let line = 0;
  function item(buf: Buffer): DocItem | undefined {
    line++;
    const bytes = buf.length + 1;
    const at = { file, line };
    let end = buf.length;
    if (end > 0 && buf[end - 1] === 0x0d) end--;
    let text: string;
    try {
      text = decoder.decode(buf.subarray(0, end));
    } catch {
      return { problem: { reason: 'invalid_utf8', detail: 'line is not valid UTF-8', at }, bytes };
    }
    if (text.trim().length === 0) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      return { problem: { reason: 'malformed_json', detail: (err as Error).message, at }, bytes };
    }
    const checked = validateDoc(value, at);
    if (!checked.ok) return { problem: checked.problem, bytes };
    const start = end >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
    lines.set(checked.value, { text, bytes: buf.subarray(start, end) });
    return { doc: checked.value, bytes };
  }
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of createReadStream(file, { highWaterMark }) as AsyncIterable<Buffer>) {
    let start = 0;
    let nl = chunk.indexOf(NEWLINE, start);
    while (nl !== -1) {
      const piece = chunk.subarray(start, nl);
      let it: DocItem | undefined;
      if (pendingBytes > 0) {
        pending.push(piece);
        it = item(Buffer.concat(pending, pendingBytes + piece.length));
        pending = [];
        pendingBytes = 0;
      } else it = item(piece);
      if (it) yield it;
      start = nl + 1;
      nl = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
    }
  }
  if (pendingBytes > 0) {
    const it = item(Buffer.concat(pending, pendingBytes));
    if (it) yield it;
  }
}

/** Buffered bytes that make the sink write to its file (as the default writer's 1 MB batches). */
const BATCH_BYTES = 1 << 20;

/** The default `docs/<rank>.jsonl` sink, copying unchanged lines (see above). */
export class SourceLineSink implements DocSink {
  readonly name = 'jsonl';
  private readonly file: AtomicFileWriter;
  private parts: Buffer[] = [];
  private partBytes = 0;

  constructor(
    path: string,
    private readonly lines: SourceLines,
  ) {
    this.file = new AtomicFileWriter(path);
  }

  async write(doc: Doc): Promise<void> {
    const json = JSON.stringify(doc);
    const source = this.lines.get(doc);
    const bytes = source !== undefined && source.text === json ? source.bytes : Buffer.from(json);
    this.parts.push(bytes, NEWLINE_BYTES);
    this.partBytes += bytes.length + 1;
    if (this.partBytes > BATCH_BYTES) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.partBytes === 0) return;
    const data = Buffer.concat(this.parts, this.partBytes);
    this.parts = [];
    this.partBytes = 0;
    await this.file.write(data);
  }

  async commit(): Promise<number> {
    await this.flush();
    await this.file.commit();
    return this.file.bytes;
  }

  async abort(): Promise<void> {
    this.parts = [];
    this.partBytes = 0;
    await this.file.abort();
  }
}
