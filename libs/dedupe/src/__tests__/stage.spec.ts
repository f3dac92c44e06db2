import { mkdir, mkdtemp, open, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join, relative, resolve } from 'node:path';
import { makeDoc, type Doc, type SourceType } from '@apollo/document';
import { configureStage, runStage, silentLogger, verifyStage, type StageOptions } from '@apollo/stage';
import { DEFAULT_DEDUPE_CONFIG } from '../config';
import type { DuplicateRecord } from '../duplicates-file';
import { DedupeLayout } from '../layout';
import { HEADER_BYTES } from '../signature-file';
import { dedupeStage } from '../stage';
import { duplicateFilter } from '../filter-phase';
import { MEDICAL_TEXTS, variants } from './fixtures/medical-texts';

function doc(text: string, lang: string, source: SourceType, i: number): Doc {
  const made = makeDoc({ kind: 'text', text, source, stage: 'pretrain', provenance: { file: 'fixture', record: i } }, { file: 'fixture' });
  if (!made.ok) throw new Error(made.problem.detail);
  return { ...made.value, lang, langScore: 0.99 };
}

/** Every language's variants spread over three files so duplicates cross file boundaries. */
function corpus(): Doc[][] {
  const files: Doc[][] = [[], [], []];
  let i = 0;
  for (const t of MEDICAL_TEXTS) {
    const v = variants(t);
    const docs = [
      doc(v.inserted, t.lang, 'web', i++),
      doc(v.base, t.lang, 'guideline', i++),
      doc(v.unrelated, t.lang, 'paper', i++),
      doc(v.deleted, t.lang, 'web', i++),
      doc(v.reformatted, t.lang, 'dialogue', i++),
      doc(v.base, t.lang, 'web', i++),
    ];
    docs.forEach((d, k) => files[(k + MEDICAL_TEXTS.indexOf(t)) % 3]!.push(d));
  }
  files[1]!.push(doc('* * * * *', 'en', 'web', i++), doc('* * * * *', 'en', 'web', i++), doc('~~~', 'en', 'book', i++));
  return files;
}

async function writeCorpus(dir: string, files: Doc[][]): Promise<string[]> {
  const paths: string[] = [];
  for (let f = 0; f < files.length; f++) {
    const lines = files[f]!.map((d) => JSON.stringify(d));
    if (f === 2) lines.splice(2, 0, '{"not json');
    const path = join(dir, `in-${f}.jsonl`);
    await writeFile(path, lines.join('\n') + '\n');
    paths.push(path);
  }
  return paths;
}

async function readJsonl<T>(file: string): Promise<T[]> {
  const text = await readFile(file, 'utf8');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);
}

interface Outcome {
  kept: string[];
  dropped: string[];
}

/** Kept documents and drops, described by content only (independent of ranks and ordinals). */
async function outcome(out: string, worldSize: number): Promise<Outcome> {
  const kept: string[] = [];
  const dropped: string[] = [];
  for (let r = 0; r < worldSize; r++) {
    const name = String(r).padStart(5, '0');
    for (const d of await readJsonl<Doc>(join(out, 'docs', `${name}.jsonl`))) kept.push(`${d.id} ${d.source}`);
    for (const rej of await readJsonl<{ reason: string; duplicateOf?: string; doc?: Doc }>(join(out, 'rejects', `${name}.jsonl`))) {
      dropped.push(`${rej.reason} ${rej.doc ? `${rej.doc.id} ${rej.doc.source}` : ''} -> ${rej.duplicateOf ?? ''}`);
    }
  }
  return { kept: kept.sort(), dropped: dropped.sort() };
}

const base = (opts: Partial<StageOptions>): StageOptions => ({ output: '', workers: 1, quiet: true, ...opts });

