/**
 * A growable byte buffer that column values are encoded into directly, so a row group's
 * strings cost one UTF-8 write each instead of a Buffer per value and a concat per page.
 * It keeps its capacity across row groups (`reset`).
 */
export class ByteBuffer {
  buf: Buffer;
  length = 0;

  constructor(initial = 1 << 12) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  reserve(n: number): void {
    const need = this.length + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  reset(): void {
    this.length = 0;
  }

  /** The bytes written so far (a view: valid until the next write or reset). */
  view(): Buffer {
    return this.buf.subarray(0, this.length);
  }

  bytes(src: Uint8Array): void {
    this.reserve(src.length);
    this.buf.set(src, this.length);
    this.length += src.length;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.length++] = b;
  }

  uint32(n: number): void {
    this.reserve(4);
    this.buf.writeUInt32LE(n, this.length);
    this.length += 4;
  }

  /** PLAIN BYTE_ARRAY: 4-byte little-endian length, then the UTF-8 bytes. Returns the byte length. */
  lengthPrefixedUtf8(s: string): number {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8 (a surrogate pair, 2 units, takes 4).
    this.reserve(4 + s.length * 3);
    const n = this.buf.write(s, this.length + 4, 'utf8');
    this.buf.writeUInt32LE(n, this.length);
    this.length += 4 + n;
    return n;
  }

  /** PLAIN BYTE_ARRAY of bytes already encoded: 4-byte little-endian length, then the bytes. */
  lengthPrefixedBytes(src: Uint8Array): void {
    this.reserve(4 + src.length);
    this.buf.writeUInt32LE(src.length, this.length);
    this.buf.set(src, this.length + 4);
    this.length += 4 + src.length;
  }

  /** PLAIN INT64 of a safe integer. */
  int64(n: number): void {
    this.reserve(8);
    const hi = Math.floor(n / 4294967296);
    this.buf.writeUInt32LE(n - hi * 4294967296, this.length);
    this.buf.writeInt32LE(hi, this.length + 4);
    this.length += 8;
  }

  /** PLAIN DOUBLE. */
  double(x: number): void {
    this.reserve(8);
    this.buf.writeDoubleLE(x, this.length);
    this.length += 8;
  }
}

/** Repetition or definition levels of a column chunk, one byte each. */
export class LevelBuffer {
  levels = new Uint8Array(1024);
  length = 0;

  push(level: number): void {
    if (this.length === this.levels.length) {
      const next = new Uint8Array(this.levels.length * 2);
      next.set(this.levels);
      this.levels = next;
    }
    this.levels[this.length++] = level;
  }

  reset(): void {
    this.length = 0;
  }
}

/**
 * Writes levels in Parquet's RLE/bit-packed hybrid as RLE runs only (every reader decodes
 * them; levels here are long runs of one value), preceded by the 4-byte length of data page v1.
 */
export function writeLevels(levels: LevelBuffer, bitWidth: number, out: ByteBuffer): void {
  const start = out.length;
  out.uint32(0);
  const width = Math.ceil(bitWidth / 8);
  const a = levels.levels;
  let i = 0;
  while (i < levels.length) {
    const v = a[i]!;
    let j = i + 1;
    while (j < levels.length && a[j] === v) j++;
    let header = (j - i) * 2;
    out.reserve(10 + width);
    while (header >= 0x80) {
      out.buf[out.length++] = (header & 0x7f) | 0x80;
      header >>>= 7;
    }
    out.buf[out.length++] = header;
    for (let b = 0; b < width; b++) out.buf[out.length++] = (v >>> (8 * b)) & 0xff;
    i = j;
  }
  out.buf.writeUInt32LE(out.length - start - 4, start);
}
