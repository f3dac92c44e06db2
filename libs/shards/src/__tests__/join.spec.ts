import { cp, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Doc } from '@apollo/document';
import { runStage, silentLogger, type PipelineFile } from '@apollo/stage';
import type { FinalizePlan } from '../finalize';
import { planShards } from '../finalize';
import { cutGroup, joinPieces } from '../join';
import { CopyBuffers } from '../parquet/file-writer';
import { ConvertLayout } from '../layout';
import type { Manifest } from '../manifest';
import type { PartsIndex } from '../parquet-sink';
import { openParquet, readParquetRows } from '../read';
import { docToRow } from '../row';
import { ShardWriter, type ShardRowGroup } from '../shard-writer';
import { convertStage } from '../stage';
import { verifyShards } from '../verify';
import { fixtureDocs, tempDir, writeDocFiles } from './fixtures';

/** A synthetic row group of `bytes` bytes at `offset` (only what the cutting looks at is real). */
function rg(offset: number, bytes: number, rows = 1): ShardRowGroup {
  return { offset, bytes, rows, uncompressedBytes: bytes, codec: 1, columns: [], chars: rows * 10, tokens: rows * 3 };
}

/** Row groups back to back from byte 4 (after the magic). */
function rowGroups(...sizes: number[]): ShardRowGroup[] {
  let offset = 4;
  return sizes.map((s) => {
    const g = rg(offset, s);
    offset += s;
    return g;
  });
}

