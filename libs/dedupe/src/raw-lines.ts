import { JsonlWriter, type Doc, type SourceLine } from '@apollo/document';
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

/** The default `docs/<rank>.jsonl` sink, copying unchanged lines (see above). */
export class SourceLineSink implements DocSink {
  readonly name = 'jsonl';
  private readonly writer: JsonlWriter;

  constructor(
    path: string,
    private readonly lines: SourceLines,
  ) {
    this.writer = new JsonlWriter(path);
  }

  write(doc: Doc): Promise<void> {
    return this.writeDoc(doc, this.lines.get(doc));
  }

  /** Writes a document read from `source` (undefined: not read from a line). */
  async writeDoc(doc: Doc, source: SourceLine | undefined): Promise<void> {
    const json = JSON.stringify(doc);
    if (source !== undefined && source.text === json) this.writer.addLine(source.bytes);
    else this.writer.addSerialized(json);
    await this.writer.flushIfFull();
  }

  /**
   * Writes whole lines, newlines included, known to be copyable (the filter's fast path).
   * The bytes must not change afterwards: large runs are handed to the file as they are.
   */
  async writeLines(bytes: Buffer): Promise<void> {
    if (bytes.length === 0) return;
    this.writer.addLines(bytes);
    await this.writer.flushIfFull();
  }

  async commit(): Promise<number> {
    await this.writer.commit();
    return this.writer.bytes;
  }

  abort(): Promise<void> {
    return this.writer.abort();
  }
}
