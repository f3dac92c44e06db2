import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { generateCorpus } from '../../bench/generate';

const repo = resolve(__dirname, '..', '..', '..');
const runner = join(repo, 'dist', 'tools', 'pipeline', 'main.js');

beforeAll(() => {
  const apps = ['crawl', 'langid', 'dedupe', 'convert'].map((a) => join(repo, 'dist', 'apps', a, 'main.js'));
  if (![runner, ...apps].every(existsSync)) {
    const built = spawnSync(process.execPath, [join(repo, 'tools', 'build', 'build.mjs')], { encoding: 'utf8' });
    if (built.status !== 0) throw new Error(built.stderr);
  }
});

function pipeline(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [runner, ...args], { cwd: repo, encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function listParquet(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith('.parquet')) out.push(join(e.parentPath, e.name));
  }
  return out.sort();
}

type Row = Record<string, unknown>;

async function readRows(file: string): Promise<Row[]> {
  const buf = await readFile(file);
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  return (await parquetReadObjects({ file: ab, compressors })) as Row[];
}

/** All rows of a finished run, keyed by shard path relative to the data folder, created_at aside. */
async function corpusRows(convertDir: string): Promise<Map<string, Row[]>> {
  const rows = new Map<string, Row[]>();
  for (const file of await listParquet(join(convertDir, 'data'))) {
    rows.set(
      file.slice(convertDir.length),
      (await readRows(file)).map(({ created_at: _created, ...rest }) => JSON.parse(JSON.stringify(rest, (_k, v) => (typeof v === 'bigint' ? Number(v) : v))) as Row),
    );
  }
  return rows;
}

describe('the corpus pipeline on the bundled samples', () => {
  let out: string;
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'pipeline-'));
  });
  afterAll(() => rm(out, { recursive: true, force: true }));

  it('builds shards for all six languages that verify and read back with the manifest counts', async () => {
    const run = pipeline(['run', '--pipeline', 'pipelines/apollo-corpus.json', '--output', out, '--quiet']);
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.status).toBe(0);
    const verify = pipeline(['verify', '--pipeline', 'pipelines/apollo-corpus.json', '--output', out]);
    expect(verify.stdout).toContain('verify: conservation law and checksums hold');
    expect(verify.status).toBe(0);

    const manifest = JSON.parse(await readFile(join(out, 'convert', 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.totals.byLanguage).sort()).toEqual(['ar', 'en', 'es', 'fr', 'hi', 'zh']);
    const files = await listParquet(join(out, 'convert', 'data'));
    expect(files.length).toBe(manifest.shards.length);
    // A corpus smaller than the shard cap gets exactly one shard per (lang, source, kind).
    expect(files.length).toBe(Object.keys(manifest.totals.byGroup).length);
    let rows = 0;
    const ids = new Set<string>();
    for (const file of files) {
      const buf = await readFile(file);
      const meta = await parquetMetadataAsync(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
      rows += Number(meta.num_rows);
      for (const r of await readRows(file)) ids.add(String(r.id));
      expect(file).toMatch(/data\/(en|zh|es|fr|ar|hi)\/[a-z]+_(text|qa)\/train-\d{5}-of-\d{5}\.parquet$/);
    }
    expect(ids.size).toBe(rows); // dedupe leaves no exact duplicate
    const dedupeDrops = JSON.parse(await readFile(join(out, 'dedupe', 'run-summary.json'), 'utf8')).phases.flatMap((p: { dropped: object }) => Object.keys(p.dropped));
    expect(dedupeDrops).toEqual(expect.arrayContaining(['exact_duplicate', 'near_duplicate', 'benchmark_contamination']));
    // The five forum posts quoting XMedBench dev items (pipelines/samples/contaminated) are found and dropped.
    const rejects = (await readdir(join(out, 'dedupe', 'rejects'))).map((f) => join(out, 'dedupe', 'rejects', f));
    const contaminated: string[] = [];
    for (const file of rejects) {
      for (const line of (await readFile(file, 'utf8')).split('\n').filter(Boolean)) {
        const r = JSON.parse(line) as { reason: string; doc?: { provenance: { file?: string } } };
        if (r.reason === 'benchmark_contamination') contaminated.push(r.doc?.provenance.file ?? '');
      }
    }
    expect(contaminated).toHaveLength(5);
    expect(contaminated.every((f) => f.endsWith('contaminated/exam-forum-posts.jsonl'))).toBe(true);
    expect(await readFile(join(out, 'dedupe', 'decontam', 'report.md'), 'utf8')).toMatch(/Documents holding benchmark items: 5 dropped/);
  }, 300_000);

  it('a run killed with SIGKILL and relaunched ends with exactly the rows of an uninterrupted run', async () => {
    // A generated input large enough that the kill lands mid-run.
    const raw = join(out, 'raw');
    await generateCorpus({ dir: raw, targetBytes: 6e6, files: 12, seed: 7, sharedData: join(repo, '..', 'shared', 'data') });
    const pipelineFile = join(out, 'generated.json');
    const stages = JSON.parse(await readFile(join(repo, 'pipelines', 'apollo-corpus.json'), 'utf8')).stages;
    // Paths in a pipeline file are relative to it: this copy lives elsewhere.
    stages.dedupe.decontaminate = stages.dedupe.decontaminate.map((p: string) => join(repo, 'pipelines', p));
    await writeFile(
      pipelineFile,
      JSON.stringify({
        name: 'generated',
        sources: [{ id: 'generated-web', path: raw, format: 'jsonl', source: 'web', stage: 'pretrain', kind: 'text' }],
        stages,
      }),
    );
    const clean = join(out, 'clean');
    expect(pipeline(['run', '--pipeline', pipelineFile, '--output', clean, '--workers', '1', '--quiet']).status).toBe(0);

    const killed = join(out, 'killed');
    const child = spawn(process.execPath, [runner, 'run', '--pipeline', pipelineFile, '--output', killed, '--workers', '1', '--quiet'], {
      cwd: repo,
      detached: true, // own process group: the kill takes the stage apps it spawned too
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
    // Kill once langid has finished some, but not all, of its tasks.
    const deadline = Date.now() + 120_000;
    let killedMidway = false;
    while (Date.now() < deadline) {
      const done = await readdir(join(killed, 'langid', 'completions')).catch(() => [] as string[]);
      if (done.length >= 2) {
        process.kill(-child.pid!, 'SIGKILL');
        killedMidway = done.length < 12;
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    await exited;
    expect(killedMidway).toBe(true);
    expect(existsSync(join(killed, 'convert', 'manifest.json'))).toBe(false);

    const resumed = pipeline(['run', '--pipeline', pipelineFile, '--output', killed, '--workers', '1', '--quiet']);
    expect(resumed.stderr).toBe('');
    expect(resumed.status).toBe(0);
    expect(pipeline(['verify', '--pipeline', pipelineFile, '--output', killed]).status).toBe(0);
    const a = await corpusRows(join(clean, 'convert'));
    const b = await corpusRows(join(killed, 'convert'));
    expect([...b.keys()]).toEqual([...a.keys()]);
    for (const [shard, rows] of a) expect(b.get(shard)).toEqual(rows);
    const all = [...b.values()].flat();
    expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
  }, 600_000);
});
