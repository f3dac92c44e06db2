/**
 * The part of Thrift's compact protocol a Parquet writer needs: structs of i32, i64, binary,
 * list and nested struct fields. Parquet's footer and page headers are encoded with it.
 */

const enum CompactType {
  I32 = 5,
  I64 = 6,
  BINARY = 8,
  LIST = 9,
  STRUCT = 12,
}

/** A struct field: id and value. A value of `undefined` leaves the field out. */
export type ThriftField = [id: number, value: ThriftValue | undefined];

/** Field values by kind; numbers are i32 unless wrapped in `i64()`. */
export type ThriftValue = number | I64 | Uint8Array | string | ThriftStruct | ThriftList;

export interface ThriftStruct {
  kind: 'struct';
  fields: ThriftField[];
}

export interface ThriftList {
  kind: 'list';
  items: (number | I64 | Uint8Array | string | ThriftStruct)[];
  /** Element type, needed for empty lists; derived from the first item otherwise. */
  of: 'i32' | 'i64' | 'binary' | 'struct';
}

export interface I64 {
  kind: 'i64';
  value: number;
}

export const struct = (...fields: ThriftField[]): ThriftStruct => ({ kind: 'struct', fields });
export const list = (of: ThriftList['of'], items: ThriftList['items']): ThriftList => ({ kind: 'list', of, items });
export const i64 = (value: number): I64 => ({ kind: 'i64', value });

const LIST_TYPE: Record<ThriftList['of'], CompactType> = {
  i32: CompactType.I32,
  i64: CompactType.I64,
  binary: CompactType.BINARY,
  struct: CompactType.STRUCT,
};

function typeOf(value: ThriftValue): CompactType {
  if (typeof value === 'number') return CompactType.I32;
  if (typeof value === 'string' || value instanceof Uint8Array) return CompactType.BINARY;
  if (value.kind === 'i64') return CompactType.I64;
  return value.kind === 'struct' ? CompactType.STRUCT : CompactType.LIST;
}

/** Bytes of a compact-protocol message, grown as needed. */
class Output {
  private buf = Buffer.allocUnsafe(256);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.length++] = b;
  }

  /** Unsigned varint of a non-negative safe integer (up to 2^53, beyond 32-bit shifts). */
  varint(n: number): void {
    this.reserve(10);
    while (n >= 0x80) {
      this.buf[this.length++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.length++] = n;
  }

  zigzag(n: number): void {
    if (!Number.isSafeInteger(n)) throw new Error(`thrift: ${n} is not a safe integer`);
    this.varint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  result(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

function writeValue(out: Output, value: ThriftValue): void {
  if (typeof value === 'number') out.zigzag(value);
  else if (typeof value === 'string') out.bytes(Buffer.from(value, 'utf8'));
  else if (value instanceof Uint8Array) out.bytes(value);
  else if (value.kind === 'i64') out.zigzag(value.value);
  else if (value.kind === 'struct') writeStruct(out, value);
  else {
    const n = value.items.length;
    const type = LIST_TYPE[value.of];
    if (n < 15) out.byte((n << 4) | type);
    else {
      out.byte(0xf0 | type);
      out.varint(n);
    }
    for (const item of value.items) writeValue(out, item);
  }
}

function writeStruct(out: Output, s: ThriftStruct): void {
  let last = 0;
  for (const [id, value] of s.fields) {
    if (value === undefined) continue;
    const type = typeOf(value);
    const delta = id - last;
    if (delta > 0 && delta <= 15) out.byte((delta << 4) | type);
    else {
      out.byte(type);
      out.zigzag(id);
    }
    writeValue(out, value);
    last = id;
  }
  out.byte(0); // stop
}

/** Encodes a struct in the compact protocol. Field ids must be given in increasing order. */
export function encodeStruct(s: ThriftStruct): Buffer {
  const out = new Output();
  writeStruct(out, s);
  return out.result();
}
