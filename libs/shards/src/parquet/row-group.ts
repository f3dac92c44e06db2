import { gzipSync } from 'node:zlib';
import type { Compression } from '../schema';
import type { ShardRow } from '../row';
import { ByteBuffer, LevelBuffer, writeLevels } from './bytes';
import { LEAF_COLUMNS, pathList, PhysicalType, type LeafColumn } from './columns';
import { snappyCompressInto, snappyMaxLength } from './snappy';
import { encodeStruct, i64, list, struct, type ThriftStruct } from './thrift';

const PAGE_DATA = 0;
const ENCODING_PLAIN = 0;
const ENCODING_RLE = 3;
const CODEC: Record<Compression, number> = { UNCOMPRESSED: 0, SNAPPY: 1, GZIP: 2 };

/** One column's values and levels for the row group being built. */
class ColumnState {
  readonly values = new ByteBuffer();
  readonly defs: LevelBuffer | undefined;
  readonly reps: LevelBuffer | undefined;
  /** Level entries (values plus nulls and empty lists). */
  count = 0;
  nulls = 0;
  min = 0;
  max = 0;
  /** Distinct non-null values, for numeric statistics only. */
  readonly distinct: Set<number> | undefined;

  constructor(readonly leaf: LeafColumn) {
    this.defs = leaf.maxDef > 0 ? new LevelBuffer() : undefined;
    this.reps = leaf.maxRep > 0 ? new LevelBuffer() : undefined;
    this.distinct = leaf.statistics ? new Set() : undefined;
  }

  reset(): void {
    this.values.reset();
    this.defs?.reset();
    this.reps?.reset();
    this.count = 0;
    this.nulls = 0;
    this.distinct?.clear();
  }

  private number(x: number): void {
    if (this.distinct!.size === 0 || x < this.min) this.min = x;
    if (this.distinct!.size === 0 || x > this.max) this.max = x;
    this.distinct!.add(x);
  }

  add(value: unknown): void {
    const leaf = this.leaf;
    this.count++;
    if (value === undefined || value === null) {
      if (leaf.maxDef === 0) throw new Error(`missing required column "${leaf.name}"`);
      this.defs!.push(0);
      this.reps?.push(0);
      this.nulls++;
      return;
    }
    if (leaf.type === 'list<string>') {
      this.count--;
      this.addList(value);
      return;
    }
    this.defs?.push(leaf.maxDef);
    if (leaf.type === 'string') this.values.lengthPrefixedUtf8(String(value));
    else if (leaf.type === 'int64') {
      // As parquetjs-lite did (parseInt): fractions are truncated; anything else not a number fails.
      const n = Math.trunc(Number(value));
      if (!Number.isSafeInteger(n)) throw new Error(`column "${leaf.name}": ${String(value)} is not an integer`);
      this.values.int64(n);
      this.number(n);
    } else {
      const x = Number(value);
      this.values.double(x);
      this.number(x);
    }
  }

  private addList(value: unknown): void {
    if (!Array.isArray(value)) throw new Error(`column "${this.leaf.name}" must be a list`);
    const full = this.leaf.maxDef;
    if (value.length === 0) {
      // An empty list: defined up to the list level, no element.
      this.count++;
      this.defs!.push(full - 1);
      this.reps!.push(0);
      return;
    }
    for (let i = 0; i < value.length; i++) {
      this.count++;
      this.defs!.push(full);
      this.reps!.push(i === 0 ? 0 : 1);
      this.values.lengthPrefixedUtf8(String(value[i]));
    }
  }

  statistics(): ThriftStruct | undefined {
    if (!this.leaf.statistics) return undefined;
    const distinct = this.distinct!.size;
    const plain = (x: number): Buffer => {
      const b = new ByteBuffer(8);
      if (this.leaf.physical === PhysicalType.INT64) b.int64(x);
      else b.double(x);
      return Buffer.from(b.view());
    };
    const max = distinct > 0 ? plain(this.max) : undefined;
    const min = distinct > 0 ? plain(this.min) : undefined;
    // Both the deprecated min/max and min_value/max_value, as parquetjs-lite wrote them.
    return struct([1, max], [2, min], [3, i64(this.nulls)], [4, i64(distinct)], [5, max], [6, min]);
  }
}

