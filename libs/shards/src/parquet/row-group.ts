import { gzipSync } from 'node:zlib';
import type { Compression } from '../schema';
import type { ShardRow } from '../row';
import { ByteBuffer, LevelBuffer, writeLevels } from './bytes';
import { ChunkedBuffer } from './chunks';
import { LEAF_COLUMNS, pathList, PhysicalType, type LeafColumn } from './columns';
import { snappyCompressChunks, snappyCompressInto, snappyMaxLength } from './snappy';
import { encodeStruct, i64, list, struct, type ThriftStruct } from './thrift';

const PAGE_DATA = 0;
const ENCODING_PLAIN = 0;
const ENCODING_RLE = 3;
const CODEC: Record<Compression, number> = { UNCOMPRESSED: 0, SNAPPY: 1, GZIP: 2 };

/** One column's values and levels for the row group being built. */
class ColumnState {
  readonly values = new ChunkedBuffer();
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

  /** A string value given as its UTF-8 bytes (a required or present string column). */
  addUtf8(utf8: Uint8Array): void {
    this.count++;
    this.defs?.push(this.leaf.maxDef);
    this.values.lengthPrefixedBytes(utf8);
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

  /** Min/max (PLAIN bytes, hex), null and distinct counts; numeric columns only. */
  statistics(): StatisticsInfo | undefined {
    if (!this.leaf.statistics) return undefined;
    const distinct = this.distinct!.size;
    if (distinct === 0) return { nulls: this.nulls, distinct };
    const plain = (x: number): string => {
      const b = new ByteBuffer(8);
      if (this.leaf.physical === PhysicalType.INT64) b.int64(x);
      else b.double(x);
      return b.view().toString('hex');
    };
    return { nulls: this.nulls, distinct, min: plain(this.min), max: plain(this.max) };
  }
}

/** A numeric column chunk's statistics, as JSON (a part index carries them to finalize). */
export interface StatisticsInfo {
  nulls: number;
  distinct: number;
  /** PLAIN-encoded minimum and maximum, hex; absent when every value is null. */
  min?: string;
  max?: string;
}

/** What the footer says of one column chunk, apart from where it lies in the file. */
export interface ColumnChunkInfo {
  /** Page header and page, as stored (compressed). */
  bytes: number;
  uncompressedBytes: number;
  /** Level entries (values, nulls and empty lists). */
  values: number;
  statistics?: StatisticsInfo;
}

/**
 * A row group's footer entry without its file offset: plain JSON, so a write task can list it
 * in its part index and finalize can write a footer for row groups copied into another file.
 */
export interface RowGroupInfo {
  rows: number;
  /** Bytes of the row group in the file (its column chunks, back to back). */
  bytes: number;
  uncompressedBytes: number;
  /** Parquet codec number (0 none, 1 snappy, 2 gzip). */
  codec: number;
  /** One per leaf column, in file order. */
  columns: ColumnChunkInfo[];
}

function statisticsStruct(s: StatisticsInfo | undefined): ThriftStruct | undefined {
  if (!s) return undefined;
  const max = s.max === undefined ? undefined : Buffer.from(s.max, 'hex');
  const min = s.min === undefined ? undefined : Buffer.from(s.min, 'hex');
  // Both the deprecated min/max and min_value/max_value, as parquetjs-lite wrote them.
  return struct([1, max], [2, min], [3, i64(s.nulls)], [4, i64(s.distinct)], [5, max], [6, min]);
}

/** The footer's RowGroup struct for a row group whose first column chunk starts at `offset`. */
export function rowGroupStruct(info: RowGroupInfo, offset: number): ThriftStruct {
  let at = offset;
  const columnChunks = info.columns.map((c, i) => {
    const leaf = LEAF_COLUMNS[i]!;
    const levels = leaf.maxDef > 0 || leaf.maxRep > 0;
    // file_offset points at the chunk's first page, as parquet-mr writes it.
    const chunk = struct(
      [2, i64(at)],
      [
        3,
        struct(
          [1, leaf.physical],
          [2, list('i32', levels ? [ENCODING_PLAIN, ENCODING_RLE] : [ENCODING_PLAIN])],
          [3, pathList(leaf)],
          [4, info.codec],
          [5, i64(c.values)],
          [6, i64(c.uncompressedBytes)],
          [7, i64(c.bytes)],
          [9, i64(at)],
          [12, statisticsStruct(c.statistics)],
        ),
      ],
    );
    at += c.bytes;
    return chunk;
  });
  return struct([1, list('struct', columnChunks)], [2, i64(info.uncompressedBytes)], [3, i64(info.rows)], [6, i64(info.bytes)]);
}

/** What a row group is encoded with: the page (levels and values), the compressed page, the row group's bytes. */
class EncodeBuffers {
  readonly page = new ByteBuffer();
  readonly out = new ByteBuffer();
  scratch: Buffer = Buffer.allocUnsafe(0);
  busy = false;
}

/**
 * One set per thread, shared by every builder: a write task's group writers encode one row
 * group at a time, and a set per group (each grown to the largest row group) cost that much
 * fresh memory again per group. Kept across tasks.
 */
const threadBuffers = new EncodeBuffers();

/** A row group encoded: its bytes (valid until `release`) and its footer entry. */
export interface EncodedRowGroup {
  body: Buffer;
  info: RowGroupInfo;
  /** Lets the next `encode` reuse the buffers the body lies in; call once the body is written. */
  release: () => void;
}

/**
 * Collects rows column by column and encodes them as one row group: per column one data page
 * (v1, PLAIN values, RLE levels) compressed with the file's codec.
 */
export class RowGroupBuilder {
  private readonly columns = LEAF_COLUMNS.map((l) => new ColumnState(l));
  private readonly text = this.columns.find((c) => c.leaf.name === 'text')!;
  rows = 0;

