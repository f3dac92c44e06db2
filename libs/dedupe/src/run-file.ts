import { createHash, type Hash } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Binary file of fixed-size records: the sorted runs of the external sort, merged band files
 * and edge lists. Little-endian header, 64 bytes:
 *
 *   0  magic "APRUNF01" (8)     8  version u32 (1)      12 header bytes u32 (64)
 *   16 record bytes u32         20 reserved u32         24 record count u64
 *   32 checksum: first 16 bytes of sha256 over all record bytes (16)    48 reserved (16)
 *
 * then `count` records. The header is written last under a temporary name and the file is
 * renamed into place, so a file under its final name announces its true count; truncation
 * (size check on open) and corruption (checksum after the last record) are detected later and
 * reported with the file's path.
 *
 * IO is synchronous on purpose: these files are read and written by one task at a time (in its
 * own worker thread), record by record from tight loops, where a promise per read would cost
 * more than the read.
 */
export const RUN_MAGIC = 'APRUNF01';
export const RUN_VERSION = 1;
export const RUN_HEADER_BYTES = 64;
const BLOCK_BYTES = 1 << 20;

/** A run file that is missing, truncated, corrupt or of the wrong record size. */
export class RunFileError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: bad run file: ${reason}`);
    this.name = 'RunFileError';
  }
}

export interface RunFileInfo {
  recordBytes: number;
  count: number;
  /** 32 hex digits. */
  checksum: string;
}

function tmpName(path: string): string {
  return `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Streams records into a new run file; `commit` makes it appear under its name. */
export class RunFileWriter {
  private readonly tmp: string;
  private readonly fd: number;
  private readonly block: Buffer;
  private used = 0;
  private position = RUN_HEADER_BYTES;
  private readonly hash: Hash = createHash('sha256');
  private done = false;
  count = 0;

  constructor(
    readonly path: string,
    readonly recordBytes: number,
  ) {
    if (!Number.isInteger(recordBytes) || recordBytes < 1) throw new Error(`record size must be a positive integer, got ${recordBytes}`);
    mkdirSync(dirname(path), { recursive: true });
    this.tmp = tmpName(path);
    this.fd = openSync(this.tmp, 'w');
    // Not zero-filled: only the `used` bytes, all written by `add`, ever leave the block. Zeroing
    // 1 MB per writer cost more than the writing itself for the signatures phase's small runs.
    this.block = Buffer.allocUnsafe(Math.max(BLOCK_BYTES - (BLOCK_BYTES % recordBytes), recordBytes));
  }

  private flush(): void {
    if (this.used === 0) return;
    const data = this.block.subarray(0, this.used);
    this.hash.update(data);
    let off = 0;
    while (off < data.length) off += writeSync(this.fd, data, off, data.length - off, this.position + off);
    this.position += data.length;
    this.used = 0;
  }

  /** Appends one record: `recordBytes` bytes of `src` from `offset`. */
  add(src: Uint8Array, offset = 0): void {
    if (this.used + this.recordBytes > this.block.length) this.flush();
    this.block.set(src.subarray(offset, offset + this.recordBytes), this.used);
    this.used += this.recordBytes;
    this.count++;
  }

  commit(): RunFileInfo {
    this.flush();
    const digest = this.hash.digest().subarray(0, 16);
    const header = Buffer.alloc(RUN_HEADER_BYTES);
    header.write(RUN_MAGIC, 0, 'latin1');
    header.writeUInt32LE(RUN_VERSION, 8);
    header.writeUInt32LE(RUN_HEADER_BYTES, 12);
    header.writeUInt32LE(this.recordBytes, 16);
    header.writeBigUInt64LE(BigInt(this.count), 24);
    digest.copy(header, 32);
    writeSync(this.fd, header, 0, RUN_HEADER_BYTES, 0);
    // No fsync: a run lost in a crash is caught by the length and checksum checks of its
    // reader, and thousands of runs would each pay a disk flush.
    closeSync(this.fd);
    this.done = true;
    renameSync(this.tmp, this.path);
    return { recordBytes: this.recordBytes, count: this.count, checksum: digest.toString('hex') };
  }

  abort(): void {
    if (!this.done) closeSync(this.fd);
    this.done = true;
    rmSync(this.tmp, { force: true });
  }
}