describe('dedupe stage', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dedupe-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('removes planted duplicates in all six languages, end to end', async () => {
    const inputs = await writeCorpus(dir, corpus());
    const out = join(dir, 'out');
    const result = await runStage(dedupeStage, base({ input: inputs, output: out }), undefined, silentLogger);
    expect(result.exitCode).toBe(0);
    const report = await verifyStage(out);
    expect(report.problems).toEqual([]);
    expect(report.docsIn).toBe(6 * 6 + 3 + 1);
    // Per language: the guideline base and the unrelated paper stay; plus the two distinct no-shingle texts.
    expect(report.docsOut).toBe(6 * 2 + 2);
    expect(report.dropped.malformed_json).toBe(1);
    expect((report.dropped.exact_duplicate ?? 0) + (report.dropped.near_duplicate ?? 0)).toBe(6 * 4 + 1);
    expect(report.dropped.near_duplicate).toBeGreaterThanOrEqual(6 * 2);

    const kept = (await Promise.all([0, 1, 2].map((r) => readJsonl<Doc>(new DedupeLayout(out).stage.docsFile(r))))).flat();
    for (const t of MEDICAL_TEXTS) {
      const mine = kept.filter((d) => d.lang === t.lang && d.source !== 'web' && d.source !== 'book');
      expect(mine.map((d) => d.source).sort()).toEqual(['guideline', 'paper']);
    }
    const baseIds = new Set(kept.filter((d) => d.source === 'guideline').map((d) => d.id));
    const rejects = (await Promise.all([0, 1, 2].map((r) => readJsonl<Record<string, unknown>>(new DedupeLayout(out).stage.rejectsFile(r))))).flat();
    const dups = rejects.filter((r) => r.reason === 'exact_duplicate' || r.reason === 'near_duplicate');
    expect(dups.filter((r) => baseIds.has(r.duplicateOf as string))).toHaveLength(6 * 4);
    expect(dups.every((r) => typeof r.similarity === 'number' && String(r.detail).startsWith('duplicate of '))).toBe(true);

    const records = await readJsonl<DuplicateRecord>(new DedupeLayout(out).duplicatesFile());
    expect(records).toHaveLength(25);
    expect(records.filter((r) => r.kind === 'near').every((r) => r.similarity >= 0.8 && r.similarity < 1)).toBe(true);
    const summary = JSON.parse(await readFile(new DedupeLayout(out).summaryFile(), 'utf8')) as { stats: { noShingles: number }; byLang: Record<string, { docs: number }> };
    expect(summary.stats.noShingles).toBe(3);
    expect(summary.byLang.hi!.docs).toBe(6);
  });

  it('reads the same documents from a .jsonl.gz file and a .json array as from JSON lines', async () => {
    const files = corpus();
    const plain = await writeCorpus(dir, files);
    const packed = [join(dir, 'in-0.jsonl.gz'), join(dir, 'in-1.json'), join(dir, 'in-2.JSONL')];
    await writeFile(packed[0]!, gzipSync(await readFile(plain[0]!)));
    await writeFile(packed[1]!, JSON.stringify(files[1], null, 1));
    await writeFile(packed[2]!, await readFile(plain[2]!));
    await runStage(dedupeStage, base({ input: plain, output: join(dir, 'plain'), worldSize: 3 }), undefined, silentLogger);
    await runStage(dedupeStage, base({ input: packed, output: join(dir, 'packed'), worldSize: 3 }), undefined, silentLogger);
    const a = await outcome(join(dir, 'plain'), 3);
    const b = await outcome(join(dir, 'packed'), 3);
    expect(b).toEqual(a);
    expect(a.kept).toHaveLength(14);
    expect((await verifyStage(join(dir, 'packed'))).problems).toEqual([]);
  });

  it('decides the same with world size 1 and 3 and with the input files in another order', async () => {
    const inputs = await writeCorpus(dir, corpus());
    const runs: [string[], number | undefined][] = [
      [inputs, undefined],
      [inputs, 1],
      [[...inputs].reverse(), 3],
    ];
    const outcomes: Outcome[] = [];
    for (const [k, [files, worldSize]] of runs.entries()) {
      const out = join(dir, `out-${k}`);
      await runStage(dedupeStage, base({ input: files, output: out, ...(worldSize ? { worldSize } : {}) }), undefined, silentLogger);
      outcomes.push(await outcome(out, worldSize ?? 3));
    }
    expect(outcomes[0]!.kept).toHaveLength(14);
    expect(outcomes[1]).toEqual(outcomes[0]);
    expect(outcomes[2]).toEqual(outcomes[0]);
  });

  it('runs as separate jobs per phase and rank, with the same result', async () => {
    const inputs = await writeCorpus(dir, corpus());
    const together = join(dir, 'together');
    await runStage(dedupeStage, base({ input: inputs, output: together }), undefined, silentLogger);
    const split = join(dir, 'split');
    const job = (o: Partial<StageOptions>) => runStage(dedupeStage, base({ input: inputs, output: split, worldSize: 3, ...o }), undefined, silentLogger);
    for (const rank of [2, 0, 1]) await job({ phase: 'signatures', rank });
    await expect(job({ phase: 'filter', rank: 0 })).rejects.toThrow(/duplicates\.jsonl is missing: run --phase cluster/);
    await job({ phase: 'cluster' });
    for (const rank of [1, 0, 2]) await job({ phase: 'filter', rank });
    expect((await verifyStage(split)).problems).toEqual([]);
    expect(await outcome(split, 3)).toEqual(await outcome(together, 3));
  });

  it('names a corrupt signature file and refuses to cluster', async () => {
    const inputs = await writeCorpus(dir, corpus());
    const out = join(dir, 'out');
    await runStage(dedupeStage, base({ input: inputs, output: out, phase: 'signatures' }), undefined, silentLogger);
    const sig = new DedupeLayout(out).signatureFile(1);
    const fh = await open(sig, 'r+');
    await fh.write(Buffer.from([0xff, 0xee]), 0, 2, HEADER_BYTES + 100);
    await fh.close();
    await expect(runStage(dedupeStage, base({ input: inputs, output: out, phase: 'cluster' }), undefined, silentLogger)).rejects.toThrow(
      `${sig}: bad signature file: checksum mismatch`,
    );
  });

  it('refuses to filter when the input changed after the signatures phase', async () => {
    const inputs = await writeCorpus(dir, corpus());
    const out = join(dir, 'out');
    const opts = base({ input: inputs, output: out });
    await runStage(dedupeStage, { ...opts, phase: 'signatures' }, undefined, silentLogger);
    await runStage(dedupeStage, { ...opts, phase: 'cluster' }, undefined, silentLogger);
    const files = corpus();
    files[0]!.reverse();
    await writeCorpus(dir, files);
    // The runtime's input fingerprint or, failing that, the filter's own id check stops it.
    await expect(runStage(dedupeStage, { ...opts, phase: 'filter' }, undefined, silentLogger)).rejects.toThrow(/input files have changed|the input changed/);
  });
});