/** A column chunk, encoded: its bytes (page header and page) and its metadata. */
export interface EncodedChunk {
  bytes: Buffer[];
  size: number;
  uncompressedSize: number;
  meta: (dataPageOffset: number) => ThriftStruct;
}

/**
 * Collects rows column by column and encodes them as one row group: per column one data page
 * (v1, PLAIN values, RLE levels) compressed with the file's codec.
 */
export class RowGroupBuilder {
  private readonly columns = LEAF_COLUMNS.map((l) => new ColumnState(l));
  private readonly page = new ByteBuffer();
  private scratch: Buffer = Buffer.allocUnsafe(0);
  rows = 0;

  constructor(private readonly compression: Compression) {}

  add(row: ShardRow): void {
    const record = row as unknown as Record<string, unknown>;
    for (const c of this.columns) c.add(record[c.leaf.name]);
    this.rows++;
  }

  reset(): void {
    for (const c of this.columns) c.reset();
    this.rows = 0;
  }

  private compress(body: Buffer): Buffer {
    if (this.compression === 'SNAPPY') {
      const max = snappyMaxLength(body.length);
      if (this.scratch.length < max) this.scratch = Buffer.allocUnsafe(Math.max(max, this.scratch.length * 2));
      // Copied out: the scratch buffer is reused for the next page.
      return Buffer.from(this.scratch.subarray(0, snappyCompressInto(body, this.scratch)));
    }
    if (this.compression === 'GZIP') return gzipSync(body);
    return Buffer.from(body);
  }

  private encodeChunk(c: ColumnState): EncodedChunk {
    let body: Buffer;
    if (c.defs || c.reps) {
      const page = this.page;
      page.reset();
      if (c.reps) writeLevels(c.reps, 1, page);
      if (c.defs) writeLevels(c.defs, c.leaf.maxDef > 1 ? 2 : 1, page);
      const values = c.values.view();
      page.reserve(values.length);
      values.copy(page.buf, page.length);
      page.length += values.length;
      body = page.view();
    } else {
      body = c.values.view();
    }
    const compressed = this.compress(body);
    const stats = c.statistics();
    const header = encodeStruct(
      struct(
        [1, PAGE_DATA],
        [2, body.length],
        [3, compressed.length],
        [5, struct([1, c.count], [2, ENCODING_PLAIN], [3, ENCODING_RLE], [4, ENCODING_RLE], [5, stats])],
      ),
    );
    const size = header.length + compressed.length;
    const uncompressedSize = header.length + body.length;
    const leaf = c.leaf;
    const codec = CODEC[this.compression];
    const count = c.count;
    return {
      bytes: [header, compressed],
      size,
      uncompressedSize,
      meta: (offset) =>
        struct(
          [1, leaf.physical],
          [2, list('i32', c.defs || c.reps ? [ENCODING_PLAIN, ENCODING_RLE] : [ENCODING_PLAIN])],
          [3, pathList(leaf)],
          [4, codec],
          [5, i64(count)],
          [6, i64(uncompressedSize)],
          [7, i64(size)],
          [9, i64(offset)],
          [12, stats],
        ),
    };
  }

  /**
   * Encodes the rows added since the last reset as a row group starting at file offset
   * `offset`; returns its bytes and its footer entry.
   */
  encode(offset: number): { body: Buffer; meta: ThriftStruct } {
    const chunks = this.columns.map((c) => this.encodeChunk(c));
    const body = Buffer.allocUnsafe(chunks.reduce((n, c) => n + c.size, 0));
    let at = 0;
    let uncompressed = 0;
    const columnChunks: ThriftStruct[] = [];
    for (const chunk of chunks) {
      // file_offset points at the chunk's first page, as parquet-mr writes it.
      columnChunks.push(struct([2, i64(offset + at)], [3, chunk.meta(offset + at)]));
      for (const b of chunk.bytes) {
        b.copy(body, at);
        at += b.length;
      }
      uncompressed += chunk.uncompressedSize;
    }
    const meta = struct([1, list('struct', columnChunks)], [2, i64(uncompressed)], [3, i64(this.rows)], [6, i64(body.length)]);
    return { body, meta };
  }
}
