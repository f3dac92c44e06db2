import { ByteBuffer } from './bytes';

/**
 * Chunk size: snappy's fragment size, so a column held in chunks compresses chunk by chunk into
 * the same bytes as the column held in one buffer (`snappyCompressChunks`).
 */
export const CHUNK_SIZE = 1 << 16;

/**
 * Fixed-size byte chunks, recycled. The row groups a thread's writers build draw their column
 * values from one pool and give them back once encoded, so a write task touches fresh memory
 * only up to the most rows all its groups hold at once, instead of growing (by doubling, with a
 * copy each time) one set of buffers per group. Fresh memory costs a page fault per 4 KB on
 * first touch, and two threads of a process faulting at once slow each other down.
 */
export class ChunkPool {
  private readonly free: Buffer[] = [];

  /**
   * @param slabChunks chunks carved from one allocation (fewer, larger allocations)
   * @param maxFree chunks kept for reuse; more are left to the garbage collector
   */
  constructor(
    readonly chunkSize = CHUNK_SIZE,
    private readonly slabChunks = 16,
    private readonly maxFree = 1024,
  ) {}

  /** Chunks ready for reuse. */
  get available(): number {
    return this.free.length;
  }

  take(): Buffer {
    const chunk = this.free.pop();
    if (chunk) return chunk;
    const slab = Buffer.allocUnsafeSlow(this.chunkSize * this.slabChunks);
    for (let i = this.slabChunks - 1; i > 0; i--) this.free.push(slab.subarray(i * this.chunkSize, (i + 1) * this.chunkSize));
    return slab.subarray(0, this.chunkSize);
  }

  give(chunks: readonly Buffer[]): void {
    for (const c of chunks) {
      if (this.free.length >= this.maxFree) return;
      this.free.push(c);
    }
  }
}

/** The pool of this thread (each worker thread loads its own copy of this module). */
export const threadChunkPool = new ChunkPool();

// For the rare value that straddles two chunks: encoded here first, then copied across.
const straddle = new ByteBuffer(16);

/**
 * A byte buffer held as a list of pool chunks: every chunk but the last is full, so the bytes
 * are the chunks back to back. It has the writes of `ByteBuffer` that column values use.
 */
export class ChunkedBuffer {
  readonly chunks: Buffer[] = [];
  length = 0;
  private cur: Buffer | undefined;
  /** Bytes used in the last chunk. */
  private pos = 0;

  constructor(private readonly pool: ChunkPool = threadChunkPool) {}

  private room(): number {
    return this.cur ? this.cur.length - this.pos : 0;
  }

  private next(): Buffer {
    const chunk = this.pool.take();
    this.chunks.push(chunk);
    this.cur = chunk;
    this.pos = 0;
    return chunk;
  }

  bytes(src: Uint8Array): void {
    if (src.length <= this.room()) {
      this.cur!.set(src, this.pos);
      this.pos += src.length;
      this.length += src.length;
      return;
    }
    let off = 0;
    while (off < src.length) {
      const chunk = this.room() === 0 ? this.next() : this.cur!;
      const n = Math.min(chunk.length - this.pos, src.length - off);
      chunk.set(src.subarray(off, off + n), this.pos);
      this.pos += n;
      off += n;
    }
    this.length += src.length;
  }

  uint32(n: number): void {
    if (this.room() >= 4) {
      this.cur!.writeUInt32LE(n, this.pos);
      this.pos += 4;
      this.length += 4;
      return;
    }
    straddle.reset();
    straddle.uint32(n);
    this.bytes(straddle.view());
  }

  /** PLAIN BYTE_ARRAY: 4-byte little-endian length, then the UTF-8 bytes. Returns the byte length. */
  lengthPrefixedUtf8(s: string): number {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    if (this.room() >= 4 + s.length * 3) {
      const cur = this.cur!;
      const n = cur.write(s, this.pos + 4, 'utf8');
      cur.writeUInt32LE(n, this.pos);
      this.pos += 4 + n;
      this.length += 4 + n;
      return n;
    }
    straddle.reset();
    const n = straddle.lengthPrefixedUtf8(s);
    this.bytes(straddle.view());
    return n;
  }

  /** PLAIN BYTE_ARRAY of bytes already encoded. */
  lengthPrefixedBytes(src: Uint8Array): void {
    this.uint32(src.length);
    this.bytes(src);
  }

  /** PLAIN INT64 of a safe integer. */
  int64(n: number): void {
    if (this.room() >= 8) {
      const hi = Math.floor(n / 4294967296);
      this.cur!.writeUInt32LE(n - hi * 4294967296, this.pos);
      this.cur!.writeInt32LE(hi, this.pos + 4);
      this.pos += 8;
      this.length += 8;
      return;
    }
    straddle.reset();
    straddle.int64(n);
    this.bytes(straddle.view());
  }

  /** PLAIN DOUBLE. */
  double(x: number): void {
    if (this.room() >= 8) {
      this.cur!.writeDoubleLE(x, this.pos);
      this.pos += 8;
      this.length += 8;
      return;
    }
    straddle.reset();
    straddle.double(x);
    this.bytes(straddle.view());
  }

  /** The bytes as views of the chunks, in order (valid until the next write or reset). */
  pieces(): Buffer[] {
    if (this.chunks.length === 0) return [];
    const pieces = this.chunks.slice(0, -1);
    pieces.push(this.cur!.subarray(0, this.pos));
    return pieces;
  }

  /** Appends the bytes to `out`. */
  copyTo(out: ByteBuffer): void {
    out.reserve(this.length);
    for (const p of this.pieces()) {
      out.buf.set(p, out.length);
      out.length += p.length;
    }
  }

  /** Empties the buffer and gives its chunks back to the pool. */
  reset(): void {
    this.pool.give(this.chunks);
    this.chunks.length = 0;
    this.cur = undefined;
    this.pos = 0;
    this.length = 0;
  }
}
