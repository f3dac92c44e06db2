import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ParquetFileWriter } from './parquet/file-writer';
import { RowGroupBuilder } from './parquet/row-group';
import { rowBytes, type ShardRow } from './row';
import type { Compression } from './schema';

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
  /** sha256 of the file, hex, computed while it was written. */
  sha256: string;
}

/** Key-value metadata stored in every file's footer. */
export type FileMetadata = Record<string, string>;

/**
 * Writes rows to a sequence of Parquet files `part-00000.parquet`, `part-00001.parquet`, ...
 * in one folder, starting a new file at the size cap.
 */
export class ShardWriter {
  private file: ParquetFileWriter | undefined;
  private current: WrittenFile | undefined;
  private readonly group: RowGroupBuilder;
  private pendingBytes = 0;
  readonly files: WrittenFile[] = [];

  constructor(
    readonly dir: string,
    compression: Compression,
    private readonly options: ShardWriterOptions,
    private readonly metadata: FileMetadata = {},
  ) {
    this.group = new RowGroupBuilder(compression);
  }

  private async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const name = `part-${String(this.files.length).padStart(5, '0')}.parquet`;
    this.file = await ParquetFileWriter.open(join(this.dir, name));
    this.current = { name, rows: 0, bytes: 0, chars: 0, tokens: 0, sha256: '' };
    this.group.reset();
    this.pendingBytes = 0;
  }

  private async flushGroup(file = this.file!): Promise<void> {
    await file.writeRowGroup(this.group);
    this.group.reset();
    this.pendingBytes = 0;
  }

  async write(row: ShardRow): Promise<void> {
    const bytes = rowBytes(row);
    if (this.file && this.current!.rows > 0 && this.file.offset + this.pendingBytes + bytes > this.options.shardMaxBytes) {
      await this.closeFile();
    }
    if (!this.file) await this.open();
    this.group.add(row);
    // The row that reaches either limit closes its row group.
    if (this.group.rows >= this.options.rowGroupSize || this.pendingBytes + bytes >= this.options.rowGroupMaxBytes) {
      await this.flushGroup();
    } else {
      this.pendingBytes += bytes;
    }
    const file = this.current!;
    file.rows++;
    file.chars += row.char_count;
    file.tokens += row.token_count;
  }

  private async closeFile(): Promise<void> {
    const writer = this.file;
    const file = this.current;
    if (!writer || !file) return;
    this.file = undefined;
    this.current = undefined;
    await this.flushGroup(writer);
    const closed = await writer.close(this.metadata);
    file.bytes = closed.bytes;
    file.sha256 = closed.sha256;
    this.files.push(file);
  }

  /** Closes the open file without a footer: the failure path, where the caller discards the folder. */
  async abort(): Promise<void> {
    const writer = this.file;
    this.file = undefined;
    this.current = undefined;
    await writer?.abort().catch(() => undefined);
  }

  /** Closes the open file; returns every file written. */
  async close(): Promise<WrittenFile[]> {
    await this.closeFile();
    return this.files;
  }
}
