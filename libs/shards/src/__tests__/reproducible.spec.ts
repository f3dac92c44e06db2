import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Doc } from '@apollo/document';
import { runStage, silentLogger, type PipelineFile } from '@apollo/stage';
import type { Manifest } from '../manifest';
import { openParquet, readParquetRows } from '../read';
import { PARQUET_WRITER_NAME } from '../parquet/file-writer';
import { SHARD_COLUMN_NAMES } from '../schema';
import { sha256File } from '../sha256';
import { convertStage } from '../stage';
import { verifyShards } from '../verify';
import { fixtureDocs, plainRow, tempDir, writeDocFiles } from './fixtures';

const pipeline: PipelineFile = { stages: { convert: { rowGroupSize: 3, shardMaxBytes: 6000, apolloFormat: true } } };

function convert(input: string[], output: string, cli: Record<string, unknown> = {}) {
  return runStage(convertStage, { input, output, workers: 1, worldSize: input.length, quiet: true, ...cli }, pipeline, silentLogger);
}

async function manifestOf(out: string): Promise<Manifest> {
  return JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as Manifest;
}

/** sha256 of every data file of a convert output folder (shards, manifest, card, Apollo JSON), by relative path. */
async function dataFiles(out: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const top of ['data', 'apollo']) {
    for (const e of await readdir(join(out, top), { withFileTypes: true, recursive: true })) {
      if (e.isFile()) files[relative(out, join(e.parentPath, e.name))] = await sha256File(join(e.parentPath, e.name));
    }
  }
  for (const name of ['manifest.json', 'README.md']) files[name] = await sha256File(join(out, name));
  return files;
}

describe('convert outputs are a function of the documents and the configuration', () => {
  let dir: string;
  let docs: Doc[];

  beforeAll(async () => {
    dir = await tempDir('reproducible');
    docs = fixtureDocs(6);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('two runs give byte-identical shards, manifest, card and Apollo files, even when the documents carry different createdAt times', async () => {
    // As a crawl that stamps its own start time would hand them over: same documents, other times.
    const stamped = (time: string) => docs.map((d) => ({ ...d, createdAt: time }));
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    expect((await convert(await writeDocFiles(join(dir, 'in-a'), stamped('2025-01-01T00:00:00.000Z'), 3), a)).exitCode).toBe(0);
    expect((await convert(await writeDocFiles(join(dir, 'in-b'), stamped('2026-02-02T12:34:56.789Z'), 3), b)).exitCode).toBe(0);

    const filesA = await dataFiles(a);
    expect(Object.keys(filesA).filter((f) => f.endsWith('.parquet')).length).toBeGreaterThan(5);
    expect(Object.keys(filesA).filter((f) => f.startsWith('apollo/')).length).toBeGreaterThan(0);
    expect(await dataFiles(b)).toEqual(filesA);
    expect(await readFile(join(b, 'manifest.json'), 'utf8')).toBe(await readFile(join(a, 'manifest.json'), 'utf8'));

    // The run's times are in its run records.
    const run = JSON.parse(await readFile(join(a, 'run.json'), 'utf8')) as { startedAt: string };
    expect(Number.isNaN(Date.parse(run.startedAt))).toBe(false);
    const manifest = await readFile(join(a, 'manifest.json'), 'utf8');
    const card = await readFile(join(a, 'README.md'), 'utf8');
    for (const text of [manifest, card]) {
      expect(text).not.toContain(run.startedAt);
      expect(text).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
    }
  });

  it('writes no time into a shard: no created_at column, footer metadata of the group only, a fixed created_by', async () => {
    const out = join(dir, 'a');
    const m = await manifestOf(out);
    expect(m.schema.map((c) => c.name)).not.toContain('created_at');
    for (const s of m.shards) {
      const p = await openParquet(join(out, s.path));
      await p.close();
      expect(p.metadata.created_by).toBe(PARQUET_WRITER_NAME);
      expect(Object.fromEntries((p.metadata.key_value_metadata ?? []).map((kv) => [kv.key, kv.value]))).toEqual({
        'apollo.lang': s.lang,
        'apollo.source': s.source,
        'apollo.kind': s.kind,
      });
      const top = p.metadata.schema.filter((e, i) => i > 0 && !['list', 'element'].includes(e.name)).map((e) => e.name);
      expect(top).toEqual(SHARD_COLUMN_NAMES);
    }
    // A document's fetch time is data and stays.
    const guideline = m.shards.find((s) => s.source === 'guideline')!;
    for await (const row of readParquetRows(join(out, guideline.path))) expect(row.fetched_at).toBe('2024-03-01T08:30:00.000Z');
  });

  it('carries a base version whose shards have the created_at column of earlier versions, without it', async () => {
    // Rewrite the base's shards as the earlier schema had them: a created_at column after source_id.
    const base = join(dir, 'old-base');
    expect((await convert(await writeDocFiles(join(dir, 'in-base'), docs, 2), base)).exitCode).toBe(0);
    const manifest = await manifestOf(base);
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    try {
      for (const s of manifest.shards) {
        const path = join(base, s.path);
        const old = `${path}.old.parquet`;
        await con.run(
          `COPY (SELECT * EXCLUDE (fetched_at, char_count, token_count, meta), '2024-03-05T10:00:00.000Z' AS created_at, fetched_at, char_count, token_count, meta ` +
            `FROM read_parquet('${path}')) TO '${old}' (FORMAT parquet)`,
        );
        await rm(path);
        await writeFile(path, await readFile(old));
        await rm(old);
        s.bytes = (await stat(path)).size;
        s.sha256 = await sha256File(path);
      }
    } finally {
      con.closeSync();
      db.closeSync();
    }
    await writeFile(join(base, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    const first = manifest.shards[0]!;
    let withColumn: Record<string, unknown> | undefined;
    for await (const row of readParquetRows(join(base, first.path))) withColumn ??= row;
    expect(withColumn?.created_at).toBe('2024-03-05T10:00:00.000Z');

    const empty = join(dir, 'none.jsonl');
    await writeFile(empty, '');
    const out = join(dir, 'carried');
    expect((await convert([empty], out, { base })).exitCode).toBe(0);
    expect((await manifestOf(out)).version).toMatchObject({ number: 2, carried: docs.length, added: 0, removed: 0 });
    expect((await verifyShards(out)).problems).toEqual([]);
    const rows = new Map<string, Record<string, unknown>>();
    for (const s of (await manifestOf(out)).shards) for await (const r of readParquetRows(join(out, s.path))) rows.set(String(r.id), plainRow(r));
    expect(rows.size).toBe(docs.length);
    for (const s of manifest.shards) {
      for await (const r of readParquetRows(join(base, s.path))) {
        const { created_at: _created, ...rest } = plainRow(r);
        expect(rows.get(String(r.id))).toEqual(rest);
      }
    }
  });
});
