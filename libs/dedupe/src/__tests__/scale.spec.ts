import { mkdtemp, open, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStage, silentLogger, verifyStage, type StageOptions } from '@apollo/stage';
import type { SpaceMeta } from '../buckets-phase';
import { clusterDocuments } from '../cluster';
import { DEFAULT_DEDUPE_CONFIG } from '../config';
import { DocTableBuilder, idOf } from '../doc-table';
import type { DuplicateRecord } from '../duplicates-file';
import { sourceRanks } from '../keep-policy';
import { DedupeLayout, keySpaces } from '../layout';
import { RUN_HEADER_BYTES } from '../run-file';
import { readRunsManifest } from '../runs-manifest';
import { readSignatureFile } from '../signature-file';
import { dedupeStage } from '../stage';
import { syntheticCorpus, writeDocFiles } from './fixtures/corpus';

const base = (opts: Partial<StageOptions>): StageOptions => ({ output: '', workers: 1, quiet: true, ...opts });
const SPACES = keySpaces(DEFAULT_DEDUPE_CONFIG.bands);

async function decisions(out: string): Promise<string> {
  return readFile(new DedupeLayout(out).duplicatesFile(), 'utf8');
}

/** The in-memory clustering of the same signature files: the reference the external path must match. */
async function inMemoryDecisions(out: string, worldSize: number): Promise<string[]> {
  const layout = new DedupeLayout(out);
  const b = new DocTableBuilder(112, sourceRanks(DEFAULT_DEDUPE_CONFIG.sourcePriority));
  for (let r = 0; r < worldSize; r++) for await (const rec of readSignatureFile(layout.signatureFile(r))) b.add(rec);
  const t = b.build();
  const d = DEFAULT_DEDUPE_CONFIG;
  const c = clusterDocuments(t, { bands: d.bands, rows: d.rows, threshold: d.threshold, exactOnly: false, short: { shortChars: d.shortChars, shortRows: d.shortRows, shortThreshold: d.shortThreshold } });
  const lines: string[] = [];
  for (let i = 0; i < t.count; i++) if (c.keptOf[i] !== i) lines.push(`${t.rank[i]}/${t.ordinal[i]} ${idOf(t, i)} -> ${idOf(t, c.keptOf[i]!)}`);
  return lines;
}

describe('dedupe beyond memory', () => {
  let dir: string;
  let inputs: string[];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dedupe-scale-'));
    inputs = await writeDocFiles(dir, syntheticCorpus(20, 2, 11));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('gives the same clusters under a memory cap far below the corpus size as unbounded, and as the in-memory clustering', async () => {
    const free = join(dir, 'free');
    const capped = join(dir, 'capped');
    await runStage(dedupeStage, base({ input: inputs, output: free }), undefined, silentLogger);
    // 40 KB for 15 key spaces: 64-entry sort buffers (the floor), and merges of 2 runs per pass.
    await runStage(dedupeStage, base({ input: inputs, output: capped, memoryMb: 0.04 }), undefined, silentLogger);
    expect((await verifyStage(capped)).problems).toEqual([]);

    const manifest = await readRunsManifest(new DedupeLayout(capped), 0);
    expect(manifest.spaces['band-00']!.length).toBeGreaterThanOrEqual(2);
    const meta = JSON.parse(await readFile(new DedupeLayout(capped).spaceMeta('band-03'), 'utf8')) as SpaceMeta;
    expect(meta.mergePasses).toBeGreaterThan(1);
    expect((await readRunsManifest(new DedupeLayout(free), 0)).spaces['band-00']).toHaveLength(1);

    const got = await decisions(capped);
    expect(got).toBe(await decisions(free));
    const records = got.split('\n').filter(Boolean).map((l) => JSON.parse(l) as DuplicateRecord);
    // The planted copies and variants (4 per language) at the least.
    expect(records.length).toBeGreaterThanOrEqual(24);
    expect(records.map((r) => `${r.rank}/${r.ordinal} ${r.id} -> ${r.keptId}`)).toEqual(await inMemoryDecisions(capped, 2));
  });

  it('resumes an interrupted buckets phase from the per-space markers with the same result, redoing only unfinished spaces', async () => {
    const out = join(dir, 'resume');
    const opts = base({ input: inputs, output: out, memoryMb: 0.04 });
    await runStage(dedupeStage, opts, undefined, silentLogger);
    const before = await decisions(out);
    const layout = new DedupeLayout(out);
    // An interruption inside space band-05: its edges were being written, no meta yet, and the
    // phase markers were never written.
    await rm(layout.spaceMeta('band-05'));
    const fh = await open(layout.edgesFile('band-05'), 'r+');
    await fh.truncate(RUN_HEADER_BYTES);
    await fh.close();
    for (const p of ['buckets/completions', 'cluster/completions', 'completions', 'docs', 'rejects', 'stats', 'clusters']) await rm(join(out, p), { recursive: true, force: true });
    const untouched = (await stat(layout.spaceMeta('band-06'))).mtimeMs;
    await runStage(dedupeStage, opts, undefined, silentLogger);
    expect(await decisions(out)).toBe(before);
    expect((await stat(layout.spaceMeta('band-06'))).mtimeMs).toBe(untouched);
    expect(JSON.parse(await readFile(layout.spaceMeta('band-05'), 'utf8')).edges).toBeGreaterThanOrEqual(0);
    expect((await verifyStage(out)).problems).toEqual([]);
  });

  it('names a corrupt or truncated run file, and works again once its signatures task is rerun', async () => {
    const out = join(dir, 'corrupt');
    const opts = base({ input: inputs, output: out, memoryMb: 0.04 });
    await runStage(dedupeStage, { ...opts, phase: 'signatures' }, undefined, silentLogger);
    const layout = new DedupeLayout(out);
    const runs = (await readdir(layout.runsDir('band-02'))).filter((n) => n.startsWith('00001-')).sort();
    const victim = join(layout.runsDir('band-02'), runs[1]!);
    const fh = await open(victim, 'r+');
    await fh.write(Buffer.from([0xab, 0xcd]), 0, 2, RUN_HEADER_BYTES + 60);
    await fh.close();
    await expect(runStage(dedupeStage, { ...opts, phase: 'buckets' }, undefined, silentLogger)).rejects.toThrow(`${victim}: bad run file: checksum mismatch`);

    // band-00 was finished before the failure (and is kept); band-01 (task 1) was not started,
    // and the cluster phase reaches it before band-02. A truncated file is caught before merging.
    const other = join(layout.runsDir('band-01'), (await readdir(layout.runsDir('band-01'))).filter((n) => n.startsWith('00000-')).sort()[0]!);
    const fh2 = await open(other, 'r+');
    await fh2.truncate(RUN_HEADER_BYTES + 54 * 3);
    await fh2.close();
    await expect(runStage(dedupeStage, { ...opts, phase: 'cluster' }, undefined, silentLogger)).rejects.toThrow(`${other}: bad run file: truncated`);

    // Rerun both signatures tasks (delete their markers), then everything else.
    await rm(join(out, 'signatures', 'completions'), { recursive: true });
    await runStage(dedupeStage, opts, undefined, silentLogger);
    expect(await decisions(out)).toBe(await decisions(join(dir, 'free')));
    expect(SPACES).toHaveLength(15);
  });
});