  constructor(private readonly compression: Compression) {}

  /** Adds a row; `textUtf8`, when given, is `row.text` in UTF-8, copied into the text column as it is. */
  add(row: ShardRow, textUtf8?: Uint8Array): void {
    const record = row as unknown as Record<string, unknown>;
    for (const c of this.columns) {
      if (textUtf8 && c === this.text) c.addUtf8(textUtf8);
      else c.add(record[c.leaf.name]);
    }
    this.rows++;
  }

  reset(): void {
    for (const c of this.columns) c.reset();
    this.rows = 0;
  }

  /** Appends a column chunk (page header and page) to `b.out`; returns its footer entry. */
  private encodeChunk(c: ColumnState, b: EncodeBuffers): ColumnChunkInfo {
    const page = b.page;
    page.reset();
    if (c.reps) writeLevels(c.reps, 1, page);
    if (c.defs) writeLevels(c.defs, c.leaf.maxDef > 1 ? 2 : 1, page);
    const snappy = this.compression === 'SNAPPY';
    // Snappy compresses a column without levels (the text) from its chunks as they are; every
    // other page is made contiguous first.
    const chunked = snappy && page.length === 0;
    if (!chunked) c.values.copyTo(page);
    const bodyLength = page.length + (chunked ? c.values.length : 0);
    let compressed: Buffer;
    if (snappy) {
      const max = snappyMaxLength(bodyLength);
      if (b.scratch.length < max) b.scratch = Buffer.allocUnsafe(Math.max(max, b.scratch.length * 2));
      const n = chunked ? snappyCompressChunks(c.values.pieces(), b.scratch) : snappyCompressInto(page.view(), b.scratch);
      compressed = b.scratch.subarray(0, n);
    } else {
      compressed = this.compression === 'GZIP' ? gzipSync(page.view()) : page.view();
    }
    const statistics = c.statistics();
    const header = encodeStruct(
      struct(
        [1, PAGE_DATA],
        [2, bodyLength],
        [3, compressed.length],
        [5, struct([1, c.count], [2, ENCODING_PLAIN], [3, ENCODING_RLE], [4, ENCODING_RLE], [5, statisticsStruct(statistics)])],
      ),
    );
    b.out.bytes(header);
    b.out.bytes(compressed);
    return {
      bytes: header.length + compressed.length,
      uncompressedBytes: header.length + bodyLength,
      values: c.count,
      ...(statistics ? { statistics } : {}),
    };
  }

  /**
   * Encodes the rows added since the last reset as one row group: its bytes and its footer
   * entry, which does not depend on where in a file the bytes go. The body lies in the
   * thread's buffers until `release`; should they still hold another body not yet released,
   * this one gets buffers of its own.
   */
  encode(): EncodedRowGroup {
    const shared = !threadBuffers.busy;
    const b = shared ? threadBuffers : new EncodeBuffers();
    b.busy = true;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      b.busy = false;
    };
    try {
      b.out.reset();
      const columns = this.columns.map((c) => this.encodeChunk(c, b));
      const uncompressed = columns.reduce((n, c) => n + c.uncompressedBytes, 0);
      const body = b.out.view();
      const info: RowGroupInfo = { rows: this.rows, bytes: body.length, uncompressedBytes: uncompressed, codec: CODEC[this.compression], columns };
      return { body, info, release };
    } catch (err) {
      release();
      throw err;
    }
  }
}