describe('duplicateFilter', () => {
  const d = (text: string, i: number) => doc(text, 'en', 'web', i);
  const dup = (ordinal: number, id: string): DuplicateRecord => ({ rank: 0, ordinal, id, kind: 'near', similarity: 0.9, keptRank: 0, keptOrdinal: 0, keptId: 'f'.repeat(32), clusterSize: 2 });
  async function* records(list: DuplicateRecord[]) {
    yield* list;
  }
  async function* stream(docs: Doc[]) {
    yield* docs;
  }
  async function run(docs: Doc[], list: DuplicateRecord[], expected: number) {
    const dropped: [string, string, Record<string, unknown> | undefined][] = [];
    const ctx = { rank: 0, worldSize: 1, drop: (x: Doc, reason: string, _detail?: string, extra?: Record<string, unknown>) => void dropped.push([x.id, reason, extra]), count: () => undefined };
    const kept: string[] = [];
    for await (const x of duplicateFilter(records(list), expected, 'dups.jsonl')(stream(docs), ctx)) kept.push(x.id);
    return { kept, dropped };
  }

  it('drops exactly the listed ordinals with their kept id', async () => {
    const docs = [d('alpha beta', 0), d('gamma delta', 1), d('epsilon', 2)];
    const { kept, dropped } = await run(docs, [dup(1, docs[1]!.id)], 3);
    expect(kept).toEqual([docs[0]!.id, docs[2]!.id]);
    expect(dropped).toEqual([[docs[1]!.id, 'near_duplicate', { duplicateOf: 'f'.repeat(32), similarity: 0.9 }]]);
  });

  it('fails on a document id or count that differs from the signatures phase', async () => {
    const docs = [d('alpha beta', 0), d('gamma delta', 1)];
    await expect(run(docs, [dup(1, docs[0]!.id)], 2)).rejects.toThrow(/the input changed/);
    await expect(run(docs, [], 3)).rejects.toThrow(/read 2 documents, the signatures phase saw 3/);
  });
});