/** Reads and checks a run file's header and size (not yet the checksum). */
export function readRunHeader(path: string, expectedRecordBytes?: number): RunFileInfo {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new RunFileError(path, `cannot open: ${(err as Error).message}`);
  }
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(RUN_HEADER_BYTES);
    const got = readSync(fd, buf, 0, RUN_HEADER_BYTES, 0);
    if (got < RUN_HEADER_BYTES) throw new RunFileError(path, `truncated: ${size} bytes, shorter than the ${RUN_HEADER_BYTES}-byte header`);
    const magic = buf.toString('latin1', 0, 8);
    if (magic !== RUN_MAGIC) throw new RunFileError(path, `not a run file (magic ${JSON.stringify(magic)})`);
    const version = buf.readUInt32LE(8);
    if (version !== RUN_VERSION) throw new RunFileError(path, `unsupported version ${version}`);
    const recordBytes = buf.readUInt32LE(16);
    if (expectedRecordBytes !== undefined && recordBytes !== expectedRecordBytes) {
      throw new RunFileError(path, `records of ${recordBytes} bytes, expected ${expectedRecordBytes}`);
    }
    const count = Number(buf.readBigUInt64LE(24));
    const expected = RUN_HEADER_BYTES + count * recordBytes;
    if (size !== expected) {
      throw new RunFileError(path, `${size < expected ? 'truncated' : 'trailing data'}: ${size} bytes, but the header announces ${count} records (${expected} bytes)`);
    }
    return { recordBytes, count, checksum: buf.toString('hex', 32, 48) };
  } finally {
    closeSync(fd);
  }
}

/**
 * Sequential reader of one run file with a fixed read buffer. `current` and `offset` address
 * the current record inside `current`; `next()` moves on. After the last record the checksum
 * is compared, so a consumer sees corruption before it can finish (and mark complete) its work.
 */
export class RunFileReader {
  readonly info: RunFileInfo;
  /** Buffer holding the current record (valid until the next call to `next`). */
  current: Buffer;
  /** Offset of the current record in `current`; -1 before the first and after the last. */
  offset = -1;
  private readonly fd: number;
  private readonly hash = createHash('sha256');
  /** Index of the record the next call to `next` produces. */
  private nextIndex = 0;
  private filled = 0;
  private filePos = RUN_HEADER_BYTES;
  private closed = false;

  constructor(
    readonly path: string,
    recordBytes: number,
    bufferBytes = BLOCK_BYTES,
  ) {
    this.info = readRunHeader(path, recordBytes);
    this.fd = openSync(path, 'r');
    // No bigger than the run and not zero-filled: only the `filled` bytes, read from the file,
    // are ever looked at (a merge opens one reader per run, most of them small).
    const perBlock = Math.max(1, Math.min(Math.floor(bufferBytes / recordBytes), this.info.count));
    this.current = Buffer.allocUnsafe(perBlock * recordBytes);
  }

  /** Advances to the next record; false (and the file closed, checksum checked) at the end. */
  next(): boolean {
    if (this.closed) return false;
    const size = this.info.recordBytes;
    if (this.nextIndex >= this.info.count) {
      this.finish();
      return false;
    }
    this.nextIndex++;
    if (this.offset >= 0 && this.offset + size < this.filled) {
      this.offset += size;
      return true;
    }
    const want = Math.min(this.current.length, (this.info.count - this.nextIndex + 1) * size);
    let got = 0;
    while (got < want) {
      const n = readSync(this.fd, this.current, got, want - got, this.filePos + got);
      if (n === 0) break;
      got += n;
    }
    if (got < want) {
      this.close();
      throw new RunFileError(this.path, `truncated while reading: record ${this.nextIndex - 1} of ${this.info.count}`);
    }
    this.hash.update(this.current.subarray(0, got));
    this.filePos += got;
    this.filled = got;
    this.offset = 0;
    return true;
  }

  private finish(): void {
    this.close();
    this.offset = -1;
    if (this.hash.digest().toString('hex', 0, 16) !== this.info.checksum) throw new RunFileError(this.path, 'checksum mismatch: the records are corrupt');
  }

  close(): void {
    if (!this.closed) closeSync(this.fd);
    this.closed = true;
  }
}

/** Every record of a run file, checked (for tests and small files). */
export function* runFileRecords(path: string, recordBytes: number): Generator<Buffer> {
  const r = new RunFileReader(path, recordBytes);
  try {
    while (r.next()) yield r.current.subarray(r.offset, r.offset + recordBytes);
  } finally {
    r.close();
  }
}
