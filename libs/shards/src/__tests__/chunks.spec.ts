import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { seededRandom } from '@apollo/document';
import { ByteBuffer } from '../parquet/bytes';
import { CHUNK_SIZE, ChunkedBuffer, ChunkPool } from '../parquet/chunks';
import { footerRowCount } from '../parquet/footer';
import { RowGroupBuilder } from '../parquet/row-group';
import { snappyCompress, snappyCompressChunks, snappyMaxLength } from '../parquet/snappy';
import { parquetRowCount, readParquetRows } from '../read';
import { docToRow } from '../row';
import { ShardWriter } from '../shard-writer';
import { fixtureDocs, plainRow, tempDir } from './fixtures';

describe('ChunkedBuffer', () => {
  it('holds the bytes ByteBuffer holds, values straddling chunks included, and gives its chunks back on reset', () => {
    // 16-byte chunks: most values cross a chunk boundary.
    const pool = new ChunkPool(16, 4, 100_000);
    const chunked = new ChunkedBuffer(pool);
    const plain = new ByteBuffer(8);
    const random = seededRandom(11);
    const words = ['', 'a', 'dose', '高血压', 'مريض', 'रोगी', '🩺', 'x'.repeat(40)];
    for (let i = 0; i < 2000; i++) {
      const k = Math.floor(random() * 5);
      const word = words[Math.floor(random() * words.length)]!;
      if (k === 0) expect(chunked.lengthPrefixedUtf8(word)).toBe(plain.lengthPrefixedUtf8(word));
      else if (k === 1) {
        chunked.lengthPrefixedBytes(Buffer.from(word));
        plain.lengthPrefixedBytes(Buffer.from(word));
      } else if (k === 2) {
        const n = Math.floor(random() * 2 ** 40) - 2 ** 39;
        chunked.int64(n);
        plain.int64(n);
      } else if (k === 3) {
        const x = random() * 1e6;
        chunked.double(x);
        plain.double(x);
      } else {
        chunked.uint32(i);
        plain.uint32(i);
      }
      expect(chunked.length).toBe(plain.length);
    }
    const pieces = chunked.pieces();
    expect(pieces.slice(0, -1).every((p) => p.length === 16)).toBe(true);
    expect(Buffer.concat(pieces).equals(plain.view())).toBe(true);
    const copied = new ByteBuffer(4);
    copied.uint32(7);
    chunked.copyTo(copied);
    expect(copied.view().subarray(4).equals(plain.view())).toBe(true);
    const held = chunked.chunks.length;
    const before = pool.available;
    chunked.reset();
    expect(pool.available).toBe(before + held);
    expect(chunked.length).toBe(0);
    expect(chunked.pieces()).toEqual([]);
    // The pool keeps at most `maxFree` chunks for reuse.
    const small = new ChunkPool(16, 4, 3);
    const b = new ChunkedBuffer(small);
    b.bytes(Buffer.alloc(16 * 10));
    b.reset();
    expect(small.available).toBe(3);
  });

  it('compresses chunk by chunk into the bytes snappy gives for the whole', () => {
    const text = Buffer.from(fixtureDocs(6).map((d) => d.text).join('\n'));
    const random = seededRandom(5);
    const noise = new Uint8Array(CHUNK_SIZE + 999).map(() => Math.floor(random() * 256));
    for (const input of [text, noise, Buffer.concat([text, noise, text]), Buffer.from('abc')]) {
      const chunked = new ChunkedBuffer();
      // Uneven writes, so values straddle chunks.
      for (let at = 0; at < input.length; at += 1000) chunked.bytes(input.subarray(at, at + 1000));
      const out = Buffer.alloc(snappyMaxLength(input.length));
      const n = snappyCompressChunks(chunked.pieces(), out);
      expect(out.subarray(0, n).equals(snappyCompress(input))).toBe(true);
      chunked.reset();
    }
    expect(() => snappyCompressChunks([Buffer.alloc(100), Buffer.alloc(10)], Buffer.alloc(1000))).toThrow(/whole number/);
  });
});

describe('row groups encoded in the thread buffers', () => {
  it('gives a second body its own buffers while the first is not released', () => {
    const docs = fixtureDocs(3);
    const a = new RowGroupBuilder('SNAPPY');
    const b = new RowGroupBuilder('SNAPPY');
    docs.forEach((d, i) => (i % 2 ? a : b).add(docToRow(d)));
    const first = a.encode();
    const firstBytes = Buffer.from(first.body);
    const second = b.encode();
    expect(first.body.equals(firstBytes)).toBe(true);
    second.release();
    first.release();
    // Once released, the same rows encode to the same bytes in the shared buffers.
    const again = a.encode();
    expect(again.body.equals(firstBytes)).toBe(true);
    again.release();
  });
});

describe('footerRowCount', () => {
  it('reads the row count hyparquet reads, and refuses a file that is not Parquet', async () => {
    const dir = await tempDir('footer-');
    try {
      const writer = new ShardWriter(join(dir, 'g'), 'SNAPPY', { rowGroupSize: 5, rowGroupMaxBytes: 1 << 30, shardMaxBytes: 1 << 30 }, { 'apollo.lang': 'mixed' });
      const docs = fixtureDocs(4);
      for (const d of docs) await writer.write(docToRow(d));
      const [file] = await writer.close();
      const path = join(dir, 'g', file!.name);
      expect(await footerRowCount(path)).toBe(docs.length);
      expect(await footerRowCount(path)).toBe(await parquetRowCount(path));
      const rows = [];
      for await (const r of readParquetRows(path)) rows.push(plainRow(r));
      expect(rows.map((r) => r.id)).toEqual(docs.map((d) => d.id));
      await expect(footerRowCount(join(dir, 'g', '..', 'nope'))).rejects.toThrow();
      await writeFile(join(dir, 'bad.parquet'), 'PAR1 not a footer at all PAR1');
      await expect(footerRowCount(join(dir, 'bad.parquet'))).rejects.toThrow(/not a readable Parquet file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
