// `npm run bench`: generates a multilingual corpus (200 MB by default) with a known share of
// duplicates, runs every corpus stage through its real command line with one worker and with
// all cores, and measures the plain-library baselines on the same documents in the same run.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { parseInteger, type RunSummary } from '@apollo/stage';
import { generateCorpus, type GeneratedCorpus } from './generate';
import type { Baseline, BaselineResult } from './types';
import { langidBaseline } from './langid-baseline';
import { minhashPackageBaseline, ourSignaturesBaseline } from './dedupe-baseline';
import { parquetRawBaseline, shardWriterBaseline } from './convert-baseline';
import { benchCrawl } from '@apollo/ingest';
import { runEvalBench } from './eval-bench';

const repoRoot = resolve(__dirname, '..', '..', '..');
const STAGES = ['crawl', 'langid', 'dedupe', 'convert'] as const;

function runApp(stage: string, args: string[]): Promise<void> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [join(repoRoot, 'dist', 'apps', stage, 'main.js'), ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', fail);
    child.once('exit', (code) => (code === 0 ? ok() : fail(new Error(`${stage} exited with ${code}`))));
  });
}

interface StageFigure {
  stage: string;
  workers: number;
  docs: number;
  mb: number;
  seconds: number;
  maxRssMB: number;
  dropped: Record<string, number>;
}

async function runChain(corpus: GeneratedCorpus, root: string, workers: number): Promise<StageFigure[]> {
  const figures: StageFigure[] = [];
  let input = corpus.dir;
  for (const stage of STAGES) {
    const out = join(root, stage);
    const extra = stage === 'crawl' ? ['--source', 'web', '--stage', 'pretrain', '--format', 'jsonl'] : [];
    process.stderr.write(`bench: ${stage} with ${workers} worker(s)\n`);
    await runApp(stage, ['--input', input, '--output', out, '--workers', String(workers), '--overwrite', '--quiet', ...extra]);
    const summary = JSON.parse(await readFile(join(out, 'run-summary.json'), 'utf8')) as RunSummary;
    // The doc phase's counts are the stage's (auxiliary phases such as dedupe's cluster report
    // the same decisions again).
    const docs = summary.phases.find((p) => p.docPhase) ?? summary.phases[0]!;
    figures.push({ stage, workers, docs: docs.docsIn, mb: docs.bytesIn / 1e6, seconds: summary.wallSeconds, maxRssMB: summary.maxRssMB, dropped: docs.dropped });
    input = out;
  }
  return figures;
}

async function docFiles(dir: string): Promise<string[]> {
  return (await readdir(join(dir, 'docs'))).filter((f) => f.endsWith('.jsonl')).sort().map((f) => join(dir, 'docs', f));
}

async function measure(name: string, baseline: Baseline, files: string[], maxBytes: number): Promise<BaselineResult> {
  process.stderr.write(`bench: baseline ${name}\n`);
  return baseline(files, { maxBytes });
}

const rate = (mb: number, s: number) => (s > 0 ? mb / s : 0);

interface CrawlPhase {
  pagesPerSec: number;
  mbPerSec: number;
  seconds: number;
  /** CPU time of the whole process (both threads) and of the main thread alone, per page. */
  cpuMsPerPage: number;
  mainThreadCpuMsPerPage?: number;
}

const cpuCell = (p: CrawlPhase) => `${p.cpuMsPerPage} | ${p.mainThreadCpuMsPerPage ?? 'n/a'}`;

interface CrawlFigures {
  pages: number;
  concurrency: number;
  plain: CrawlPhase;
  crawler: CrawlPhase & { docs: number; extractedInThreads?: number };
}

/**
 * The crawler benchmark, in a process of its own (as a crawl runs: a fresh heap, the extraction
 * thread loading a bundle that has done nothing else), three times; the run with the median
 * ratio is reported, with all three ratios.
 */
