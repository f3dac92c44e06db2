import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ParquetWriter, type ParquetSchema } from 'parquetjs-lite';
import { rowBytes, toParquetRecord, type ShardRow } from './row';

/** How shards are cut. */
export interface ShardWriterOptions {
  /** Rows per row group. Default 1,000. */
  rowGroupSize: number;
  /**
   * A row group is also closed once its rows hold this many bytes before compression, so a
   * run of very long documents does not hold gigabytes in memory. Default 64 MiB.
   */
  rowGroupMaxBytes: number;
  /**
   * A file is closed and the next one started when the next row would take it past this size
   * (bytes written plus the uncompressed size of the rows still buffered, a bound on the
   * final size). A single row larger than the cap still gets a file of its own. Default 256 MiB.
   */
  shardMaxBytes: number;
}

/** One file a `ShardWriter` wrote. */
export interface WrittenFile {
  /** File name inside the writer's folder. */
  name: string;
  rows: number;
  bytes: number;
  /** Sum of char_count and token_count over the rows. */
  chars: number;
  tokens: number;
}

/** Key-value metadata stored in every file's footer. */
export type FileMetadata = Record<string, string>;

/**
 * Writes rows to a sequence of Parquet files `part-00000.parquet`, `part-00001.parquet`, ...
 * in one folder, starting a new file at the size cap.
 */
export class ShardWriter {
  private writer: ParquetWriter | undefined;
  private current: WrittenFile | undefined;
  private pendingRows = 0;
  private pendingBytes = 0;
  readonly files: WrittenFile[] = [];

  constructor(
    readonly dir: string,
    private readonly schema: ParquetSchema,
    private readonly options: ShardWriterOptions,
    private readonly metadata: FileMetadata = {},
  ) {}

  private async open(): Promise<ParquetWriter> {
    await mkdir(this.dir, { recursive: true });
    const name = `part-${String(this.files.length).padStart(5, '0')}.parquet`;
    // Data page v1: the page format every Parquet reader supports (v2 is parquetjs-lite's default).
    const writer = await ParquetWriter.openFile(this.schema, join(this.dir, name), {
      rowGroupSize: this.options.rowGroupSize,
      useDataPageV2: false,
    });
    for (const [k, v] of Object.entries(this.metadata)) writer.setMetadata(k, v);
    this.writer = writer;
    this.current = { name, rows: 0, bytes: 0, chars: 0, tokens: 0 };
    this.pendingRows = 0;
    this.pendingBytes = 0;
    return writer;
  }

  async write(row: ShardRow): Promise<void> {
    const bytes = rowBytes(row);
    let writer = this.writer;
    if (writer && this.current!.rows > 0 && writer.envelopeWriter.offset + this.pendingBytes + bytes > this.options.shardMaxBytes) {
      await this.closeFile();
      writer = undefined;
    }
    writer ??= await this.open();
    // parquetjs-lite closes a row group by row count only; lowering the count for this one
    // append closes it by size too.
    const closeGroup = this.pendingRows + 1 >= this.options.rowGroupSize || this.pendingBytes + bytes >= this.options.rowGroupMaxBytes;
    if (closeGroup) writer.setRowGroupSize(this.pendingRows + 1);
    await writer.appendRow(toParquetRecord(row));
    if (closeGroup) {
      writer.setRowGroupSize(this.options.rowGroupSize);
      this.pendingRows = 0;
      this.pendingBytes = 0;
    } else {
      this.pendingRows++;
      this.pendingBytes += bytes;
    }
    const file = this.current!;
    file.rows++;
    file.chars += row.char_count;
    file.tokens += row.token_count;
  }

  private async closeFile(): Promise<void> {
    const writer = this.writer;
    const file = this.current;
    if (!writer || !file) return;
    this.writer = undefined;
    this.current = undefined;
    await writer.close();
    file.bytes = (await stat(join(this.dir, file.name))).size;
    this.files.push(file);
  }

  /** Closes the open file; returns every file written. */
  async close(): Promise<WrittenFile[]> {
    await this.closeFile();
    return this.files;
  }
}