describe('dedupe configuration', () => {
  const configure = (cli: Partial<StageOptions>, section: Record<string, unknown>) => configureStage(dedupeStage, base(cli), { file: 'p.json', stages: { dedupe: section } });

  it('takes the CLI option over the pipeline section over the default', async () => {
    const c = await configure({ threshold: 0.9 }, { threshold: 0.7, bands: 20, rows: 5, sourcePriority: ['book', 'web'] });
    expect(c).toEqual({ ...DEFAULT_DEDUPE_CONFIG, threshold: 0.9, bands: 20, rows: 5, sourcePriority: ['book', 'web'] });
    expect((await configure({ exactOnly: true }, {})).exactOnly).toBe(true);
    expect((await configure({ threshold: '0.75' }, {})).threshold).toBe(0.75);
  });

  it('resolves paths of the pipeline file against its folder, and command-line paths against the working directory', async () => {
    const root = await mkdtemp(join(tmpdir(), 'dedupe-paths-'));
    try {
      await mkdir(join(root, 'pipelines'));
      await symlink(join(__dirname, '../../../../pipelines/benchmarks'), join(root, 'pipelines', 'benchmarks'));
      const fromFile = await configureStage(dedupeStage, base({}), { file: join(root, 'pipelines', 'p.json'), stages: { dedupe: { decontaminate: ['benchmarks/xmedbench-dev'], index: '/abs/index' } } });
      expect(fromFile.decontaminate).toEqual([join(root, 'pipelines', 'benchmarks', 'xmedbench-dev')]);
      expect(fromFile.index).toBe('/abs/index');
      const fromCli = await configure({ decontaminate: [relative(process.cwd(), join(root, 'pipelines', 'benchmarks', 'xmedbench-dev'))] }, {});
      expect(fromCli.decontaminate).toEqual([join(root, 'pipelines', 'benchmarks', 'xmedbench-dev')]);
      await expect(configure({}, { decontaminate: ['no-such-folder'] })).rejects.toThrow(`p.json: stages.dedupe.decontaminate: not found: ${resolve('no-such-folder')}`);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("keeps a benchmark path's <format>: prefix, resolving the path after it, and reads the items before the run", async () => {
    const original = join(__dirname, '../../../benchmark-items/src/__tests__/fixtures/original');
    const fromFile = await configureStage(dedupeStage, base({}), { file: join(original, 'p.json'), stages: { dedupe: { decontaminate: ['pubmedqa:ori_pqal.json'] } } });
    expect(fromFile.decontaminate).toEqual([`pubmedqa:${join(original, 'ori_pqal.json')}`]);
    const fromCli = await configure({ decontaminate: [`pubmedqa:${relative(process.cwd(), join(original, 'ori_pqal.json'))}`] }, {});
    expect(fromCli.decontaminate).toEqual([`pubmedqa:${join(original, 'ori_pqal.json')}`]);
    await expect(configure({ decontaminate: ['pubmedqa:no-such.json'] }, {})).rejects.toThrow(`--decontaminate: not found: ${resolve('no-such.json')}`);
    // A file that is not in the format named is refused before any phase runs.
    await expect(configure({ decontaminate: [`medmcqa:${join(original, 'ori_pqal.json')}`] }, {})).rejects.toThrow(/ori_pqal\.json/);
  });

  it('rejects bad settings with the file and key named', async () => {
    await expect(configure({}, { bands: 'many' })).rejects.toThrow(/^p\.json: stages\.dedupe\.bands: must be an integer >= 1, got "many"$/);
    await expect(configure({}, { treshold: 0.5 })).rejects.toThrow(/^p\.json: stages\.dedupe: unknown key "treshold" \(did you mean "threshold"\?\)/);
    await expect(configure({ sourcePriority: ['book', 'blog'] }, {})).rejects.toThrow(/^--source-priority: must be a list of source types .*, got \["book","blog"\]$/);
    await expect(configure({ sourcePriority: 'book,web,book' }, {})).rejects.toThrow(/lists an entry twice/);
    await expect(configure({}, { bands: 100, rows: 100 })).rejects.toThrow(/bands x rows = 10000 is above the limit of 4096/);
  });
});
