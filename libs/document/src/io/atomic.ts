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

/** Line-oriented JSON writer on top of `AtomicFileWriter`, batching small writes. */
export class JsonlWriter {
  private readonly file: AtomicFileWriter;
  private buffer: string[] = [];
  private bufferedChars = 0;
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
    if (this.bufferedChars > 1 << 20) await this.flush();
  }

  /** Buffers a value without waiting; call `flushIfFull()` at a convenient await point. */
  add(value: unknown): void {
    const line = JSON.stringify(value) + '\n';
    this.buffer.push(line);
    this.bufferedChars += line.length;
    this.count++;
  }

  async flushIfFull(): Promise<void> {
    if (this.bufferedChars > 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const data = this.buffer.join('');
    this.buffer = [];
    this.bufferedChars = 0;
    await this.file.write(data);
  }

  async commit(): Promise<void> {
    await this.flush();
    await this.file.commit();
  }

  async abort(): Promise<void> {
    this.buffer = [];
    await this.file.abort();
  }
}
