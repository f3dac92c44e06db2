import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { numHashes, type DedupeConfig } from './config';
import { DedupeLayout } from './layout';
import { checkSignatureParams, HEADER_BYTES, RECORD_FIXED_BYTES, readSignatureHeaderSync, SignatureFileError, verifySignatureFileOnce, type SignatureFileHeader } from './signature-file';

/**
 * Random access to the signature files of a run by (rank, ordinal): the records are of fixed
 * size, so a record is one positioned read. The buckets phase reads the signatures of bucket
 * members this way instead of holding all signatures in memory.
 */
export class SignatureStore {
  /** First global document number of each rank (documents numbered rank by rank). */
  readonly offsets: number[];
  readonly total: number;
  private readonly fds: (number | undefined)[];
  private readonly scratch: Buffer;

  constructor(
    readonly files: string[],
    readonly headers: SignatureFileHeader[],
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
    let fd = this.fds[rank];
    if (fd === undefined) fd = this.fds[rank] = openSync(this.files[rank]!, 'r');
    const size = header.recordBytes;
    const got = readSync(fd, this.scratch, 0, size, HEADER_BYTES + ordinal * size);
    if (got !== size) throw new SignatureFileError(this.files[rank]!, `short read at record ${ordinal}`);
    return this.scratch;
  }

  signature(rank: number, ordinal: number, out = new Uint32Array(this.numHashes)): Uint32Array {
    const buf = this.record(rank, ordinal);
    for (let i = 0; i < out.length; i++) out[i] = buf.readUInt32LE(RECORD_FIXED_BYTES + 4 * i);
    return out;
  }

  close(): void {
    for (const fd of this.fds) if (fd !== undefined) closeSync(fd);
    this.fds.fill(undefined);
  }
}

/**
 * Opens the signature files of every rank after checking that each signatures task completed
 * and that the files were made with this configuration. With `verify`, every file is also read
 * once to compare its checksum, so no later positioned read can see corrupt records (once per
 * thread while the file is unchanged: `verifySignatureFileOnce`).
 */
export async function openSignatureStore(output: string, worldSize: number, config: DedupeConfig, verify: boolean): Promise<SignatureStore> {
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
    if (verify) verifySignatureFileOnce(file);
    files.push(file);
    headers.push(header);
  }
  return new SignatureStore(files, headers);
}
