import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import { memoryBytes, numHashes, type DedupeConfig } from './config';
import { DedupeLayout } from './layout';
import {
  checkSignatureParams,
  alreadyHeldSignatureFile,
  HEADER_BYTES,
  holdSignatureFile,
  RECORD_FIXED_BYTES,
  readSignatureHeaderSync,
  scanSignatureFile,
  SignatureFileError,
  verifySignatureFileOnce,
  type SignatureFileHeader,
} from './signature-file';

// Held images are read as 32-bit words in place only where the host's order is the files'.
const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/**
 * Random access to the signature files of a run by (rank, ordinal). The records are of fixed
 * size, so a record is one positioned read; a run whose files fit the memory setting is held
 * in memory instead (`images`, see `openSignatureStore`), where a lookup is a view or a copy.
 * The positioned reads keep a corpus of any size within bounded memory; in memory, the one
 * read per candidate pair's signature no longer costs a system call.
 */
export class SignatureStore {
  /** First global document number of each rank (documents numbered rank by rank). */
  readonly offsets: number[];
  readonly total: number;
  private readonly fds: (number | undefined)[];
  private readonly scratch: Buffer;
  /** Each held image as 32-bit words (little-endian hosts only). */
  private readonly words: (Uint32Array | undefined)[];

  constructor(
    readonly files: string[],
    readonly headers: SignatureFileHeader[],
    /** Whole files in memory, per rank (checked when loaded), or none: read by position. */
    readonly images: readonly (Buffer | undefined)[] = [],
  ) {
    this.offsets = [];
    let total = 0;
    for (const h of headers) {
      this.offsets.push(total);
      total += h.count;
    }
    this.total = total;
    this.fds = files.map(() => undefined);
    this.scratch = Buffer.alloc(headers[0]?.recordBytes ?? RECORD_FIXED_BYTES);
    this.words = files.map((_, rank) => {
      const image = images[rank];
      return image && LITTLE_ENDIAN_HOST && image.byteOffset % 4 === 0 ? new Uint32Array(image.buffer, image.byteOffset, image.length >>> 2) : undefined;
    });
  }

  /** Whether every rank's file is held in memory. */
  get held(): boolean {
    return this.files.length > 0 && this.files.every((_, rank) => this.images[rank] !== undefined);
  }

  get numHashes(): number {
    return this.headers[0]?.numHashes ?? 0;
  }

  /** Hash over every rank's signature checksum: what derived files record as their source. */
  sourcesDigest(): string {
    const h = createHash('sha256');
    for (const header of this.headers) h.update(Buffer.from(header.checksum)).update(String(header.count));
    return h.digest('hex').slice(0, 32);
  }

  globalIndex(rank: number, ordinal: number): number {
    return this.offsets[rank]! + ordinal;
  }

  /** The raw record (valid until the next call). */
  record(rank: number, ordinal: number): Buffer {
    const header = this.headers[rank];
    if (!header || ordinal >= header.count) throw new Error(`no document (${rank}, ${ordinal}) in the signature files`);
    const image = this.images[rank];
    if (image !== undefined) {
      const at = HEADER_BYTES + ordinal * header.recordBytes;
      return image.subarray(at, at + header.recordBytes);
    }
    let fd = this.fds[rank];
    if (fd === undefined) fd = this.fds[rank] = openSync(this.files[rank]!, 'r');
    const size = header.recordBytes;
    const got = readSync(fd, this.scratch, 0, size, HEADER_BYTES + ordinal * size);
    if (got !== size) throw new SignatureFileError(this.files[rank]!, `short read at record ${ordinal}`);
    return this.scratch;
  }

  signature(rank: number, ordinal: number, out = new Uint32Array(this.numHashes)): Uint32Array {
    const words = this.words[rank];
    if (words !== undefined) {
      const header = this.headers[rank]!;
      if (ordinal >= header.count) throw new Error(`no document (${rank}, ${ordinal}) in the signature files`);
      // Header and record sizes are multiples of 4, so the signature starts on a word.
      const at = (HEADER_BYTES + ordinal * header.recordBytes + RECORD_FIXED_BYTES) >>> 2;
      out.set(words.subarray(at, at + out.length));
      return out;
    }
    const buf = this.record(rank, ordinal);
    for (let i = 0; i < out.length; i++) out[i] = buf.readUInt32LE(RECORD_FIXED_BYTES + 4 * i);
    return out;
  }

