import { createHash, type Hash } from 'node:crypto';
import { closeSync, createReadStream, fstatSync, mkdirSync, openSync, readSync, statSync, writeSync, type BigIntStats } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { EXACT_HASH_BYTES } from './fingerprint';

/**
 * Binary signature file, one per signatures task (`signatures/<rank>.sig`), little-endian:
 *
 *   header, 80 bytes
 *     0  magic "APSIGF01" (8)      8  version u32 (1)        12 header bytes u32 (80)
 *     16 hashes per doc u32        20 seed u32               24 shingle words u32
 *     28 shingle chars u32         32 task rank u32          36 world size u32
 *     40 record count u64          48 record bytes u32       52 reserved u32
 *     56 checksum: first 16 bytes of sha256 over all record bytes (16)    72 reserved (8)
 *   records, `record bytes` each, in the task's document order
 *     0  task rank u32             4  ordinal u32 (0, 1, ... within the task's documents)
 *     8  exact hash (16)           24 document id, 32 hex digits as 16 bytes
 *     40 content length u32 (UTF-16 code units of the matching form)
 *     44 source index u8 (SOURCE_TYPES)   45 language index u8 (LANGS, 255 other)
 *     46 flags u8 (bit 0: no shingles)    47 reserved u8
 *     48 signature: `hashes per doc` x u32
 *
 * The header is written last (the file is built under a temporary name and renamed), so a file
 * under its final name has its true counts; the size and checksum checks catch truncation and
 * corruption after the fact.
 */
export const SIGNATURE_MAGIC = 'APSIGF01';
export const SIGNATURE_VERSION = 1;
export const HEADER_BYTES = 80;
export const RECORD_FIXED_BYTES = 48;
export const FLAG_NO_SHINGLES = 1;
export const OTHER_LANG = 255;

/** Parameters the signatures were computed with; the cluster phase checks they match its own. */
export interface SignatureFileParams {
  numHashes: number;
  seed: number;
  shingleWords: number;
  shingleChars: number;
  rank: number;
  worldSize: number;
}

export interface SignatureFileHeader extends SignatureFileParams {
  version: number;
  count: number;
  recordBytes: number;
  checksum: Uint8Array;
}

/** One document's entry. */
export interface SignatureRecord {
  rank: number;
  ordinal: number;
  exactHash: Uint8Array;
  /** Document id as 32 hex digits. */
  id: string;
  /** Length of the text's matching form (what the keep policy calls "longer"). */
  contentLength: number;
  sourceIndex: number;
  langIndex: number;
  flags: number;
  signature: Uint32Array;
}

