import { open } from 'node:fs/promises';

/**
 * Reads `num_rows` from a Parquet file's footer with a few lines of Thrift compact protocol,
 * for finalize's check of the shards it made: loading hyparquet (ES modules, about 50 ms)
 * only for that sat on the stage's critical path. `verify` still reads footers with hyparquet.
 */

const MAGIC = 'PAR1';

class CompactReader {
  at = 0;
  constructor(private readonly buf: Buffer) {}

  private byte(): number {
    if (this.at >= this.buf.length) throw new Error('footer ends inside a field');
    return this.buf[this.at++]!;
  }

  /** An unsigned varint, as a number (exact up to 2^53). */
  varint(): number {
    let n = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      n += (b & 0x7f) * scale;
      if (b < 0x80) return n;
      scale *= 128;
      if (scale > 2 ** 63) throw new Error('varint longer than 64 bits');
    }
  }

  /** A zigzag varint (i16, i32, i64). */
  zigzag(): number {
    const n = this.varint();
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  /** Skips a value of compact type `type`. */
  skip(type: number): void {
    switch (type) {
      case 1: // BOOLEAN_TRUE, BOOLEAN_FALSE: no payload in a struct field
      case 2:
        return;
      case 3: // BYTE
        this.at++;
        return;
      case 4: // I16, I32, I64
      case 5:
      case 6:
        this.varint();
        return;
      case 7: // DOUBLE
        this.at += 8;
        return;
      case 8: {
        // BINARY. Not `this.at += this.varint()`: that adds to `at` as it was before the length.
        const length = this.varint();
        this.at += length;
        return;
      }
      case 9: // LIST, SET
      case 10: {
        const header = this.byte();
        const size = header >> 4 === 15 ? this.varint() : header >> 4;
        const elem = header & 0x0f;
        for (let i = 0; i < size; i++) this.skipElement(elem);
        return;
      }
      case 11: {
        const size = this.varint();
        if (size === 0) return;
        const kv = this.byte();
        for (let i = 0; i < size; i++) {
          this.skipElement(kv >> 4);
          this.skipElement(kv & 0x0f);
        }
        return;
      }
      case 12:
        for (let field = this.fieldHeader(0); field; field = this.fieldHeader(field.id)) this.skip(field.type);
        return;
      default:
        throw new Error(`unknown compact type ${type}`);
    }
  }

  /** Skips a collection element: booleans there take a byte each. */
  private skipElement(type: number): void {
    if (type === 1 || type === 2) this.at++;
    else this.skip(type);
  }

  /** The next field's id and type, or undefined at the struct's end. */
  fieldHeader(lastId: number): { id: number; type: number } | undefined {
    const b = this.byte();
    if (b === 0) return undefined;
    const delta = b >> 4;
    return { id: delta === 0 ? this.zigzag() : lastId + delta, type: b & 0x0f };
  }
}

/** `num_rows` (field 3 of FileMetaData) of an encoded footer. */
export function footerNumRows(footer: Buffer): number {
  const r = new CompactReader(footer);
  for (let field = r.fieldHeader(0); field; field = r.fieldHeader(field.id)) {
    if (field.id === 3 && field.type === 6) return r.zigzag();
    r.skip(field.type);
  }
  throw new Error('footer has no num_rows');
}

/** Row count from the footer of the Parquet file at `path`. */
export async function footerRowCount(path: string): Promise<number> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const tail = Buffer.alloc(8);
    if (size < 12 || (await handle.read(tail, 0, 8, size - 8)).bytesRead !== 8 || tail.toString('latin1', 4) !== MAGIC) {
      throw new Error('no Parquet footer (file too short or magic missing)');
    }
    const length = tail.readUInt32LE(0);
    if (length > size - 12) throw new Error(`footer of ${length} bytes does not fit the file`);
    const footer = Buffer.alloc(length);
    if ((await handle.read(footer, 0, length, size - 8 - length)).bytesRead !== length) throw new Error('footer cut short');
    return footerNumRows(footer);
  } catch (err) {
    throw new Error(`${path}: not a readable Parquet file: ${(err as Error).message}`);
  } finally {
    await handle.close();
  }
}
