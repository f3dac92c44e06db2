import { AtomicFileWriter, type Doc, type SourceLine } from '@apollo/document';
import type { DocSink } from '@apollo/stage';

/**
 * Kept documents copied as the bytes they were read as. The filter phase keeps 93% of its
 * documents unchanged, and re-serializing them (joining the lines, measuring and encoding them
 * as UTF-8) was half of its time. Its reader remembers each document's line; its sink writes
 * that line's bytes when they are exactly what the default writer would produce (the line
 * equals `JSON.stringify` of the document), and serializes the document otherwise (a document
 * the step changed or replaced, a line not in canonical form). The output is byte for byte the
 * default sink's. The lines are recorded by `readDocFile`'s `lines` option.
 */

/** Lines of the documents read and not yet written, by document (no strong references kept). */
export type SourceLines = WeakMap<Doc, SourceLine>;

const NEWLINE_BYTES = Buffer.from('\n');

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

  write(doc: Doc): Promise<void> {
    return this.writeDoc(doc, this.lines.get(doc));
  }

  /** Writes a document read from `source` (undefined: not read from a line). */
  async writeDoc(doc: Doc, source: SourceLine | undefined): Promise<void> {
    const json = JSON.stringify(doc);
    const bytes = source !== undefined && source.text === json ? source.bytes : Buffer.from(json);
    this.parts.push(bytes, NEWLINE_BYTES);
    this.partBytes += bytes.length + 1;
    if (this.partBytes > BATCH_BYTES) await this.flush();
  }

  /**
   * Writes whole lines, newlines included, known to be copyable (the filter's fast path).
   * The bytes must not change afterwards: large runs are handed to the file as they are.
   */
  async writeLines(bytes: Buffer): Promise<void> {
    if (bytes.length === 0) return;
    this.parts.push(bytes);
    this.partBytes += bytes.length;
    if (this.partBytes > BATCH_BYTES) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.partBytes === 0) return;
    const data = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.partBytes);
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
