import { appendFile, copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetReadObjects } from 'hyparquet';
import type { Doc } from '@apollo/document';
import { runStage, silentLogger, StageLayout, type PipelineFile } from '@apollo/stage';
import { sha256File } from '../finalize';
import type { Manifest } from '../manifest';
import { openParquet, readParquetRows } from '../read';
import { docToRow, rowToDoc } from '../row';
import { SHARD_COLUMN_NAMES } from '../schema';
import { convertStage } from '../stage';
import { countChars, DEFAULT_CHARS_PER_TOKEN, estimateTokens } from '../tokens';
import { verifyShards } from '../verify';
import { fixtureDocs, tempDir, writeDocFiles, plainRow } from './fixtures';

const pipeline = (extra: Record<string, unknown> = {}): PipelineFile => ({
  stages: { convert: { rowGroupSize: 3, shardMaxBytes: 6000, ...extra } },
});

async function convert(input: string[], output: string, extra: Record<string, unknown> = {}, more: Record<string, unknown> = {}) {
  return runStage(convertStage, { input, output, workers: 1, worldSize: input.length, quiet: true, ...more }, pipeline(extra), silentLogger);
}

async function readManifest(out: string): Promise<Manifest> {
  return JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as Manifest;
}

async function allRows(out: string, manifest: Manifest): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for (const s of manifest.shards) for await (const row of readParquetRows(join(out, s.path))) rows.push(row);
  return rows;
}


