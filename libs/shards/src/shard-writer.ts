import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ParquetFileWriter, type PlacedRowGroup } from './parquet/file-writer';
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
   * A file is closed and the next one started when the next row group would take it past this
   * size (footer apart). Row groups also close at this many bytes before compression, so one
   * fits under the cap; a row group larger than the cap (a single huge row) gets a file of its
   * own. Default 256 MiB.
   */
  shardMaxBytes: number;
}

/** A row group of a written file: its footer entry and offset, and its rows' character and token sums. */
export interface ShardRowGroup extends PlacedRowGroup {
  chars: number;
  tokens: number;
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
  /** The file's row groups, in order (what finalize needs to join files at row-group boundaries). */
  rowGroups: ShardRowGroup[];
}

/** Key-value metadata stored in every file's footer. */
export type FileMetadata = Record<string, string>;

/**
 * Whether a file of `fileBytes` bytes so far, holding `rowGroups` row groups, must be closed
 * before a row group of `nextBytes`. The one cutting rule of the stage: the write tasks apply
 * it as they write, finalize applies it again when it joins several tasks' files of a group,
 * so a group is cut the same way whether one task or several wrote it.
 */
export function startsNewFile(fileBytes: number, rowGroups: number, nextBytes: number, shardMaxBytes: number): boolean {
  return rowGroups > 0 && fileBytes + nextBytes > shardMaxBytes;
}

/**
 * Writes rows to a sequence of Parquet files `part-00000.parquet`, `part-00001.parquet`, ...
 * in one folder, starting a new file at the size cap.
 */
export class ShardWriter {
  private file: ParquetFileWriter | undefined;
  private current: WrittenFile | undefined;
  private readonly group: RowGroupBuilder;
  private readonly rowGroupMaxBytes: number;
  private pendingBytes = 0;
  private pendingChars = 0;
  private pendingTokens = 0;
  readonly files: WrittenFile[] = [];

  constructor(
    readonly dir: string,
    compression: Compression,
    private readonly options: ShardWriterOptions,
    private readonly metadata: FileMetadata = {},
  ) {
    this.group = new RowGroupBuilder(compression);
    this.rowGroupMaxBytes = Math.min(options.rowGroupMaxBytes, options.shardMaxBytes);
  }

  private async open(): Promise<ParquetFileWriter> {
    await mkdir(this.dir, { recursive: true });
    const name = `part-${String(this.files.length).padStart(5, '0')}.parquet`;
    this.file = await ParquetFileWriter.open(join(this.dir, name));
    this.current = { name, rows: 0, bytes: 0, chars: 0, tokens: 0, sha256: '', rowGroups: [] };
    return this.file;
  }

  /** Encodes the buffered rows as a row group and appends it, to a new file if the cap says so. */
  private async flushGroup(): Promise<void> {
    if (this.group.rows === 0) return;
    const { body, info, release } = this.group.encode();
    let placed: PlacedRowGroup;
    try {
      if (this.file && startsNewFile(this.file.offset, this.file.rowGroups.length, info.bytes, this.options.shardMaxBytes)) await this.closeFile();
      const file = this.file ?? (await this.open());
      placed = await file.appendRowGroup(body, info);
    } finally {
      release();
    }
    const current = this.current!;
    current.rowGroups.push({ ...placed, chars: this.pendingChars, tokens: this.pendingTokens });
    current.rows += info.rows;
    current.chars += this.pendingChars;
    current.tokens += this.pendingTokens;
    this.group.reset();
    this.pendingBytes = 0;
    this.pendingChars = 0;
    this.pendingTokens = 0;
  }

  /**
   * Adds a row. `textUtf8`, when given, must be `row.text` in UTF-8 (the reader's bytes of it):
   * the text is then copied instead of encoded again.
   */
  async write(row: ShardRow, textUtf8?: Uint8Array): Promise<void> {
    const bytes = rowBytes(row, textUtf8?.length);
    this.group.add(row, textUtf8);
    this.pendingChars += row.char_count;
    this.pendingTokens += row.token_count;
    // The row that reaches either limit closes its row group.
    if (this.group.rows >= this.options.rowGroupSize || this.pendingBytes + bytes >= this.rowGroupMaxBytes) {
      await this.flushGroup();
    } else {
      this.pendingBytes += bytes;
    }
  }

  private async closeFile(): Promise<void> {
    const writer = this.file;
    const file = this.current;
    if (!writer || !file) return;
    this.file = undefined;
    this.current = undefined;
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

  /** Writes the buffered rows and closes the open file; returns every file written. */
  async close(): Promise<WrittenFile[]> {
    await this.flushGroup();
    await this.closeFile();
    return this.files;
  }
}
