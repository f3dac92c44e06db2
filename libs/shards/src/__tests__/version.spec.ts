import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Doc } from '@apollo/document';
import { runStage, silentLogger, StageLayout, type PipelineFile } from '@apollo/stage';
import { readCrawlDelta } from '../delta';
import type { Manifest } from '../manifest';
import { readParquetRows } from '../read';
import { SHARD_NAME_PATTERN } from '../layout';
import { convertStage } from '../stage';
import { verifyShards } from '../verify';
import type { ChangeEntry } from '../version';
import { fixtureDocs, tempDir, writeDocFiles } from './fixtures';

// Small row groups and shards, so carried rows are cut into several files per group.
const pipeline = (extra: Record<string, unknown> = {}): PipelineFile => ({ stages: { convert: { rowGroupSize: 3, shardMaxBytes: 6000, ...extra } } });

function convert(input: string[], output: string, section: Record<string, unknown> = {}, cli: Record<string, unknown> = {}) {
  return runStage(convertStage, { input, output, workers: 1, quiet: true, ...cli }, pipeline(section), silentLogger);
}

async function manifestOf(out: string): Promise<Manifest> {
  return JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as Manifest;
}

/** Rows by id, int64 as numbers (hyparquet gives bigint). */
async function rowsOf(out: string): Promise<Map<string, Record<string, unknown>>> {
  const rows = new Map<string, Record<string, unknown>>();
  for (const s of (await manifestOf(out)).shards) {
    for await (const r of readParquetRows(join(out, s.path))) {
      const id = String(r.id);
      if (rows.has(id)) throw new Error(`duplicate row ${id}`);
      rows.set(id, JSON.parse(JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))) as Record<string, unknown>);
    }
  }
  return rows;
}