describe('convert stage', () => {
  let dir: string;
  let out: string;
  let docs: Doc[];
  let manifest: Manifest;

  beforeAll(async () => {
    dir = await tempDir('convert');
    docs = fixtureDocs(8);
    const bad: Doc[] = [
      { ...docs[0]!, id: 'a'.repeat(32), lang: 'de' },
      { ...docs[1]!, id: 'b'.repeat(32), lang: undefined },
    ];
    const files = await writeDocFiles(join(dir, 'in'), [...docs, ...bad], 3);
    out = join(dir, 'out');
    const outcome = await convert(files, out);
    expect(outcome.exitCode).toBe(0);
    manifest = await readManifest(out);
  });

  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes the same shards from a .jsonl.gz file and a .json array as from JSON lines', async () => {
    const files = await writeDocFiles(join(dir, 'plain-in'), docs, 3);
    const packed = join(dir, 'packed-in');
    await mkdir(packed, { recursive: true });
    const inputs = [join(packed, 'a.jsonl.gz'), join(packed, 'b.json'), join(packed, 'c.jsonl')];
    await writeFile(inputs[0]!, gzipSync(await readFile(files[0]!)));
    const arrayDocs = (await readFile(files[1]!, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Doc);
    await writeFile(inputs[1]!, JSON.stringify(arrayDocs, null, 2));
    await copyFile(files[2]!, inputs[2]!);
    await convert(files, join(dir, 'plain-out'));
    await convert(inputs, join(dir, 'packed-out'));
    const a = await readManifest(join(dir, 'plain-out'));
    const b = await readManifest(join(dir, 'packed-out'));
    expect(b.totals.documents).toBe(docs.length);
    // The rows are the same (their provenance names the files they were read from).
    const strip = (rows: Record<string, unknown>[]) => rows.map(({ file: _f, line: _l, record: _r, ...rest }) => rest);
    expect(strip(await allRows(join(dir, 'packed-out'), b))).toEqual(strip(await allRows(join(dir, 'plain-out'), a)));
  });

  it('keeps every document in a supported language and drops the others with a reason', async () => {
    const stats = await Promise.all([0, 1, 2].map(async (r) => JSON.parse(await readFile(new StageLayout(out).statsFile('write', true, r), 'utf8'))));
    const dropped: Record<string, number> = {};
    for (const s of stats) for (const [k, v] of Object.entries(s.dropped as Record<string, number>)) dropped[k] = (dropped[k] ?? 0) + v;
    expect(dropped).toEqual({ unsupported_lang: 1, no_lang: 1 });
    expect(manifest.totals.documents).toBe(docs.length);
  });

  it('writes shards that hyparquet reads back as the input documents, column by column', async () => {
    const rows = await allRows(out, manifest);
    expect(rows).toHaveLength(docs.length);
    const byId = new Map(docs.map((d) => [d.id, d]));
    for (const row of rows) {
      const want = byId.get(String(row.id))!;
      expect(rowToDoc(row)).toEqual(want);
      expect(plainRow(row)).toEqual(docToRow(want));
    }
    expect(new Set(rows.map((r) => r.id)).size).toBe(docs.length);
    const p = await openParquet(join(out, manifest.shards[0]!.path));
    await p.close();
    const top = p.metadata.schema.filter((e, i) => i > 0 && !['list', 'element'].includes(e.name));
    expect(top.map((e) => e.name)).toEqual(SHARD_COLUMN_NAMES);
  });

  it('writes shards that DuckDB reads with the same rows and the declared column types', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    try {
      const files = manifest.shards.map((s) => `'${join(out, s.path)}'`).join(', ');
      const reader = await con.runAndReadAll(`SELECT * FROM read_parquet([${files}])`);
      expect(reader.columnNames()).toEqual(SHARD_COLUMN_NAMES);
      const types = Object.fromEntries(reader.columnNames().map((n, i) => [n, String(reader.columnTypes()[i])]));
      expect(types).toMatchObject({ id: 'VARCHAR', lang_score: 'DOUBLE', turns: 'VARCHAR[]', line: 'BIGINT', char_count: 'BIGINT', meta: 'VARCHAR' });
      const rows = reader.getRowObjectsJS() as Record<string, unknown>[];
      const byId = new Map(docs.map((d) => [d.id, d]));
      expect(rows).toHaveLength(docs.length);
      for (const row of rows) expect(plainRow(row)).toEqual(docToRow(byId.get(String(row.id))!));
      const text = await con.runAndReadAll(`SELECT count(*) AS n FROM read_parquet([${files}]) WHERE kind = 'text' AND turns IS NULL`);
      expect(Number((text.getRowObjectsJS()[0] as { n: bigint }).n)).toBe(docs.filter((d) => d.kind === 'text').length);
    } finally {
      con.closeSync();
      db.closeSync();
    }
  });

  it('lays shards out as data/<lang>/<source>_<kind>/train-i-of-n, rotated at the size cap', async () => {
    const groups = new Map<string, string[]>();
    for (const s of manifest.shards) {
      const folder = s.path.slice(0, s.path.lastIndexOf('/'));
      expect(folder).toBe(`data/${s.lang}/${s.source}_${s.kind}`);
      groups.set(folder, [...(groups.get(folder) ?? []), s.path.slice(folder.length + 1)]);
    }
    for (const [folder, names] of groups) {
      const n = names.length;
      expect(names).toEqual(names.map((_, i) => `train-${String(i).padStart(5, '0')}-of-${String(n).padStart(5, '0')}.parquet`));
      expect((await readdir(join(out, folder))).sort()).toEqual([...names].sort());
    }
    // 3 tasks; the en book QA records (about 1-3 KB each) outgrow the 6,000-byte cap inside a task.
    expect(groups.get('data/en/book_qa')!.length).toBeGreaterThan(3);
    for (const s of manifest.shards) {
      // Cap plus the footer and the row that crossed it.
      expect(s.bytes).toBeLessThan(6000 + 8000);
      const p = await openParquet(join(out, s.path));
      await p.close();
      for (const g of p.metadata.row_groups) expect(Number(g.num_rows)).toBeLessThanOrEqual(3);
    }
    expect(await stat(join(out, 'parts')).catch(() => undefined)).toBeUndefined();
  });

  it('stores no min/max statistics for text columns, only for numbers', async () => {
    const p = await openParquet(join(out, manifest.shards[0]!.path));
    await p.close();
    for (const chunk of p.metadata.row_groups[0]!.columns) {
      const name = chunk.meta_data!.path_in_schema[0]!;
      const stats = chunk.meta_data!.statistics;
      if (['line', 'record', 'char_count', 'token_count', 'lang_score'].includes(name)) expect(stats).toBeDefined();
      else expect(stats?.max_value ?? stats?.max).toBeUndefined();
    }
  });

  it('writes a manifest whose checksums and totals match the shards and the documents', async () => {
    for (const s of manifest.shards) {
      expect(s.sha256).toBe(await sha256File(join(out, s.path)));
      expect(s.bytes).toBe((await stat(join(out, s.path))).size);
    }
    const expected: Record<string, { documents: number; characters: number; tokens: number }> = {};
    for (const d of docs) {
      const t = (expected[d.lang!] ??= { documents: 0, characters: 0, tokens: 0 });
      const chars = countChars(d.text);
      t.documents++;
      t.characters += chars;
      t.tokens += estimateTokens(chars, d.lang!, DEFAULT_CHARS_PER_TOKEN);
    }
    expect(manifest.totals.byLanguage).toEqual(expected);
    expect(Object.keys(manifest.totals.byLanguage)).toEqual(['ar', 'en', 'es', 'fr', 'hi', 'zh']);
    expect(manifest.totals.bySource.exam!.documents).toBe(32);
    const group = manifest.totals.byGroup.find((g) => g.path === 'en/guideline_text')!;
    expect(group.documents).toBe(8);
    expect(group.shards).toBe(manifest.shards.filter((s) => s.path.startsWith('data/en/guideline_text/')).length);
    expect(manifest.schema.map((c) => c.name)).toEqual(SHARD_COLUMN_NAMES);
    expect(manifest.created.tasks).toBe(3);
  });

  it('writes a dataset card with a config per language, source and folder', async () => {
    const card = await readFile(join(out, 'README.md'), 'utf8');
    const front = card.split('---\n')[1]!;
    expect(front).toContain('- config_name: all\n  default: true\n  data_files:\n  - split: train\n    path: "data/*/*/*.parquet"');
    expect(front).toContain('- config_name: hi\n  data_files:\n  - split: train\n    path: "data/hi/*/*.parquet"');
    expect(front).toContain('- config_name: exam\n');
    expect(front).toContain('path: "data/zh/paper_qa/*.parquet"');
    expect(card).toContain(`| en | guideline | text | 8 |`);
  });

  it('passes verifyShards, which catches a tampered shard and an unlisted file', async () => {
    const clean = await verifyShards(out);
    expect(clean.problems).toEqual([]);
    expect(clean.rows).toBe(docs.length);
    const victim = join(out, manifest.shards[1]!.path);
    const original = await readFile(victim);
    const tampered = Buffer.from(original);
    tampered[10] = tampered[10]! ^ 0xff;
    await writeFile(victim, tampered);
    await copyFile(join(out, manifest.shards[0]!.path), join(out, 'data', 'en', 'stray.parquet'));
    try {
      const report = await verifyShards(out);
      expect(report.ok).toBe(false);
      expect(report.problems.some((p) => p.startsWith(manifest.shards[1]!.path) && p.includes('sha256'))).toBe(true);
      expect(report.problems).toContain('data/en/stray.parquet: Parquet file not listed in the manifest');
    } finally {
      await writeFile(victim, original);
      await rm(join(out, 'data', 'en', 'stray.parquet'));
    }
    await appendFile(victim, 'x');
    try {
      const report = await verifyShards(out);
      expect(report.problems.some((p) => p.includes('bytes, manifest says'))).toBe(true);
    } finally {
      await writeFile(victim, original);
    }
    expect((await verifyShards(out)).ok).toBe(true);
  });

  it('finalize is idempotent and finishes a crashed attempt with the same result', async () => {
    const before = { manifest: await readFile(join(out, 'manifest.json'), 'utf8'), card: await readFile(join(out, 'README.md'), 'utf8') };
    const layout = new StageLayout(out);
    const inputs = (JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as { inputs: string[] }).inputs;
    // A rerun once finished: nothing to do, nothing changes.
    const again = await convert(inputs, out);
    expect(again.phases.every((p) => p.ran.length === 0)).toBe(true);
    // A crash halfway through the renames: some shards back at their part paths, no manifest, no
    // marker (joined shards: join.spec.ts).
    const plan = JSON.parse(await readFile(join(out, 'finalize', 'plan.json'), 'utf8')) as { shards: { from?: string; to: string }[] };
    const renamed = plan.shards.filter((s): s is { from: string; to: string } => s.from !== undefined);
    expect(renamed.length).toBeGreaterThan(2);
    for (const s of renamed.slice(0, Math.ceil(renamed.length / 2))) {
      await mkdir(join(out, s.from, '..'), { recursive: true });
      await rename(join(out, s.to), join(out, s.from));
    }
    await rm(join(out, 'manifest.json'));
    await rm(join(out, 'README.md'));
    await rm(layout.completionFile('finalize', false, 0));
    const rerun = await convert(inputs, out);
    expect(rerun.exitCode).toBe(0);
    expect(rerun.phases.map((p) => [p.phase, p.ran.length])).toEqual([
      ['write', 0],
      ['finalize', 1],
    ]);
    expect(await readFile(join(out, 'manifest.json'), 'utf8')).toBe(before.manifest);
    expect(await readFile(join(out, 'README.md'), 'utf8')).toBe(before.card);
    expect((await verifyShards(out)).ok).toBe(true);
  });
});

