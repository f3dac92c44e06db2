import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Doc } from '@apollo/document';
import { configureStage, loadPipelineFile, mergeStats, runStage, silentLogger, StageLayout, type PipelineFile, type StageOptions, verifyStage } from '@apollo/stage';
import { crawlStage } from './crawl-stage';

const PIPELINE = join(__dirname, '../../../pipelines/apollo-corpus.json');
const SAMPLES = join(__dirname, '../../../pipelines/samples');

async function readJsonl<T>(file: string): Promise<T[]> {
  const text = await readFile(file, 'utf8');
  return text.length === 0 ? [] : text.trimEnd().split('\n').map((l) => JSON.parse(l) as T);
}

describe('crawlStage over pipelines/apollo-corpus.json', () => {
  let out: string;
  const opts = (): StageOptions => ({ output: out, config: PIPELINE, workers: 1, quiet: true });
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'crawl-stage-'));
  });
  afterAll(() => rm(out, { recursive: true, force: true }));

  it('ingests every sample source, dropping exactly the planted bad records', async () => {
    const pipeline = await loadPipelineFile(PIPELINE);
    const outcome = await runStage(crawlStage, opts(), pipeline, silentLogger);
    expect(outcome.exitCode).toBe(0);
    const [phase] = outcome.phases;
    expect(phase!.ran).toHaveLength(57);
    const stats = mergeStats(phase!.ran);
    expect(stats.docsIn).toBe(411);
    expect(stats.docsOut).toBe(399);
    expect(stats.dropped).toEqual({
      malformed_json: 1,
      invalid_utf8: 1,
      empty: 1,
      unknown_field: 1,
      too_large: 1,
      invalid_record: 3,
      invalid_field: 2,
      truncated_file: 1,
      wrong_kind: 1,
    });
    expect(stats.extra?.['source.apollo-release']).toBe(260);

    const report = await verifyStage(out);
    expect(report.problems).toEqual([]);

    const layout = new StageLayout(out);
    const docs = (await Promise.all(Array.from({ length: 57 }, (_, r) => readJsonl<Doc>(layout.docsFile(r))))).flat();
    const langs = new Map<string, number>();
    for (const d of docs) langs.set(d.langHint ?? 'none', (langs.get(d.langHint ?? 'none') ?? 0) + 1);
    for (const lang of ['en', 'zh', 'es', 'fr', 'ar', 'hi']) expect(langs.get(lang)).toBeGreaterThanOrEqual(25);
    // No document carries the time of the run: the same sources give the same documents.
    expect(docs.every((d) => d.createdAt === undefined)).toBe(true);
    // The planted exact duplicates share an id across files.
    const files = new Map<string, Set<string>>();
    for (const d of docs) files.set(d.id, (files.get(d.id) ?? new Set()).add(d.provenance.file!));
    expect([...files.values()].filter((f) => f.size > 1)).toHaveLength(4);

    const rejects = (await Promise.all(Array.from({ length: 57 }, (_, r) => readJsonl<{ reason: string; at: { file: string } }>(layout.rejectsFile(r))))).flat();
    // Listed input paths are relative to the working directory, wherever the tests run from.
    expect(rejects.find((r) => r.reason === 'truncated_file')!.at).toEqual({ file: relative(process.cwd(), join(SAMPLES, 'mixed', 'medicalPaper_en_text.json')), record: 6 });
  });

  it('skips finished tasks on a rerun and redoes an unfinished one byte for byte', async () => {
    const pipeline = await loadPipelineFile(PIPELINE);
    const again = await runStage(crawlStage, opts(), pipeline, silentLogger);
    expect(again.phases[0]!.ran).toHaveLength(0);
    expect(again.phases[0]!.skipped).toHaveLength(57);

    const layout = new StageLayout(out);
    const before = await readFile(layout.docsFile(3), 'utf8');
    await rm(layout.completionFile('docs', true, 3));
    await rm(layout.docsFile(3));
    const redo = await runStage(crawlStage, opts(), pipeline, silentLogger);
    expect(redo.phases[0]!.ran.map((s) => s.rank)).toEqual([3]);
    expect(await readFile(layout.docsFile(3), 'utf8')).toBe(before);
    expect((await readdir(join(out, 'completions'))).length).toBe(57);
  });
});

describe('crawl configuration', () => {
  const configure = (opts: Record<string, unknown> & { output: string }, pipeline?: PipelineFile) => configureStage(crawlStage, { ...opts, workers: 1 } as StageOptions, pipeline);

  it('puts a plain-data spec of every file in the configuration, in the order of the inputs', async () => {
    const pipeline = await loadPipelineFile(PIPELINE);
    const config = await configure({ output: 'x' }, pipeline);
    const files = config.files.map((f) => f.file);
    expect(files).toEqual([...files].sort());
    expect(JSON.parse(JSON.stringify(config))).toEqual(config);
    expect(config.files.find((f) => f.file.endsWith('apollo/General_en_sampled.json'))).toMatchObject({
      sourceId: 'apollo-release',
      format: 'apollo',
      source: 'general',
      stage: 'sft',
      kind: 'qa',
      lang: 'en',
    });
    expect(config.files.find((f) => f.file.endsWith('malformed.jsonl'))).toMatchObject({ maxChars: 20000, format: 'jsonl' });
    expect(config.limits).toEqual({ maxChars: 1_000_000, maxFileBytes: 16 * 1024 * 1024 });
  });

  it('takes ad-hoc inputs with command-line defaults, and options over the pipeline section', async () => {
    const config = await configure(
      { output: 'x', input: [join(SAMPLES, 'es')], lang: 'es', maxChars: 5000, userAgent: 'Bot/2' },
      { stages: { crawl: { maxChars: 100, crawler: { perHostConcurrency: 3, delayMs: 50 } } } },
    );
    expect(config.files).toHaveLength(9);
    expect(config.files.every((f) => f.lang === 'es' && f.sourceId === 'input')).toBe(true);
    expect(config.files.find((f) => f.file.endsWith('leaflets.jsonl'))).toMatchObject({ source: 'web', stage: 'pretrain', format: 'jsonl' });
    expect(config.files.find((f) => f.file.endsWith('medicalExam_es.json'))).toMatchObject({ source: 'exam', stage: 'sft', kind: 'qa' });
    expect(config.limits.maxChars).toBe(5000);
    expect(config.fetch).toMatchObject({ userAgent: 'Bot/2', maxRedirects: 5 });
    // URL lists fetch with the crawler's politeness settings.
    expect(config.crawler).toMatchObject({ perHostConcurrency: 3, delayMs: 50, concurrency: 16, maxRetries: 3 });
  });

  it('explains bad options and sections', async () => {
    const base = { output: 'x', input: [join(SAMPLES, 'es')] };
    await expect(configure({ ...base, source: 'blog' })).rejects.toThrow('--source must be one of');
    await expect(configure({ ...base, format: 'xml' })).rejects.toThrow('--format must be one of');
    await expect(configure(base, { file: 'p.json', stages: { crawl: { maxchars: 5 } } })).rejects.toThrow('p.json: stages.crawl: unknown key "maxchars" (did you mean "maxChars"?)');
    await expect(configure(base, { file: 'p.json', stages: { crawl: { fetch: { timeout: 5 } } } })).rejects.toThrow('p.json: stages.crawl.fetch: unknown key "timeout"');
    await expect(configure({ output: 'x' })).rejects.toThrow('crawl needs --config');
  });
});