async function changes(out: string, which: 'added' | 'removed'): Promise<ChangeEntry[]> {
  return (await readFile(join(out, 'changes', `${which}.jsonl`), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as ChangeEntry);
}

describe('corpus versions (convert --base --crawl-delta)', () => {
  let dir: string;
  let baseOut: string;
  let baseDocs: Doc[];
  let later: Doc[];

  beforeAll(async () => {
    dir = await tempDir('version');
    baseDocs = fixtureDocs(6);
    // Documents of the same sources not in the base: a changed page's new text, and a new page.
    const known = new Set(baseDocs.map((d) => d.id));
    later = fixtureDocs(7).filter((d) => !known.has(d.id));
    baseOut = join(dir, 'v1');
    const run = await convert(await writeDocFiles(join(dir, 'in1'), baseDocs, 2), baseOut);
    expect(run.exitCode).toBe(0);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('carries the base minus what the delta removes, adds the incoming documents, and verifies', async () => {
    const [changedOld, deleted, superseded] = [baseDocs[0]!, baseDocs[7]!, baseDocs[13]!];
    const [changedNew, fresh] = [later[0]!, later[1]!];
    const deltaFile = join(dir, 'delta.jsonl');
    const entry = (change: string, docId?: string, previousDocId?: string) =>
      JSON.stringify({ change, url: `https://example.org/${docId ?? previousDocId}`, sourceId: 'fixture', docId, previousDocId });
    await writeFile(
      deltaFile,
      [entry('changed', changedNew.id, changedOld.id), entry('deleted', undefined, deleted.id), entry('new', fresh.id), entry('deleted', undefined, 'f'.repeat(32))].join('\n') + '\n',
    );
    // An incoming copy of a base document (same id) replaces it rather than duplicating it.
    const incoming = [changedNew, fresh, superseded];
    const out = join(dir, 'v2');
    // base from the command line, the delta from the pipeline section.
    const run = await convert(await writeDocFiles(join(dir, 'in2'), incoming, 1), out, { crawlDelta: [deltaFile] }, { base: baseOut });
    expect(run.exitCode).toBe(0);

    const m = await manifestOf(out);
    expect(m.version).toMatchObject({
      number: 2,
      base: { manifest: join(baseOut, 'manifest.json'), number: 1, documents: baseDocs.length },
      crawlDelta: { paths: [deltaFile], files: 1, entries: { new: 1, changed: 1, deleted: 2 } },
      added: 3,
      removed: 3,
      carried: baseDocs.length - 3,
      removedByReason: { changed: 1, deleted: 1, superseded: 1 },
      removalsNotInBase: 1,
    });
    const removed = await changes(out, 'removed');
    expect(Object.fromEntries(removed.map((e) => [e.id, e.reason]))).toEqual({ [changedOld.id]: 'changed', [deleted.id]: 'deleted', [superseded.id]: 'superseded' });
    expect(removed.find((e) => e.id === deleted.id)).toMatchObject({ lang: deleted.lang, source: deleted.source });
    const added = await changes(out, 'added');
    expect(Object.fromEntries(added.map((e) => [e.id, e.reason]))).toEqual({ [changedNew.id]: 'changed', [fresh.id]: 'new', [superseded.id]: 'new' });

    const base = await rowsOf(baseOut);
    const rows = await rowsOf(out);
    const expected = [...base.keys()].filter((id) => id !== changedOld.id && id !== deleted.id).concat(changedNew.id, fresh.id);
    expect([...rows.keys()].sort()).toEqual(expected.sort());
    // Carried rows come through unchanged, counts included.
    for (const [id, row] of rows) if (base.has(id) && id !== superseded.id) expect(row).toEqual(base.get(id));

    // Carried rows are cut and named like new ones: several files per group, contiguous names, base rows first.
    const book = m.shards.filter((s) => s.lang === 'en' && s.source === 'book');
    expect(book.length).toBeGreaterThan(1);
    book.forEach((s, i) => {
      expect(s.path.split('/').pop()).toMatch(SHARD_NAME_PATTERN);
      expect(s.path).toContain(`train-${String(i).padStart(5, '0')}-of-`);
    });
    let firstBookId = '';
    for await (const r of readParquetRows(join(out, book[0]!.path), ['id'])) {
      firstBookId = String(r.id);
      break; // closes the file
    }
    expect(base.has(firstBookId)).toBe(true);

    expect((await verifyShards(out)).problems).toEqual([]);
    expect(await readFile(join(out, 'README.md'), 'utf8')).toContain(`${baseDocs.length - 3} carried over`);

    // A rerun of finalize after a crash gives the same manifest (the version is fixed with the plan).
    const before = await readFile(join(out, 'manifest.json'), 'utf8');
    await rm(join(out, 'manifest.json'));
    await rm(new StageLayout(out).completionFile('finalize', false, 0));
    expect((await convert((JSON.parse(await readFile(join(out, 'run.json'), 'utf8')) as { inputs: string[] }).inputs, out, { crawlDelta: [deltaFile] }, { base: baseOut })).exitCode).toBe(0);
    expect(await readFile(join(out, 'manifest.json'), 'utf8')).toBe(before);

    // Tampering with a change list is caught.
    await writeFile(join(out, 'changes', 'removed.jsonl'), removed.slice(1).map((e) => JSON.stringify(e)).join('\n') + '\n');
    const problems = (await verifyShards(out)).problems.join('\n');
    expect(problems).toMatch(/changes\/removed\.jsonl: sha256/);
    expect(problems).toMatch(/changes\/removed\.jsonl: 2 entries, the version block says 3/);
  });

  it('an empty delta and no new documents give the same rows, 0 added and 0 removed', async () => {
    const empty = join(dir, 'empty-delta');
    await writeFile(join(dir, 'empty.jsonl'), '');
    const out = join(dir, 'same');
    const run = await convert([join(dir, 'empty.jsonl')], out, {}, { base: baseOut, crawlDelta: [join(dir, 'empty.jsonl')] });
    expect(run.exitCode).toBe(0);
    expect((await manifestOf(out)).version).toMatchObject({ number: 2, added: 0, removed: 0, carried: baseDocs.length });
    expect([...(await rowsOf(out)).entries()].sort()).toEqual([...(await rowsOf(baseOut)).entries()].sort());
    expect((await verifyShards(out)).ok).toBe(true);
    await expect(convert([join(dir, 'empty.jsonl')], join(dir, 'bad'), {}, { crawlDelta: [empty] })).rejects.toThrow(`--crawl-delta: not found: ${empty}`);
  });

  it('refuses a base that is not a finished version, and delta lines that are not delta entries', async () => {
    await writeFile(join(dir, 'one.jsonl'), JSON.stringify(baseDocs[0]) + '\n');
    await expect(convert([join(dir, 'one.jsonl')], join(dir, 'nobase'), {}, { base: join(dir, 'in1') })).rejects.toThrow(/base version's manifest/);
    await writeFile(join(dir, 'bad-delta.jsonl'), '{"change":"changed","docId":"a"}\n');
    await expect(readCrawlDelta([join(dir, 'bad-delta.jsonl')])).rejects.toThrow(/bad-delta\.jsonl:1: a changed entry needs previousDocId/);
  });
});