async function crawlBench(pages: number, concurrency: number): Promise<{ median: CrawlFigures; ratios: number[] }> {
  const runs: CrawlFigures[] = [];
  for (let i = 0; i < 3; i++) {
    const out = await new Promise<string>((ok, fail) => {
      const child = spawn(process.execPath, [__filename, '--crawl-only', '--crawl-pages', String(pages), '--crawl-concurrency', String(concurrency)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (text += d));
      child.once('error', fail);
      child.once('exit', (code) => (code === 0 ? ok(text) : fail(new Error(`crawler benchmark exited with ${code}`))));
    });
    runs.push(JSON.parse(out) as CrawlFigures);
  }
  const ratio = (c: CrawlFigures) => c.crawler.pagesPerSec / c.plain.pagesPerSec;
  const sorted = [...runs].sort((a, b) => ratio(a) - ratio(b));
  return { median: sorted[1]!, ratios: runs.map((r) => Number(ratio(r).toFixed(2))) };
}

async function main(opts: { sizeMb: number; files: number; baselineMb: number; seed: number; out: string; crawlPages: number; crawlConcurrency: number; eval: boolean; crawlOnly?: boolean }): Promise<void> {
  if (opts.crawlOnly) {
    process.stdout.write(JSON.stringify(await benchCrawl(opts.crawlPages, opts.crawlConcurrency)) + '\n');
    return;
  }
  const cores = availableParallelism();
  const rawDir = join(opts.out, `corpus-${opts.sizeMb}mb-s${opts.seed}`);
  let corpus: GeneratedCorpus;
  if (existsSync(`${rawDir}.json`)) {
    corpus = JSON.parse(await readFile(`${rawDir}.json`, 'utf8')) as GeneratedCorpus;
  } else {
    process.stderr.write(`bench: generating ${opts.sizeMb} MB in ${opts.files} files\n`);
    corpus = await generateCorpus({ dir: rawDir, targetBytes: opts.sizeMb * 1e6, files: opts.files, seed: opts.seed, sharedData: join(repoRoot, '..', 'shared', 'data') });
  }
  await mkdir(opts.out, { recursive: true });
  const workerCounts = [...new Set([1, cores])];
  const figures: StageFigure[] = [];
  for (const w of workerCounts) figures.push(...(await runChain(corpus, join(opts.out, `run-w${w}`), w)));

  const maxBytes = opts.baselineMb * 1e6;
  const crawled = await docFiles(join(opts.out, `run-w1`, 'crawl'));
  const deduped = await docFiles(join(opts.out, `run-w1`, 'dedupe'));
  const baselines = {
    langid: [await measure('cld3 loop', langidBaseline, crawled, maxBytes)],
    dedupe: [await measure('minhash package', minhashPackageBaseline, crawled, maxBytes), await measure('our signatures', ourSignaturesBaseline, crawled, maxBytes)],
    convert: [await measure('raw parquetjs-lite', parquetRawBaseline, deduped, maxBytes), await measure('our shard writer', shardWriterBaseline, deduped, maxBytes)],
  };

  const lines = [
    `Corpus: ${(corpus.bytes / 1e6).toFixed(1)} MB raw JSONL, ${corpus.docs} documents in ${corpus.files.length} files; planted ${corpus.exactDuplicates} exact and ${corpus.nearDuplicates} near duplicates; per language ${JSON.stringify(corpus.perLanguage)}`,
    '',
    '| stage | workers | docs in | MB in | seconds | MB/s | docs/s | peak RSS MB |',
    '|---|---|---|---|---|---|---|---|',
    ...figures.map((f) => `| ${f.stage} | ${f.workers} | ${f.docs} | ${f.mb.toFixed(1)} | ${f.seconds.toFixed(1)} | ${rate(f.mb, f.seconds).toFixed(2)} | ${Math.round(f.docs / f.seconds)} | ${f.maxRssMB} |`),
  ];
  for (const w of workerCounts) {
    const chain = figures.filter((f) => f.workers === w);
    const seconds = chain.reduce((a, f) => a + f.seconds, 0);
    lines.push(`| whole chain | ${w} | ${corpus.docs} | ${(corpus.bytes / 1e6).toFixed(1)} | ${seconds.toFixed(1)} | ${rate(corpus.bytes / 1e6, seconds).toFixed(2)} | ${Math.round(corpus.docs / seconds)} | ${Math.max(...chain.map((f) => f.maxRssMB))} |`);
  }
  lines.push('', 'Baselines (same run, one core, first ' + opts.baselineMb + ' MB of documents):', '', '| stage | baseline | docs | MB text | seconds | MB/s | docs/s |', '|---|---|---|---|---|---|---|');
  for (const [stage, list] of Object.entries(baselines)) {
    for (const b of list) lines.push(`| ${stage} | ${b.name} | ${b.docs} | ${(b.bytes / 1e6).toFixed(1)} | ${b.seconds.toFixed(2)} | ${rate(b.bytes / 1e6, b.seconds).toFixed(2)} | ${Math.round(b.docs / b.seconds)} |`);
  }
  process.stderr.write(`bench: crawler against a loopback site (${opts.crawlPages} pages)\n`);
  const { median: crawl, ratios: crawlRatios } = await crawlBench(opts.crawlPages, opts.crawlConcurrency);
  lines.push(
    '',
    `Crawler (web mode: robots, scope, extraction, crawl-store writes; politeness off) against a loopback site of ${crawl.pages} pages, ${crawl.concurrency} in flight, beside a plain undici request loop in the same process:`,
    '',
    '| fetcher | pages/s | MB/s | seconds | CPU ms/page, process | CPU ms/page, main thread |',
    '|---|---|---|---|---|---|',
    `| plain undici loop | ${crawl.plain.pagesPerSec} | ${crawl.plain.mbPerSec} | ${crawl.plain.seconds} | ${cpuCell(crawl.plain)} |`,
    `| crawler | ${crawl.crawler.pagesPerSec} | ${crawl.crawler.mbPerSec} | ${crawl.crawler.seconds} | ${cpuCell(crawl.crawler)} |`,
    '',
    `Crawler / plain loop: ${(crawl.crawler.pagesPerSec / crawl.plain.pagesPerSec).toFixed(2)} (target >= 0.5), the median of three runs, each in a fresh process (ratios ${crawlRatios.join(', ')}); pages extracted in the extraction thread: ${crawl.crawler.extractedInThreads ?? 0} of ${crawl.crawler.docs}. The fixture server runs in the same process, so the main-thread CPU includes serving the pages in both rows.`,
  );
  if (opts.eval) {
    process.stderr.write('bench: eval app letter mode against raw onnxruntime and PyTorch\n');
    const evalBench = await runEvalBench({ root: repoRoot, items: join(repoRoot, 'pipelines', 'benchmarks', 'xmedbench-dev'), log: (l) => process.stderr.write(`bench: ${l}\n`) });
    lines.push('', 'Eval app, letter mode (tools/bench/eval-bench.ts), beside onnxruntime alone and PyTorch on the same batches:', '', evalBench.markdown.trimEnd());
  }
  const dd = figures.find((f) => f.stage === 'dedupe' && f.workers === 1);
  const li = figures.find((f) => f.stage === 'langid' && f.workers === 1);
  if (dd && li) {
    lines.push(
      '',
      `Dedupe dropped ${JSON.stringify(dd.dropped)} of the ${dd.docs} documents langid kept (planted: ${corpus.exactDuplicates} exact and ${corpus.nearDuplicates} near copies, before langid dropped ${JSON.stringify(li.dropped)}).`,
    );
  }
  const report = lines.join('\n');
  process.stdout.write(report + '\n');
  await writeFile(join(opts.out, 'results.md'), report + '\n');
  await writeFile(join(opts.out, 'results.json'), JSON.stringify({ corpus, figures, baselines, crawl }, null, 2));
}

new Command('bench')
  .description('benchmark every corpus stage against plain-library baselines')
  .option('--size-mb <n>', 'size of the generated corpus in MB', parseInteger('--size-mb', 1), 200)
  .option('--files <n>', 'number of input files (tasks)', parseInteger('--files', 1), 40)
  .option('--baseline-mb <n>', 'MB of documents each baseline processes', parseInteger('--baseline-mb', 1), 16)
  .option('--seed <n>', 'generator seed', parseInteger('--seed', 0), 1)
  .option('--out <dir>', 'work folder', '.bench')
  .option('--crawl-pages <n>', 'pages of the loopback site for the crawler benchmark', parseInteger('--crawl-pages', 1), 2000)
  .option('--no-eval', 'skip the eval app benchmark (it builds a 6-layer model with PyTorch)')
  .option('--crawl-concurrency <n>', 'requests in flight for the crawler benchmark', parseInteger('--crawl-concurrency', 1), 16)
  .option('--crawl-only', 'run the crawler benchmark once and print its figures as JSON (used by the full benchmark)')
  .action(main)
  .parseAsync(process.argv)
  .catch((err: Error) => {
    process.stderr.write(`bench: ${err.message}\n`);
    process.exitCode = 1;
  });
