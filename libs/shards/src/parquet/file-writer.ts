import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { schemaElements } from './columns';
import { rowGroupStruct, type RowGroupInfo } from './row-group';
import { encodeStruct, i64, list, struct } from './thrift';

const MAGIC = Buffer.from('PAR1');

/** Bytes before the first row group: the leading magic. */
export const PARQUET_HEADER_BYTES = MAGIC.length;

/** Written into every file's footer (`created_by`), and into the manifest. */
export const PARQUET_WRITER_NAME = 'apollo-shards parquet writer 1';

/** A finished file: its size and sha256, computed from the bytes as they were written. */
export interface ClosedParquetFile {
  rows: number;
  bytes: number;
  sha256: string;
}

/** A row group's footer entry and the file offset of its first byte. */
export interface PlacedRowGroup extends RowGroupInfo {
  offset: number;
}

/** Two buffers for copying row groups (one read into while the other is written), reusable across copies. */
export class CopyBuffers {
  readonly a: Buffer;
  readonly b: Buffer;
  /** 8 MiB each by default: large reads and writes, bounded memory. */
  constructor(size = 8 << 20) {
    this.a = Buffer.allocUnsafe(size);
    this.b = Buffer.allocUnsafe(size);
  }
}

async function writeAll(handle: FileHandle, buf: Uint8Array): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const { bytesWritten } = await handle.write(buf, off, buf.length - off);
    off += bytesWritten;
  }
}

/**
 * The footer and the 8-byte tail (footer length, magic) of a file holding these row groups.
 * One function for the writer and for files joined from other files' row groups, so both
 * describe the same row groups with the same bytes.
 */
export function encodeFooter(rowGroups: readonly PlacedRowGroup[], metadata: Record<string, string>): Buffer {
  const footer = encodeStruct(
    struct(
      [1, 1],
      [2, list('struct', schemaElements())],
      [3, i64(rowGroups.reduce((n, g) => n + g.rows, 0))],
      [4, list('struct', rowGroups.map((g) => rowGroupStruct(g, g.offset)))],
      [5, list('struct', Object.entries(metadata).map(([k, v]) => struct([1, k], [2, v])))],
      [6, PARQUET_WRITER_NAME],
    ),
  );
  const tail = Buffer.allocUnsafe(8);
  tail.writeUInt32LE(footer.length, 0);
  MAGIC.copy(tail, 4);
  return Buffer.concat([footer, tail]);
}

/**
 * One Parquet file of the shard schema, written row group by row group. The sha256 is
 * computed from the bytes on their way to the file, so finalize need not read shards again.
 */
export class ParquetFileWriter {
  /** Bytes written so far. */
  offset = 0;
  rows = 0;
  /** Row groups written so far, with their offsets in this file. */
  readonly rowGroups: PlacedRowGroup[] = [];
  private readonly hash: Hash = createHash('sha256');

  private constructor(private readonly handle: FileHandle) {}

  static async open(path: string): Promise<ParquetFileWriter> {
    const writer = new ParquetFileWriter(await open(path, 'w'));
    await writer.write(MAGIC);
    return writer;
  }

  private async write(buf: Uint8Array): Promise<void> {
    this.hash.update(buf);
    await writeAll(this.handle, buf);
    this.offset += buf.length;
  }

  /** Appends an encoded row group (`RowGroupBuilder.encode`); returns it as placed. */
  async appendRowGroup(body: Buffer, info: RowGroupInfo): Promise<PlacedRowGroup> {
    const placed: PlacedRowGroup = { ...info, offset: this.offset };
    this.rowGroups.push(placed);
    this.rows += info.rows;
    await this.write(body);
    return placed;
  }

  /**
   * Appends row groups copied byte for byte from another file of this schema, where they lie
   * back to back at the offsets given; their footer entries move to the new offsets.
   */
  async copyRowGroups(source: FileHandle, groups: readonly PlacedRowGroup[], buffers: CopyBuffers = new CopyBuffers()): Promise<void> {
    if (groups.length === 0) return;
    const start = groups[0]!.offset;
    let end = start;
    for (const g of groups) {
      if (g.offset !== end) throw new Error(`row groups to copy are not contiguous: one at ${g.offset}, expected ${end}`);
      this.rowGroups.push({ ...g, offset: this.offset + (end - start) });
      this.rows += g.rows;
      end += g.bytes;
    }
    const read = async (buf: Buffer, at: number): Promise<Buffer> => {
      const { bytesRead } = await source.read(buf, 0, Math.min(buf.length, end - at), at);
      if (bytesRead === 0) throw new Error(`unexpected end of file at byte ${at} (row groups end at ${end})`);
      return buf.subarray(0, bytesRead);
    };
    // The next chunk is read while this one is hashed and written.
    let [current, spare] = [buffers.a, buffers.b];
    let next: Promise<Buffer> | undefined = read(current, start);
    for (let at = start; next; ) {
      const chunk = await next;
      at += chunk.length;
      next = at < end ? read(spare, at) : undefined;
      // Should the write fail, a failing read in flight must not surface as an unhandled rejection.
      next?.catch(() => undefined);
      await this.write(chunk);
      [current, spare] = [spare, current];
    }
  }

  /** Writes the footer (schema, row groups, key-value metadata) and closes the file. */
  async close(metadata: Record<string, string>): Promise<ClosedParquetFile> {
    try {
      await this.write(encodeFooter(this.rowGroups, metadata));
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