describe('cutGroup', () => {
  it('fills each shard with row groups across parts and closes it before the one that would pass the cap', () => {
    const parts = [
      { from: 'parts/00000/a.parquet', rowGroups: rowGroups(100, 50) },
      { from: 'parts/00001/a.parquet', rowGroups: rowGroups(30, 100, 20) },
    ];
    const shards = cutGroup(parts, 204);
    expect(shards.map((s) => s.pieces)).toEqual([
      [
        { from: 'parts/00000/a.parquet', rowGroups: [0, 2] },
        { from: 'parts/00001/a.parquet', rowGroups: [0, 1] },
      ],
      [{ from: 'parts/00001/a.parquet', rowGroups: [1, 3] }],
    ]);
    expect(shards.map((s) => [s.rows, s.characters, s.tokens])).toEqual([
      [3, 30, 9],
      [2, 20, 6],
    ]);
    // A row group larger than the cap gets a shard of its own; nothing is ever dropped.
    const big = cutGroup([{ from: 'p', rowGroups: rowGroups(10, 500, 10) }], 100);
    expect(big.map((s) => s.pieces[0]!.rowGroups)).toEqual([[0, 1], [1, 2], [2, 3]]);
  });

  it("gives back one task's files as they are: the writer cuts by the same rule", async () => {
    const dir = await tempDir('cut');
    try {
      const rows = fixtureDocs(10)
        .filter((d) => d.lang === 'en' && d.kind === 'qa')
        .map((d) => docToRow(d));
      const writer = new ShardWriter(join(dir, 'g'), 'SNAPPY', { rowGroupSize: 3, rowGroupMaxBytes: 1 << 30, shardMaxBytes: 9000 });
      for (const r of rows) await writer.write(r);
      const files = await writer.close();
      expect(files.length).toBeGreaterThan(2);
      const index: PartsIndex = {
        rank: 0,
        rows: rows.length,
        parts: files.map((f) => ({ group: { lang: 'en', source: 'book', kind: 'qa' }, file: f.name, rows: f.rows, bytes: f.bytes, chars: f.chars, tokens: f.tokens, sha256: f.sha256, rowGroups: f.rowGroups })),
      };
      const plan = planShards([index], new ConvertLayout(dir), 9000);
      expect(plan.map((s) => s.from)).toEqual(files.map((f) => `parts/00000/${f.name}`));
      expect(plan.every((s) => s.pieces === undefined && s.sha256 !== undefined)).toBe(true);
      for (const f of files) {
        const path = join(dir, 'g', f.name);
        expect((await stat(path)).size).toBe(f.bytes);
        // A file joined from all of a part's row groups is that part, byte for byte (copied
        // through buffers smaller than a row group, so in many chunks).
        const copy = join(dir, `copy-${f.name}`);
        const closed = await joinPieces(copy, [{ source: { path, bytes: f.bytes, rowGroups: f.rowGroups }, rowGroups: [0, f.rowGroups.length] }], {}, new CopyBuffers(700));
        expect(await readFile(copy)).toEqual(await readFile(path));
        expect(closed).toEqual({ rows: f.rows, bytes: f.bytes, sha256: f.sha256 });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

const pipeline = (section: Record<string, unknown>): PipelineFile => ({ stages: { convert: section } });

async function manifestOf(out: string): Promise<Manifest> {
  return JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as Manifest;
}

/** Every row of every group, in shard order, int64 as numbers. */
async function rowsByGroup(out: string): Promise<Map<string, unknown[]>> {
  const groups = new Map<string, unknown[]>();
  for (const s of (await manifestOf(out)).shards) {
    const key = `${s.lang}/${s.source}_${s.kind}`;
    const rows = groups.get(key) ?? [];
    for await (const r of readParquetRows(join(out, s.path))) rows.push(JSON.parse(JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))));
    groups.set(key, rows);
  }
  return groups;
}

/**
 * Checks that each group is cut as one task cuts it: every shard but a group's last would pass
 * the cap with the next shard's first row group, and none passes it unless it is one row group.
 */
async function expectCutAtTheCap(out: string, cap: number): Promise<void> {
  const shards = (await manifestOf(out)).shards;
  const sizes: { group: string; dataBytes: number; firstRowGroup: number; rowGroups: number }[] = [];
  for (const s of shards) {
    const p = await openParquet(join(out, s.path));
    await p.close();
    const groups = p.metadata.row_groups.map((g) => Number(g.total_compressed_size));
    sizes.push({ group: `${s.lang}/${s.source}_${s.kind}`, dataBytes: groups.reduce((n, b) => n + b, 4), firstRowGroup: groups[0]!, rowGroups: groups.length });
  }
  sizes.forEach((s, i) => {
    if (s.rowGroups > 1) expect(s.dataBytes).toBeLessThanOrEqual(cap);
    const next = sizes[i + 1];
    if (next && next.group === s.group) expect(s.dataBytes + next.firstRowGroup).toBeGreaterThan(cap);
  });
}

describe('convert with several write tasks', () => {
  let dir: string;
  let docs: Doc[];
  let files: string[];
  const run = (out: string, section: Record<string, unknown>, cli: Record<string, unknown>) =>
    runStage(convertStage, { input: files, output: out, workers: 1, quiet: true, ...cli }, pipeline(section), silentLogger);

  beforeAll(async () => {
    dir = await tempDir('join');
    docs = fixtureDocs(8);
    files = await writeDocFiles(join(dir, 'in'), docs, 6);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('joins each group into one shard under the cap, with the rows of a one-task run in the same order', async () => {
    const section = { rowGroupSize: 5 };
    const one = join(dir, 'one');
    const three = join(dir, 'three');
    expect((await run(one, section, { worldSize: 1 })).exitCode).toBe(0);
    expect((await run(three, section, { worldSize: 3 })).exitCode).toBe(0);
    const [m1, m3] = [await manifestOf(one), await manifestOf(three)];
    expect(m3.created.tasks).toBe(3);
    expect(m3.shards.map((s) => s.path)).toEqual(m1.shards.map((s) => s.path));
    expect(m3.shards.every((s) => s.path.endsWith('train-00000-of-00001.parquet'))).toBe(true);
    expect(m3.totals.documents).toBe(docs.length);
    expect({ ...m3.totals, bytes: 0 }).toEqual({ ...m1.totals, bytes: 0 });
    expect(await rowsByGroup(three)).toEqual(await rowsByGroup(one));
    // The groups were spread over the tasks: most shards were joined from several tasks' parts.
    const plan = JSON.parse(await readFile(join(three, 'finalize', 'plan.json'), 'utf8')) as FinalizePlan;
    const joined = plan.shards.filter((s) => new Set(s.pieces?.map((p) => p.from.split('/')[1])).size > 1);
    expect(joined.length).toBeGreaterThan(3);
    expect((await verifyShards(three)).problems).toEqual([]);
    expect(await stat(join(three, 'parts')).catch(() => undefined)).toBeUndefined();
    expect(await readdir(join(three, 'finalize'))).not.toContain('tmp');
  });

  it('cuts a group spread over several tasks at the cap as one task does, across part boundaries', async () => {
    const section = { rowGroupSize: 3, shardMaxBytes: 6000 };
    const one = join(dir, 'cap-one');
    const three = join(dir, 'cap-three');
    expect((await run(one, section, { worldSize: 1 })).exitCode).toBe(0);
    expect((await run(three, section, { worldSize: 3 })).exitCode).toBe(0);
    expect(await rowsByGroup(three)).toEqual(await rowsByGroup(one));
    await expectCutAtTheCap(one, 6000);
    await expectCutAtTheCap(three, 6000);
    const plan = JSON.parse(await readFile(join(three, 'finalize', 'plan.json'), 'utf8')) as FinalizePlan;
    const groups = new Set(plan.shards.map((s) => `${s.lang}/${s.source}_${s.kind}`));
    expect(plan.shards.length).toBeGreaterThan(groups.size);
    // Some shard takes the end of one task's rows and the start of the next task's.
    expect(plan.shards.some((s) => new Set(s.pieces?.map((p) => p.from.split('/')[1])).size > 1)).toBe(true);
    expect((await verifyShards(three)).problems).toEqual([]);
  });

  it('finishes a finalize that died halfway through the joins with the shards of an uninterrupted one', async () => {
    const section = { rowGroupSize: 3, shardMaxBytes: 6000 };
    const crashed = join(dir, 'crashed');
    const clean = join(dir, 'clean');
    expect((await run(crashed, section, { worldSize: 3, phase: 'write' })).exitCode).toBe(0);
    // The same write-phase output (run.json included: same run start, same footers) finalized without a failure.
    await cp(crashed, clean, { recursive: true });
    expect((await run(clean, section, { worldSize: 3 })).exitCode).toBe(0);
    const plan = JSON.parse(await readFile(join(clean, 'finalize', 'plan.json'), 'utf8')) as FinalizePlan;

    // A part that only a late shard reads disappears: finalize fails there, after earlier joins
    // have written their shards and deleted the parts they used up.
    const late = plan.shards.findLast((s) => s.pieces && s.pieces.length > 1)!;
    const victim = late.pieces![late.pieces!.length - 1]!.from;
    expect(plan.shards.indexOf(late)).toBeGreaterThan(plan.shards.length / 2);
    await mkdir(join(dir, 'aside'), { recursive: true });
    await rename(join(crashed, victim), join(dir, 'aside', 'part.parquet'));
    await expect(run(crashed, section, { worldSize: 3 })).rejects.toThrow(/ENOENT|no such file/);
    const done = plan.shards.filter((s) => s !== late && plan.shards.indexOf(s) < plan.shards.indexOf(late));
    for (const s of done) expect(await stat(join(crashed, s.to)).catch(() => undefined)).toBeDefined();
    const usedUp = done.flatMap((s) => s.pieces ?? []).map((p) => p.from).filter((f) => !late.pieces!.some((p) => p.from === f));
    expect(usedUp.length).toBeGreaterThan(0);
    for (const f of usedUp) expect(await stat(join(crashed, f)).catch(() => undefined)).toBeUndefined();

    await rename(join(dir, 'aside', 'part.parquet'), join(crashed, victim));
    const rerun = await run(crashed, section, { worldSize: 3 });
    expect(rerun.phases.map((p) => [p.phase, p.ran.length])).toEqual([
      ['write', 0],
      ['finalize', 1],
    ]);
    const [a, b] = [await manifestOf(crashed), await manifestOf(clean)];
    expect(a.shards).toEqual(b.shards);
    expect(a.totals).toEqual(b.totals);
    expect((await verifyShards(crashed)).problems).toEqual([]);
  });
});
