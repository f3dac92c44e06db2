import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Doc } from '../document';
import { rawTextOf } from './raw-text';

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
 * A writer whose file appears under its final name only on `commit()`. Until then readers see
 * nothing, and an interrupted process leaves only a `.tmp-*` file behind. Data is written with
 * synchronous system calls once the file is open, so a caller may reuse a buffer as soon as
 * `write` resolves: writers that reuse their buffers skip the page faults of fresh ones, which
 * cost as much CPU as the writing itself. (Stages write from worker threads, or from the main
 * thread of a one-worker run with nothing else to do.)
 */
export class AtomicFileWriter {
  private readonly tmp: string;
  private fd: number | undefined;
  private opened: Promise<void> | undefined;
  bytes = 0;

  constructor(readonly path: string) {
    this.tmp = tmpName(path);
  }

  private open(): Promise<void> {
    this.opened ??= mkdir(dirname(this.path), { recursive: true }).then(() => {
      this.fd = openSync(this.tmp, 'w');
    });
    return this.opened;
  }

  /** Appends data; `data` is written (handed to the kernel) when this resolves. */
  async write(data: string | Uint8Array): Promise<void> {
    await this.open();
    if (this.fd === undefined) throw new Error(`${this.path}: write after commit or abort`);
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    for (let off = 0; off < bytes.length; ) off += writeSync(this.fd, bytes, off, bytes.length - off);
    this.bytes += bytes.length;
  }

  async commit(): Promise<void> {
    await this.open();
    if (this.fd === undefined) throw new Error(`${this.path}: committed or aborted already`);
    closeSync(this.fd);
    this.fd = undefined;
    await rename(this.tmp, this.path);
  }

  async abort(): Promise<void> {
    if (this.opened) await this.opened.catch(() => undefined);
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
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
 * sixth of the ingest stage's CPU time. Batches are reused once written.
 */
export class JsonlWriter {
  private readonly file: AtomicFileWriter;
  private batch: Buffer = Buffer.allocUnsafe(BATCH_BYTES);
  private used = 0;
  /** Filled batches (`batch` set) and runs of lines handed over whole, waiting for the next flush. */
  private full: { bytes: Uint8Array; batch?: Buffer }[] = [];
  /** Batches written and free again: fresh memory costs a page fault per 4 KB on first touch. */
  private spare: Buffer[] = [];
  /** The writes of the flushes so far, in order. */
  private writing: Promise<void> = Promise.resolve();
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

  /**
   * Buffers a document. A text read from a line and not changed since is copied from that
   * line's bytes (`rawTextOf`) instead of escaped and encoded again: the line comes out as
   * JSON.stringify would write it, given that the source line was written that way too (as
   * every stage writes them). Saves about a fifth of a stage's CPU time spent writing lines.
   */
  addDoc(doc: Doc): void {
    const raw = rawTextOf(doc);
    if (raw === undefined) {
      this.addSerialized(JSON.stringify(doc));
      return;
    }
    const json = JSON.stringify({ ...doc, text: '' });
    // The splice needs the text member right after the id, as documents are built
    // (`makeDoc`, and every stage keeps the key order); otherwise the plain way.
    const head = `{"id":${JSON.stringify(doc.id)},"text":"`;
    if (!json.startsWith(head) || json.charCodeAt(head.length) !== 0x22) {
      this.addSerialized(JSON.stringify(doc));
      return;
    }
    const room = (json.length + 1) * 3 + raw.length;
    if (this.used + room > this.batch.length) this.retire(room);
    this.used += this.batch.write(head, this.used);
    this.batch.set(raw, this.used);
    this.used += raw.length;
    this.used += this.batch.write(json.slice(head.length), this.used);
    this.batch[this.used++] = NEWLINE;
    this.count++;
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
      this.full.push({ bytes });
      return;
    }
    if (this.used + bytes.length > this.batch.length) this.retire(bytes.length);
    this.batch.set(bytes, this.used);
    this.used += bytes.length;
  }

  /** Moves the current batch to the full list and starts one with at least `room` bytes. */
  private retire(room: number): void {
    if (this.used === 0 && this.batch.length >= room) return;
    if (this.used > 0) this.full.push({ bytes: this.batch.subarray(0, this.used), batch: this.batch });
    const spare = room <= BATCH_BYTES ? this.spare.pop() : undefined;
    this.batch = spare ?? Buffer.allocUnsafe(Math.max(BATCH_BYTES, room));
    this.used = 0;
  }

  async flushIfFull(): Promise<void> {
    if (this.full.length > 0) await this.flush(false);
  }

  /**
   * Hands the full batches (with `all`, the current one too) to the file. The batches are taken
   * at the call and written after those of earlier calls, so flushes left running keep the
   * lines in order; lines added meanwhile land in another batch.
   */
  private flush(all: boolean): Promise<void> {
    if (all && this.used > 0) this.retire(0);
    const items = this.full;
    this.full = [];
    this.writing = this.writing.then(async () => {
      for (const { bytes, batch } of items) {
        await this.file.write(bytes);
        // Written: the batch can take new lines (oversize ones are let go).
        if (batch !== undefined && batch.length === BATCH_BYTES) this.spare.push(batch);
      }
    });
    return this.writing;
  }

  async commit(): Promise<void> {
    await this.flush(true);
    await this.file.commit();
  }

  async abort(): Promise<void> {
    this.full = [];
    this.spare = [];
    this.used = 0;
    await this.writing.catch(() => undefined);
    await this.file.abort();
  }
}
