import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { schemaElements } from './columns';
import type { RowGroupBuilder } from './row-group';
import { encodeStruct, i64, list, struct, type ThriftStruct } from './thrift';

const MAGIC = Buffer.from('PAR1');

/** Written into every file's footer (`created_by`), and into the manifest. */
export const PARQUET_WRITER_NAME = 'apollo-shards parquet writer 1';

/** A finished file: its size and sha256, computed from the bytes as they were written. */
export interface ClosedParquetFile {
  rows: number;
  bytes: number;
  sha256: string;
}

async function writeAll(handle: FileHandle, buf: Buffer): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const { bytesWritten } = await handle.write(buf, off, buf.length - off);
    off += bytesWritten;
  }
}

/**
 * One Parquet file of the shard schema, written row group by row group. The sha256 is
 * computed from the bytes on their way to the file, so finalize need not read shards again.
 */
export class ParquetFileWriter {
  /** Bytes written so far. */
  offset = 0;
  rows = 0;
  private readonly rowGroups: ThriftStruct[] = [];
  private readonly hash: Hash = createHash('sha256');

  private constructor(private readonly handle: FileHandle) {}

  static async open(path: string): Promise<ParquetFileWriter> {
    const writer = new ParquetFileWriter(await open(path, 'w'));
    await writer.write(MAGIC);
    return writer;
  }

  private async write(buf: Buffer): Promise<void> {
    this.hash.update(buf);
    await writeAll(this.handle, buf);
    this.offset += buf.length;
  }

  /** Writes the builder's rows as one row group (the builder is left as it is). */
  async writeRowGroup(builder: RowGroupBuilder): Promise<void> {
    if (builder.rows === 0) return;
    const { body, meta } = builder.encode(this.offset);
    this.rowGroups.push(meta);
    this.rows += builder.rows;
    await this.write(body);
  }

  /** Writes the footer (schema, row groups, key-value metadata) and closes the file. */
  async close(metadata: Record<string, string>): Promise<ClosedParquetFile> {
    try {
      const footer = encodeStruct(
        struct(
          [1, 1],
          [2, list('struct', schemaElements())],
          [3, i64(this.rows)],
          [4, list('struct', this.rowGroups)],
          [5, list('struct', Object.entries(metadata).map(([k, v]) => struct([1, k], [2, v])))],
          [6, PARQUET_WRITER_NAME],
        ),
      );
      const tail = Buffer.allocUnsafe(8);
      tail.writeUInt32LE(footer.length, 0);
      MAGIC.copy(tail, 4);
      await this.write(Buffer.concat([footer, tail]));
    } finally {
      await this.handle.close();
    }
    return { rows: this.rows, bytes: this.offset, sha256: this.hash.digest('hex') };
  }

  /** Closes the file without a footer (the failure path; the file is discarded). */
  async abort(): Promise<void> {
    await this.handle.close();
  }
}