/** A signature file that is missing, truncated, corrupt or made with other parameters. */
export class SignatureFileError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: bad signature file: ${reason}`);
    this.name = 'SignatureFileError';
  }
}

export function recordBytes(numHashes: number): number {
  return RECORD_FIXED_BYTES + 4 * numHashes;
}

function encodeHeader(h: SignatureFileHeader): Buffer {
  const buf = Buffer.alloc(HEADER_BYTES);
  buf.write(SIGNATURE_MAGIC, 0, 'latin1');
  buf.writeUInt32LE(h.version, 8);
  buf.writeUInt32LE(HEADER_BYTES, 12);
  buf.writeUInt32LE(h.numHashes, 16);
  buf.writeUInt32LE(h.seed >>> 0, 20);
  buf.writeUInt32LE(h.shingleWords, 24);
  buf.writeUInt32LE(h.shingleChars, 28);
  buf.writeUInt32LE(h.rank, 32);
  buf.writeUInt32LE(h.worldSize, 36);
  buf.writeBigUInt64LE(BigInt(h.count), 40);
  buf.writeUInt32LE(h.recordBytes, 48);
  Buffer.from(h.checksum).copy(buf, 56);
  return buf;
}

function decodeHeader(file: string, buf: Buffer): SignatureFileHeader {
  if (buf.length < HEADER_BYTES) throw new SignatureFileError(file, `truncated: ${buf.length} bytes, shorter than the ${HEADER_BYTES}-byte header`);
  const magic = buf.toString('latin1', 0, 8);
  if (magic !== SIGNATURE_MAGIC) throw new SignatureFileError(file, `not a signature file (magic ${JSON.stringify(magic)})`);
  const version = buf.readUInt32LE(8);
  if (version !== SIGNATURE_VERSION) throw new SignatureFileError(file, `unsupported version ${version} (this build reads ${SIGNATURE_VERSION})`);
  const header: SignatureFileHeader = {
    version,
    numHashes: buf.readUInt32LE(16),
    seed: buf.readUInt32LE(20),
    shingleWords: buf.readUInt32LE(24),
    shingleChars: buf.readUInt32LE(28),
    rank: buf.readUInt32LE(32),
    worldSize: buf.readUInt32LE(36),
    count: Number(buf.readBigUInt64LE(40)),
    recordBytes: buf.readUInt32LE(48),
    checksum: new Uint8Array(buf.subarray(56, 72)),
  };
  if (buf.readUInt32LE(12) !== HEADER_BYTES) throw new SignatureFileError(file, `header size ${buf.readUInt32LE(12)}, expected ${HEADER_BYTES}`);
  if (header.recordBytes !== recordBytes(header.numHashes)) {
    throw new SignatureFileError(file, `record size ${header.recordBytes} does not fit ${header.numHashes} hashes`);
  }
  return header;
}

/** Bytes of a writer's record block. */
const WRITER_BLOCK_BYTES = 1 << 20;
/**
 * A record block given back by a finished writer, for the next writer of this thread: a fresh
 * 1 MB buffer per task cost a page fault per 4 KB on first touch. Writers open at the same time
 * each have their own (only a free block is taken).
 */
let freeWriterBlock: Buffer | undefined;

/**
 * Writes one task's signature file with bounded memory: records are buffered in 1 MB blocks
 * into a temporary file; `commit` writes the header and renames the file into place. Writes
 * are synchronous: a block's write is short, and awaiting one per block left the thread idle.
 */
export class SignatureFileWriter {
  private readonly tmp: string;
  private fd: number | undefined;
  private block: Buffer | undefined;
  private used = 0;
  private position = HEADER_BYTES;
  private readonly hash: Hash = createHash('sha256');
  private readonly recordSize: number;
  count = 0;

  constructor(
    readonly path: string,
    readonly params: SignatureFileParams,
  ) {
    this.tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    this.recordSize = recordBytes(params.numHashes);
    const size = Math.max(WRITER_BLOCK_BYTES, this.recordSize);
    if (freeWriterBlock !== undefined && freeWriterBlock.length >= size) {
      this.block = freeWriterBlock;
      freeWriterBlock = undefined;
    } else {
      this.block = Buffer.allocUnsafe(size);
    }
  }

  private file(): number {
    if (this.fd === undefined) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.fd = openSync(this.tmp, 'w');
    }
    return this.fd;
  }

  private buffer(): Buffer {
    if (this.block === undefined) throw new Error(`${this.path}: the writer was already committed or aborted`);
    return this.block;
  }

  private flush(): void {
    const fd = this.file();
    if (this.used === 0) return;
    const data = this.buffer().subarray(0, this.used);
    this.hash.update(data);
    writeAll(fd, data, this.position);
    this.position += data.length;
    this.used = 0;
  }

  /** Appends the next document's record; ordinals must be 0, 1, 2, ... */
  add(rec: Omit<SignatureRecord, 'rank'>): void {
    if (rec.ordinal !== this.count) throw new Error(`${this.path}: record ordinal ${rec.ordinal} out of sequence (expected ${this.count})`);
    if (rec.signature.length !== this.params.numHashes) throw new Error(`${this.path}: signature has ${rec.signature.length} values, expected ${this.params.numHashes}`);
    if (!/^[0-9a-f]{32}$/.test(rec.id)) throw new Error(`${this.path}: document id ${JSON.stringify(rec.id)} is not 32 hex digits`);
    const b = this.buffer();
    if (this.used + this.recordSize > b.length) this.flush();
    let o = this.used;
    b.writeUInt32LE(this.params.rank, o);
    b.writeUInt32LE(rec.ordinal, o + 4);
    Buffer.from(rec.exactHash.buffer, rec.exactHash.byteOffset, EXACT_HASH_BYTES).copy(b, o + 8);
    b.write(rec.id, o + 24, 16, 'hex');
    b.writeUInt32LE(rec.contentLength, o + 40);
    b[o + 44] = rec.sourceIndex;
    b[o + 45] = rec.langIndex;
    b[o + 46] = rec.flags;
    b[o + 47] = 0;
    o += RECORD_FIXED_BYTES;
    const sig = rec.signature;
    for (let i = 0; i < sig.length; i++, o += 4) b.writeUInt32LE(sig[i]!, o);
    this.used = o;
    this.count++;
  }

  async commit(): Promise<void> {
    this.flush();
    const fd = this.file();
    const checksum = new Uint8Array(this.hash.digest().subarray(0, 16));
    const header = encodeHeader({ ...this.params, version: SIGNATURE_VERSION, count: this.count, recordBytes: this.recordSize, checksum });
    writeAll(fd, header, 0);
    // No fsync (as for the sort runs): a file damaged by a crash fails the size and checksum
    // checks every later phase makes before using it, and the flush cost each task ~4 ms idle.
    closeSync(fd);
    this.fd = undefined;
    this.release();
    await rename(this.tmp, this.path);
  }

  async abort(): Promise<void> {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.release();
    await rm(this.tmp, { force: true });
  }

  private release(): void {
    if (this.block !== undefined && (freeWriterBlock === undefined || freeWriterBlock.length < this.block.length)) freeWriterBlock = this.block;
    this.block = undefined;
  }
}

/** Writes all of `data` at `position` (a positioned write may write less than asked). */
function writeAll(fd: number, data: Uint8Array, position: number): void {
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done, data.length - done, position + done);
}

/**
 * Reads and checks a signature file's header and size (not yet the checksum). Synchronous
 * inside: a header is one small read, and phases open tens of files per task.
 */
export async function readSignatureHeader(file: string): Promise<SignatureFileHeader> {
  return readSignatureHeaderSync(file);
}

export function readSignatureHeaderSync(file: string): SignatureFileHeader {
  let fd: number;
  let size: number;
  try {
    fd = openSync(file, 'r');
    size = fstatSync(fd).size;
  } catch (err) {
    throw new SignatureFileError(file, `cannot open: ${(err as Error).message}`);
  }
  try {
    const buf = Buffer.alloc(HEADER_BYTES);
    const bytesRead = readSync(fd, buf, 0, HEADER_BYTES, 0);
    const header = decodeHeader(file, buf.subarray(0, bytesRead));
    const expected = HEADER_BYTES + header.count * header.recordBytes;
    if (size !== expected) {
      throw new SignatureFileError(
        file,
        `${size < expected ? 'truncated' : 'trailing data'}: ${size} bytes, but the header announces ${header.count} records (${expected} bytes)`,
      );
    }
    return header;
  } finally {
    closeSync(fd);
  }
}

/** Byte offsets of a record's fields (see the format above). */
export const REC_RANK = 0;
export const REC_ORDINAL = 4;
export const REC_EXACT = 8;
export const REC_ID = 24;
export const REC_LENGTH = 40;
export const REC_SOURCE = 44;
export const REC_LANG = 45;
export const REC_FLAGS = 46;

/** The signature of the record at `o` (fields at RECORD_FIXED_BYTES). */
export function recordSignature(buf: Buffer, o: number, numHashes: number, out = new Uint32Array(numHashes)): Uint32Array {
  for (let i = 0, p = o + RECORD_FIXED_BYTES; i < numHashes; i++, p += 4) out[i] = buf.readUInt32LE(p);
  return out;
}

/** Records read per block by `scanSignatureFile`. */
const SCAN_BLOCK_BYTES = 1 << 20;
/**
 * The block buffer, reused by every scan of this thread: a fresh 1 MB buffer per file cost
 * more in page faults than the read itself. Scans do not nest (`visit` must not scan).
 */
let scanBlock: Buffer | undefined;

/**
 * Calls `visit` with every record of a signature file in order, as a view (`buf`, offset `o`)
 * valid during the call, with synchronous block reads (no decoding, no stream, no copy). Each
 * record's rank and ordinal are checked; size and checksum are compared after the last record,
 * so a caller must not act on what it gathered before this returns.
 */
export function scanSignatureFile(file: string, visit?: (buf: Buffer, o: number, ordinal: number) => void): SignatureFileHeader {
  const header = readSignatureHeaderSync(file);
  const size = header.recordBytes;
  const hash = createHash('sha256');
  const blockBytes = Math.max(size, SCAN_BLOCK_BYTES - (SCAN_BLOCK_BYTES % size));
  if (scanBlock === undefined || scanBlock.length < blockBytes) scanBlock = Buffer.allocUnsafe(Math.max(blockBytes, SCAN_BLOCK_BYTES));
  const block = scanBlock.subarray(0, blockBytes);
  const fd = openSync(file, 'r');
  let ordinal = 0;
  try {
    let position = HEADER_BYTES;
    while (ordinal < header.count) {
      const want = Math.min(block.length, (header.count - ordinal) * size);
      let got = 0;
      while (got < want) {
        const n = readSync(fd, block, got, want - got, position + got);
        if (n === 0) break;
        got += n;
      }
      if (got < want) throw new SignatureFileError(file, `truncated while reading: ${ordinal + Math.floor(got / size)} of ${header.count} records`);
      position += got;
      const data = block.subarray(0, got);
      hash.update(data);
      if (visit) {
        for (let o = 0; o < got; o += size) {
          const rank = data.readUInt32LE(o + REC_RANK);
          if (rank !== header.rank) throw new SignatureFileError(file, `record ${ordinal} belongs to task ${rank}, the header says ${header.rank}`);
          const recOrdinal = data.readUInt32LE(o + REC_ORDINAL);
          if (recOrdinal !== ordinal) throw new SignatureFileError(file, `record ${ordinal} has ordinal ${recOrdinal}`);
          visit(data, o, ordinal);
          ordinal++;
        }
      } else {
        ordinal += got / size;
      }
    }
  } finally {
    closeSync(fd);
  }
  if (!hash.digest().subarray(0, 16).equals(Buffer.from(header.checksum))) throw new SignatureFileError(file, 'checksum mismatch: the records are corrupt');
  return header;
}

function decodeRecord(buf: Buffer, o: number, numHashes: number): SignatureRecord {
  const signature = new Uint32Array(numHashes);
  for (let i = 0, p = o + RECORD_FIXED_BYTES; i < numHashes; i++, p += 4) signature[i] = buf.readUInt32LE(p);
  return {
    rank: buf.readUInt32LE(o),
    ordinal: buf.readUInt32LE(o + 4),
    exactHash: new Uint8Array(buf.subarray(o + 8, o + 24)),
    id: buf.toString('hex', o + 24, o + 40),
    contentLength: buf.readUInt32LE(o + 40),
    sourceIndex: buf[o + 44]!,
    langIndex: buf[o + 45]!,
    flags: buf[o + 46]!,
    signature,
  };
}

/**
 * Streams the records of a signature file after checking its header and size. Each record is
 * checked for its rank and ordinal; the checksum is compared after the last record, so a
 * consumer must read to the end before trusting what it built (the generator throws there).
 */
export async function* readSignatureFile(file: string): AsyncGenerator<SignatureRecord, SignatureFileHeader> {
  const header = await readSignatureHeader(file);
  const size = header.recordBytes;
  const hash = createHash('sha256');
  let carry = Buffer.alloc(0);
  let ordinal = 0;
  const stream = createReadStream(file, { start: HEADER_BYTES, highWaterMark: Math.max(1 << 20, size) });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    const buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    let o = 0;
    for (; o + size <= buf.length; o += size) {
      const rec = decodeRecord(buf, o, header.numHashes);
      if (rec.rank !== header.rank) throw new SignatureFileError(file, `record ${ordinal} belongs to task ${rec.rank}, the header says ${header.rank}`);
      if (rec.ordinal !== ordinal) throw new SignatureFileError(file, `record ${ordinal} has ordinal ${rec.ordinal}`);
      ordinal++;
      yield rec;
    }
    carry = Buffer.from(buf.subarray(o));
  }
  if (ordinal !== header.count || carry.length > 0) {
    throw new SignatureFileError(file, `truncated while reading: ${ordinal} of ${header.count} records`);
  }
  const digest = hash.digest().subarray(0, 16);
  if (!digest.equals(Buffer.from(header.checksum))) throw new SignatureFileError(file, 'checksum mismatch: the records are corrupt');
  return header;
}

/** Checks that a file's parameters match the ones the cluster phase expects. */
export function checkSignatureParams(file: string, header: SignatureFileHeader, expected: SignatureFileParams): void {
  const keys: (keyof SignatureFileParams)[] = ['numHashes', 'seed', 'shingleWords', 'shingleChars', 'rank', 'worldSize'];
  for (const key of keys) {
    if (header[key] !== expected[key]) {
      throw new SignatureFileError(file, `made with ${key} ${header[key]}, but this run uses ${expected[key]}; rerun the signatures phase`);
    }
  }
}

/** Reads a whole signature file once to check its size and checksum, without decoding records. */
export async function verifySignatureFile(file: string): Promise<SignatureFileHeader> {
  return scanSignatureFile(file);
}

/**
 * Files this thread has verified, by path: their identity (size, inode, modification and change
 * times) before the check, and the checksum checked. Every buckets task opens the whole run's
 * store, so without this a worker hashed every signature file once per key space.
 */
const verifiedFiles = new Map<string, string>();

/**
 * `verifySignatureFile`, skipped for a file this thread already verified and that has the
 * same identity and header checksum now (a rewritten file gets a new change time).
 */
/** A signature file's header and its identity key (size, inode, times and header checksum). */
function fileIdentity(file: string): { header: SignatureFileHeader; key: string } {
  let info: BigIntStats;
  try {
    info = statSync(file, { bigint: true });
  } catch (err) {
    throw new SignatureFileError(file, `cannot open: ${(err as Error).message}`);
  }
  const header = readSignatureHeaderSync(file);
  return { header, key: identityKey(info, header.checksum) };
}

export function verifySignatureFileOnce(file: string): SignatureFileHeader {
  const { header, key } = fileIdentity(file);
  if (verifiedFiles.get(file) === key) return header;
  verifiedFiles.delete(file);
  const checked = scanSignatureFile(file);
  verifiedFiles.set(file, key);
  return checked;
}

/** A signature file held in memory: its header and every byte of it (header included). */
export interface HeldSignatureFile {
  header: SignatureFileHeader;
  image: Buffer;
}

/**
 * Files this thread holds in memory (`holdSignatureFiles`), by path, with their identity key.
 * Worker threads are kept across a run's phases and run several buckets tasks each: loaded once,
 * a file serves every key space of the thread.
 */
const heldFiles = new Map<string, { key: string; held: HeldSignatureFile }>();

function identityKey(info: BigIntStats, checksum: Uint8Array): string {
  return `${info.size}:${info.ino}:${info.mtimeNs}:${info.ctimeNs}:${Buffer.from(checksum).toString('hex')}`;
}

/**
 * Reads a whole signature file into memory and checks it as `verifySignatureFile` does (size,
 * checksum, and every record's rank and ordinal): one read serves both the check and every later
 * lookup. The image starts at offset 0 of its own memory, so its 32-bit fields are aligned.
 */
export function loadSignatureFile(file: string): HeldSignatureFile {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw new SignatureFileError(file, `cannot open: ${(err as Error).message}`);
  }
  let image: Buffer;
  try {
    const size = fstatSync(fd).size;
    image = Buffer.allocUnsafeSlow(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, image, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    if (got < size) throw new SignatureFileError(file, `truncated while reading: ${got} of ${size} bytes`);
  } finally {
    closeSync(fd);
  }
  const header = decodeHeader(file, image.subarray(0, HEADER_BYTES));
  const expected = HEADER_BYTES + header.count * header.recordBytes;
  if (image.length !== expected) {
    throw new SignatureFileError(file, `${image.length < expected ? 'truncated' : 'trailing data'}: ${image.length} bytes, but the header announces ${header.count} records (${expected} bytes)`);
  }
  const digest = createHash('sha256').update(image.subarray(HEADER_BYTES)).digest().subarray(0, 16);
  if (!digest.equals(Buffer.from(header.checksum))) throw new SignatureFileError(file, 'checksum mismatch: the records are corrupt');
  for (let ordinal = 0, o = HEADER_BYTES; ordinal < header.count; ordinal++, o += header.recordBytes) {
    const rank = image.readUInt32LE(o + REC_RANK);
    if (rank !== header.rank) throw new SignatureFileError(file, `record ${ordinal} belongs to task ${rank}, the header says ${header.rank}`);
    const recOrdinal = image.readUInt32LE(o + REC_ORDINAL);
    if (recOrdinal !== ordinal) throw new SignatureFileError(file, `record ${ordinal} has ordinal ${recOrdinal}`);
  }
  return { header, image };
}

/**
 * `loadSignatureFile`, reused while the file keeps the identity (size, inode, modification and
 * change times) and header checksum it had when this thread loaded it. Files of other paths
 * than `keep` are let go first, so a thread holds the files of one run at most.
 */
export function holdSignatureFile(file: string, keep: ReadonlySet<string>): HeldSignatureFile {
  for (const path of heldFiles.keys()) if (!keep.has(path)) heldFiles.delete(path);
  const { key, held: cached } = currentHold(file);
  if (cached !== undefined) return cached;
  heldFiles.delete(file);
  const held = loadSignatureFile(file);
  heldFiles.set(file, { key, held });
  // Loading checked the file as a verification would.
  verifiedFiles.set(file, key);
  return held;
}

/** The file as this thread holds it, if it does and the file is unchanged since; never loads. */
export function alreadyHeldSignatureFile(file: string): HeldSignatureFile | undefined {
  return heldFiles.has(file) ? currentHold(file).held : undefined;
}

function currentHold(file: string): { key: string; held: HeldSignatureFile | undefined } {
  const { key } = fileIdentity(file);
  const cached = heldFiles.get(file);
  return { key, held: cached?.key === key ? cached.held : undefined };
}

/** Lets go of every file this thread holds (tests, and callers that know the run is over). */
export function releaseHeldSignatureFiles(): void {
  heldFiles.clear();
}
