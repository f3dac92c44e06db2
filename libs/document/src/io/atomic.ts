import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

function tmpName(path: string): string {
  return `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Writes a whole file atomically: a temporary file beside it, then a rename. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tmpName(path);
  await writeFile(tmp, data);
  await rename(tmp, path);
}

/**
 * A streaming writer whose file appears under its final name only on `commit()`. Until then
 * readers see nothing, and an interrupted process leaves only a `.tmp-*` file behind.
 */
export class AtomicFileWriter {
  private readonly tmp: string;
  private stream: WriteStream | undefined;
  private opened: Promise<void> | undefined;
  bytes = 0;

  constructor(readonly path: string) {
    this.tmp = tmpName(path);
  }

  private open(): Promise<void> {
    this.opened ??= mkdir(dirname(this.path), { recursive: true }).then(() => {
      this.stream = createWriteStream(this.tmp);
    });
    return this.opened;
  }

  /** Appends data; resolves when the stream can take more (backpressure). */
  async write(data: string | Uint8Array): Promise<void> {
    await this.open();
    const stream = this.stream!;
    this.bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    if (!stream.write(data)) await new Promise<void>((resolve) => stream.once('drain', resolve));
  }

  async commit(): Promise<void> {
    await this.open();
    const stream = this.stream!;
    await new Promise<void>((resolve, reject) => {
      stream.once('error', reject);
      stream.end(() => resolve());
    });
    await rename(this.tmp, this.path);
  }

  async abort(): Promise<void> {
    if (this.stream) await new Promise<void>((resolve) => this.stream!.end(() => resolve()));
    await rm(this.tmp, { force: true });
  }
}

/** Bytes per batch: the writer hands the file one batch at a time. */
const BATCH_BYTES = 1 << 20;
const NEWLINE = 0x0a;

/**
 * Line-oriented JSON writer on top of `AtomicFileWriter`, batching small writes. Each line is
 * encoded as UTF-8 straight into the current batch buffer: joining the lines into one string
 * and encoding that (the obvious way) flattened and copied every line twice more, and took a
 * sixth of the ingest stage's CPU time. A batch handed to the file is never touched again.
 */
export class JsonlWriter {
  private readonly file: AtomicFileWriter;
  private batch = Buffer.allocUnsafe(BATCH_BYTES);
  private used = 0;
  /** Filled batches (and runs of lines handed over whole) waiting for the next flush. */
  private full: Uint8Array[] = [];
  /** Lines taken so far. */
  count = 0;

  constructor(path: string) {
    this.file = new AtomicFileWriter(path);
  }

  get path(): string {
    return this.file.path;
  }

  get bytes(): number {
    return this.file.bytes;
  }

  async write(value: unknown): Promise<void> {
    this.add(value);
    await this.flushIfFull();
  }

  /** Buffers a value without waiting; call `flushIfFull()` at a convenient await point. */
  add(value: unknown): void {
    this.addSerialized(JSON.stringify(value));
  }

  /** Buffers a line already serialized (its text, without the newline). */
  addSerialized(json: string): void {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8 (a surrogate pair, 2 units, takes 4).
    const room = json.length * 3 + 1;
    if (this.used + room > this.batch.length) this.retire(room);
    this.used += this.batch.write(json, this.used);
    this.batch[this.used++] = NEWLINE;
    this.count++;
  }

  /** Buffers a line given as its UTF-8 bytes, without the newline. */
  addLine(bytes: Uint8Array): void {
    const room = bytes.length + 1;
    if (this.used + room > this.batch.length) this.retire(room);
    this.batch.set(bytes, this.used);
    this.used += bytes.length;
    this.batch[this.used++] = NEWLINE;
    this.count++;
  }

  /**
   * Buffers whole lines, newlines included, as they are. A run of a quarter batch or more goes
   * to the file without being copied, so its bytes must not change until the next flush.
   */
  addLines(bytes: Uint8Array): void {
    for (let at = bytes.indexOf(NEWLINE); at !== -1; at = bytes.indexOf(NEWLINE, at + 1)) this.count++;
    if (bytes.length >= BATCH_BYTES / 4) {
      this.retire(0);
      this.full.push(bytes);
      return;
    }
    if (this.used + bytes.length > this.batch.length) this.retire(bytes.length);
    this.batch.set(bytes, this.used);
    this.used += bytes.length;
  }

  /** Moves the current batch to the full list and starts one with at least `room` bytes. */
  private retire(room: number): void {
    if (this.used === 0 && this.batch.length >= room) return;
    if (this.used > 0) this.full.push(this.batch.subarray(0, this.used));
    this.batch = Buffer.allocUnsafe(Math.max(BATCH_BYTES, room));
    this.used = 0;
  }

  async flushIfFull(): Promise<void> {
    if (this.full.length > 0) await this.flush();
  }

  private async flush(): Promise<void> {
    const batches = this.full;
    this.full = [];
    if (this.used > 0) {
      batches.push(this.batch.subarray(0, this.used));
      this.batch = Buffer.allocUnsafe(BATCH_BYTES);
      this.used = 0;
    }
    for (const b of batches) await this.file.write(b);
  }

  async commit(): Promise<void> {
    await this.flush();
    await this.file.commit();
  }

  async abort(): Promise<void> {
    this.full = [];
    this.used = 0;
    await this.file.abort();
  }
}