describe('convert stage after an interrupted write task', () => {
  it('redoes the task from scratch without duplicate rows or leftover parts', async () => {
    const dir = await tempDir('resume');
    try {
      const docs = fixtureDocs(3);
      const files = await writeDocFiles(join(dir, 'in'), docs, 3);
      const out = join(dir, 'out');
      // Task 2 committed its parts but died before its completion marker; task 1 died mid-write.
      expect((await convert(files, out, {}, { rank: 2 })).exitCode).toBe(0);
      await rm(new StageLayout(out).completionFile('write', true, 2));
      const committed = await readdir(join(out, 'parts', '00002'));
      expect(committed).toContain('index.json');
      const leftover = join(out, 'parts', '00001.tmp-999-abcdef', 'en', 'book_qa');
      await mkdir(leftover, { recursive: true });
      await writeFile(join(leftover, 'part-00000.parquet'), 'PAR1 half a file');

      const outcome = await convert(files, out);
      expect(outcome.exitCode).toBe(0);
      expect(outcome.phases[0]!.ran.map((s) => s.rank)).toEqual([0, 1, 2]);
      const manifest = await readManifest(out);
      const rows = await allRows(out, manifest);
      expect(rows).toHaveLength(docs.length);
      expect(new Set(rows.map((r) => r.id)).size).toBe(docs.length);
      expect(await stat(join(out, 'parts')).catch(() => undefined)).toBeUndefined();
      expect((await verifyShards(out)).problems).toEqual([]);
      // The reader and the manifest agree on the row count of every shard.
      for (const s of manifest.shards) {
        const p = await openParquet(join(out, s.path));
        const objects = await parquetReadObjects({ file: p.file, metadata: p.metadata, columns: ['id'] });
        await p.close();
        expect(objects).toHaveLength(s.rows);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
