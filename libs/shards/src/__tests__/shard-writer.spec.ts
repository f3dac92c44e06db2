import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sizeCategory } from '../card';
import { resolveSettings } from '@apollo/stage';
import { DEFAULT_CONVERT_CONFIG } from '../config';
import { CONVERT_SETTINGS } from '../settings';
import { openParquet, readParquetRows } from '../read';
import { docToRow, rowToDoc } from '../row';
import { ShardWriter } from '../shard-writer';
import { countChars, estimateTokens } from '../tokens';
import { fixtureDocs, tempDir } from './fixtures';

describe('ShardWriter', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir('writer');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes the same file from a row and its text bytes as from the row alone', async () => {
    const rows = fixtureDocs(6).map((d) => docToRow(d));
    const options = { rowGroupSize: 5, rowGroupMaxBytes: 1 << 30, shardMaxBytes: 20_000 };
    const plain = new ShardWriter(join(dir, 'plain'), 'SNAPPY', options, { 'apollo.lang': 'mixed' });
    const bytes = new ShardWriter(join(dir, 'bytes'), 'SNAPPY', options, { 'apollo.lang': 'mixed' });
    for (const r of rows) {
      await plain.write(r);
      await bytes.write(r, Buffer.from(r.text));
    }
    const [a, b] = [await plain.close(), await bytes.close()];
    expect(a.length).toBeGreaterThan(1);
    expect(b).toEqual(a);
    for (const f of a) expect((await readFile(join(dir, 'bytes', f.name))).equals(await readFile(join(dir, 'plain', f.name)))).toBe(true);
  });

  it('cuts row groups at the row count and files at the size cap, losing no row', async () => {
    const docs = fixtureDocs(10).filter((d) => d.lang === 'en' && d.kind === 'qa');
    const rows = docs.map((d) => docToRow(d));
    const cap = 8000;
    const writer = new ShardWriter(join(dir, 'a'), 'SNAPPY', { rowGroupSize: 4, rowGroupMaxBytes: 1 << 30, shardMaxBytes: cap }, { 'apollo.lang': 'en' });
    for (const r of rows) await writer.write(r);
    const files = await writer.close();
    expect(files.length).toBeGreaterThan(1);
    expect(files.map((f) => f.name)).toEqual(files.map((_, i) => `part-${String(i).padStart(5, '0')}.parquet`));
    expect(files.reduce((n, f) => n + f.rows, 0)).toBe(rows.length);
    const back = [];
    for (const f of files) {
      expect(f.bytes).toBe((await stat(join(dir, 'a', f.name))).size);
      expect(f.chars).toBeGreaterThan(0);
      const p = await openParquet(join(dir, 'a', f.name));
      await p.close();
      expect(p.metadata.row_groups.every((g) => Number(g.num_rows) <= 4)).toBe(true);
      expect(p.metadata.key_value_metadata).toContainEqual({ key: 'apollo.lang', value: 'en' });
      for await (const row of readParquetRows(join(dir, 'a', f.name))) back.push(rowToDoc(row));
    }
    expect(back).toEqual(docs);
  });

  it('closes row groups at the file size cap too, so files stay under it whatever the row count', async () => {
    const rows = fixtureDocs(10)
      .filter((d) => d.lang === 'en' && d.kind === 'qa')
      .map((d) => docToRow(d));
    const cap = 8000;
    const writer = new ShardWriter(join(dir, 'c'), 'SNAPPY', { rowGroupSize: 1000, rowGroupMaxBytes: 1 << 30, shardMaxBytes: cap });
    for (const r of rows) await writer.write(r);
    const files = await writer.close();
    expect(files.length).toBeGreaterThan(2);
    expect(files.reduce((n, f) => n + f.rows, 0)).toBe(rows.length);
    for (const f of files) {
      const last = f.rowGroups.at(-1)!;
      if (f.rowGroups.length > 1) expect(last.offset + last.bytes).toBeLessThanOrEqual(cap);
    }
  });

  it('closes a row group early once its rows pass the byte cap', async () => {
    const rows = fixtureDocs(6)
      .filter((d) => d.source === 'book')
      .map((d) => docToRow(d));
    const writer = new ShardWriter(join(dir, 'b'), 'GZIP', { rowGroupSize: 1000, rowGroupMaxBytes: 1, shardMaxBytes: 1 << 30 });
    for (const r of rows) await writer.write(r);
    const [file] = await writer.close();
    const p = await openParquet(join(dir, 'b', file!.name));
    await p.close();
    expect(p.metadata.row_groups.map((g) => Number(g.num_rows))).toEqual(rows.map(() => 1));
  });
});

describe('token estimates', () => {
  it('counts code points and divides by the language rate', () => {
    expect(countChars('héllo')).toBe(5);
    expect(countChars('𝛼β')).toBe(2); // one astral character (a surrogate pair) and one BMP
    expect(estimateTokens(10, 'en')).toBe(3);
    expect(estimateTokens(3, 'zh')).toBe(2);
    expect(estimateTokens(7, 'xx')).toBe(2);
    expect(estimateTokens(8, 'en', { en: 2 })).toBe(4);
  });
});

describe('convert configuration', () => {
  const resolve = (cli: Record<string, unknown>, section: Record<string, unknown>) =>
    resolveSettings(CONVERT_SETTINGS, { cli: (k) => cli[k], section, sectionPath: 'stages.convert', file: 'p.json' });

  it('takes the command line over the pipeline section over the defaults', () => {
    const c = resolve({ rowGroupSize: '10' }, { rowGroupSize: 20, shardMaxBytes: 1000, charsPerToken: { hi: 2 } });
    expect(c.rowGroupSize).toBe(10);
    expect(c.shardMaxBytes).toBe(1000);
    expect(c.compression).toBe('SNAPPY');
    expect(c.charsPerToken).toMatchObject({ hi: 2, en: 4 });
    expect(resolve({}, {})).toEqual(DEFAULT_CONVERT_CONFIG);
  });

  it('rejects bad settings with the file and setting named', () => {
    expect(() => resolve({}, { shardMaxBytes: -1 })).toThrow(/^p\.json: stages\.convert\.shardMaxBytes: must be an integer >= 1, got -1$/);
    expect(() => resolve({}, { compression: 'ZSTD' })).toThrow(/stages\.convert\.compression: must be one of UNCOMPRESSED, SNAPPY, GZIP|stages\.convert\.compression: must be one of/);
    expect(() => resolve({}, { shardSize: 5 })).toThrow(/unknown key "shardSize"/);
    expect(() => resolve({}, { charsPerToken: { en: 0 } })).toThrow(/stages\.convert\.charsPerToken: must be an object of numbers > 0.*at en/);
    expect(() => resolve({ compression: 'LZ4' }, {})).toThrow(/^--compression: must be one of/);
  });
});

describe('sizeCategory', () => {
  it('uses the Hugging Face size buckets', () => {
    expect(sizeCategory(999)).toBe('n<1K');
    expect(sizeCategory(1000)).toBe('1K<n<10K');
    expect(sizeCategory(2_500_000)).toBe('1M<n<10M');
  });
});