  /**
   * Calls `visit` with every record of a rank in order, as `scanSignatureFile` does. A held
   * file was checked when it was loaded and is read in place; any other is read and checked
   * again (its checksum is compared after the last record).
   */
  scan(rank: number, visit: (buf: Buffer, o: number, ordinal: number) => void): void {
    const image = this.images[rank];
    if (image === undefined) {
      scanSignatureFile(this.files[rank]!, visit);
      return;
    }
    const header = this.headers[rank]!;
    for (let ordinal = 0, o = HEADER_BYTES; ordinal < header.count; ordinal++, o += header.recordBytes) visit(image, o, ordinal);
  }

  close(): void {
    for (const fd of this.fds) if (fd !== undefined) closeSync(fd);
    this.fds.fill(undefined);
  }
}

/**
 * Bytes of signature files a task may hold in memory: half its memory setting. The other half
 * stays for what the setting was sized for (the merge's 64 KB read buffer per run), and a run
 * larger than this is read by position, as every run was before.
 */
export function holdBudgetBytes(config: DedupeConfig): number {
  return Math.floor(memoryBytes(config) / 2);
}

/** Options of `openSignatureStore`. */
export interface OpenStoreOptions {
  /**
   * `true`: hold the files in memory when together they fit `holdBudgetBytes` (loaded once per
   * thread while unchanged, checked as `verify` would). `'if-held'`: use them in memory only
   * when this thread holds them already (a single phase on a thread that ran buckets tasks),
   * since loading them costs a phase that reads each record once about what it saves. Default
   * false.
   */
  hold?: boolean | 'if-held';
}

/**
 * Opens the signature files of every rank after checking that each signatures task completed
 * and that the files were made with this configuration. With `verify`, every file is also read
 * once to compare its checksum, so no later positioned read can see corrupt records (once per
 * thread while the file is unchanged: `verifySignatureFileOnce`). With `hold`, a run that fits
 * the budget is held in memory instead (always checked).
 */
export async function openSignatureStore(output: string, worldSize: number, config: DedupeConfig, verify: boolean, options: OpenStoreOptions = {}): Promise<SignatureStore> {
  const layout = new DedupeLayout(output);
  const files: string[] = [];
  const headers: SignatureFileHeader[] = [];
  for (let rank = 0; rank < worldSize; rank++) {
    const file = layout.signatureFile(rank);
    // Synchronous checks: a task opens every rank's file, and a promise per check left it idle.
    if (!existsSync(layout.signaturesComplete(rank))) {
      throw new Error(`signatures task ${rank} of ${worldSize} has not completed (${file}); run --phase signatures for it first`);
    }
    const header = readSignatureHeaderSync(file);
    checkSignatureParams(file, header, {
      numHashes: numHashes(config),
      seed: config.seed,
      shingleWords: config.shingleWords,
      shingleChars: config.shingleChars,
      rank,
      worldSize,
    });
    files.push(file);
    headers.push(header);
  }
  const bytes = headers.reduce((n, h) => n + HEADER_BYTES + h.count * h.recordBytes, 0);
  if (options.hold === 'if-held' && files.length > 0) {
    const held = files.map((file) => alreadyHeldSignatureFile(file));
    if (held.every((h, rank) => h !== undefined && sameHeader(h.header, headers[rank]!))) return new SignatureStore(files, headers, held.map((h) => h!.image));
  }
  if (options.hold === true && files.length > 0 && bytes <= holdBudgetBytes(config)) {
    const keep = new Set(files);
    const images = files.map((file, rank) => {
      const held = holdSignatureFile(file, keep);
      // The file may have been rewritten since its header was read above.
      if (!sameHeader(held.header, headers[rank]!)) throw new SignatureFileError(file, 'changed while it was opened');
      return held.image;
    });
    return new SignatureStore(files, headers, images);
  }
  if (verify) for (const file of files) verifySignatureFileOnce(file);
  return new SignatureStore(files, headers);
}

function sameHeader(a: SignatureFileHeader, b: SignatureFileHeader): boolean {
  return a.count === b.count && Buffer.from(a.checksum).equals(Buffer.from(b.checksum));
}
