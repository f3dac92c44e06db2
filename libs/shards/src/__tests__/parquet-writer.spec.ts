import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { DuckDBInstance } from '@duckdb/node-api';
import { snappyUncompress } from 'hyparquet';
import { seededRandom } from '@apollo/document';
import { snappyCompress } from '../parquet/snappy';
import { openParquet, readParquetRows } from '../read';
import type { ShardRow } from '../row';
import { ShardWriter } from '../shard-writer';
import { fixtureDocs, tempDir, plainRow } from './fixtures';
import { docToRow } from '../row';

function roundTrip(input: Uint8Array): Uint8Array {
  const compressed = snappyCompress(input);
  const out = new Uint8Array(input.length);
  snappyUncompress(compressed, out);
  return out;
}

describe('snappy compressor', () => {
  it('round-trips through an independent decoder: empty, tiny, runs, random bytes, text over many 64 KiB blocks', () => {
    let seed = 7;
    const random = new Uint8Array(200_000).map(() => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24) & 0xff);
    const text = Buffer.from(
      fixtureDocs(4)
        .map((d) => d.text)
        .join('\n')
        .repeat(3),
    );
    const inputs = [new Uint8Array(0), Buffer.from('a'), Buffer.from('abcdabcdabcdabcd'), new Uint8Array(150_000).fill(7), random, text];
    for (const input of inputs) expect(Buffer.from(roundTrip(input)).equals(Buffer.from(input))).toBe(true);
    expect(snappyCompress(text).length).toBeLessThan(text.length * 0.8);
  });

  it('writes the bytes snappyjs 0.6 writes (sha256 of its output, pinned)', () => {
    const random = seededRandom(3);
    const noise = new Uint8Array(300_000).map(() => Math.floor(random() * 256));
    const vocabulary = ['the', 'patient', 'dose', '高血压', 'مريض', 'रोगी', '🩺', 'mg', '\n'];
    const words = Buffer.from(Array.from({ length: 60_000 }, () => vocabulary[Math.floor(random() * vocabulary.length)]).join(' '));
    const text = Buffer.from(fixtureDocs(6).map((d) => d.text).join('\n'));
    const sha = (input: Uint8Array) => createHash('sha256').update(snappyCompress(input)).digest('hex');
    expect(sha(noise)).toBe('4bce5a4fd3a4ef588ef1e74e994fcdea7218fa2fffa70fa1aaa68085eac0fc9a');
    expect(sha(words)).toBe('a6fe694d2d3e161d42e4bfc2ae569f6efc5b48a5119143cb6a29a1022e08e5a6');
    expect(sha(text)).toBe('d3d3068328c6ac05cbc320eb12561b6f249c6dd07787ae3a19448a3cb4210321');
    // Two whole 64 KiB fragments and a short last one.
    expect(sha(words.subarray(0, 65536 * 2 + 17))).toBe('eddeb2d1d6c1f038bc4fed40c0ed6aa04c9521eba02e21834b79efd53b44dae7');
  });
});

/** Rows that exercise every null, list and number case the encoder has. */
function edgeRows(): ShardRow[] {
  const base = { lang: 'en', source: 'book', stage: 'pretrain' } as const;
  const rows: ShardRow[] = [];
  for (let i = 0; i < 300; i++) {
    const row: ShardRow = { ...base, id: i.toString(16).padStart(32, '0'), text: `row ${i} 𝛼 é 中文 ${'x'.repeat(i % 50)}`, kind: 'text', char_count: 10 + i, token_count: i };
    // Long runs of nulls and values (RLE headers over one byte) and short alternations.
    if (i < 150) row.lang_score = i / 300;
    if (i % 3 === 0) row.url = `https://example.org/${i}`;
    if (i >= 200) {
      row.kind = 'qa';
      row.turns = i % 10 === 0 ? [] : Array.from({ length: (i % 4) * 2 }, (_, t) => `turn ${t} of ${i}`);
    }
    if (i === 5) row.line = -3;
    if (i === 6) row.line = 2 ** 40 + 1;
    if (i % 7 === 0) row.meta = JSON.stringify({ i });
    rows.push(row);
  }
  return rows;
}


describe('the shard writer encoding', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir('encoding');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each(['SNAPPY', 'GZIP', 'UNCOMPRESSED'] as const)('writes rows that hyparquet and DuckDB read back exactly (%s)', async (compression) => {
    const rows = edgeRows();
    const writer = new ShardWriter(join(dir, compression), compression, { rowGroupSize: 128, rowGroupMaxBytes: 1 << 30, shardMaxBytes: 1 << 30 }, { 'apollo.kind': 'mixed' });
    for (const r of rows) await writer.write(r);
    const [file, ...more] = await writer.close();
    expect(more).toEqual([]);
    const path = join(dir, compression, file!.name);
    expect(file!.sha256).toBe(createHash('sha256').update(await readFile(path)).digest('hex'));

    const back: Record<string, unknown>[] = [];
    for await (const row of readParquetRows(path)) back.push(plainRow(row));
    expect(back).toEqual(rows);

    const p = await openParquet(path);
    await p.close();
    expect(p.metadata.row_groups.map((g) => Number(g.num_rows))).toEqual([128, 128, 44]);
    const score = p.metadata.row_groups[2]!.columns.find((c) => c.meta_data!.path_in_schema[0] === 'lang_score')!.meta_data!.statistics!;
    expect(Number(score.null_count)).toBe(44);
    expect(score.max_value).toBeUndefined();
    const line = p.metadata.row_groups[0]!.columns.find((c) => c.meta_data!.path_in_schema[0] === 'line')!.meta_data!.statistics!;
    expect([line.min_value, line.max_value].map(Number)).toEqual([-3, 2 ** 40 + 1]);

    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    try {
      const reader = await con.runAndReadAll(`SELECT * FROM read_parquet('${path}')`);
      expect((reader.getRowObjectsJS() as Record<string, unknown>[]).map(plainRow)).toEqual(rows);
    } finally {
      con.closeSync();
      db.closeSync();
    }
  });

  it('writes the real fixture documents as docToRow gives them', async () => {
    const rows = fixtureDocs(5).map((d) => docToRow(d));
    const writer = new ShardWriter(join(dir, 'fixture'), 'SNAPPY', { rowGroupSize: 7, rowGroupMaxBytes: 1 << 30, shardMaxBytes: 1 << 30 });
    for (const r of rows) await writer.write(r);
    const [file] = await writer.close();
    const back: Record<string, unknown>[] = [];
    for await (const row of readParquetRows(join(dir, 'fixture', file!.name))) back.push(plainRow(row));
    expect(back).toEqual(rows);
  });
});
