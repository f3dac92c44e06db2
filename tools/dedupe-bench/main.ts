// Dedupe benchmarks and evaluation data.
//   node dist/tools/dedupe-bench/main.js evalset [--out libs/dedupe/eval/near-dup-pairs.jsonl]
//   node dist/tools/dedupe-bench/main.js evaluate [--set <file>] [--alternatives]
//   node dist/tools/dedupe-bench/main.js scale [--mb 100] [--work <dir>] [--delta-percent 1] [--verify]
//   node dist/tools/dedupe-bench/main.js decontam-planted [--seed 20240612] [--details]
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { DEFAULT_DECONTAM_OPTIONS, DEFAULT_DEDUPE_CONFIG, evaluatePairs, evaluationMarkdown, readEvalPairs, type EvalSettings } from '@apollo/dedupe';
import { defaultPlantedOptions, plantedReport, runPlantedBench } from '../bench/decontam-planted';
import { buildNearDupEvalSet } from '../bench/dedupe-evalset';
import { dedupeScaleBench, scaleReportMarkdown } from '../bench/dedupe-scale';

export const EVALSET_PATH = 'libs/dedupe/eval/near-dup-pairs.jsonl';

const program = new Command('dedupe-bench');
program
  .command('evalset')
  .description('write the labelled near-duplicate evaluation set')
  .option('--out <file>', 'output JSONL', EVALSET_PATH)
  .action((o: { out: string }) => {
    const pairs = buildNearDupEvalSet();
    writeFileSync(o.out, pairs.map((p) => JSON.stringify(p)).join('\n') + '\n');
    console.log(`${pairs.length} pairs written to ${o.out}`);
  });
program
  .command('evaluate')
  .description('precision, recall and F1 of the pair decisions on the evaluation set')
  .option('--set <file>', 'evaluation set', EVALSET_PATH)
  .option('--alternatives', 'also evaluate other short-document lengths, no short documents, 20 x 5 at 0.7 and 9 x 13 at 0.85')
  .action((o: { set: string; alternatives?: boolean }) => {
    const pairs = readEvalPairs(o.set);
    const d = DEFAULT_DEDUPE_CONFIG;
    const base: EvalSettings = { bands: d.bands, rows: d.rows, threshold: d.threshold, shingleWords: d.shingleWords, shingleChars: d.shingleChars, shortChars: d.shortChars, shortRows: d.shortRows, shortThreshold: d.shortThreshold };
    const settings = [base];
    if (o.alternatives) {
      const longOnly = { ...base, shortChars: 0 };
      settings.push({ ...base, shortChars: 500 }, { ...base, shortChars: 800 }, { ...base, shortThreshold: 0.7 }, { ...base, shortThreshold: 0.5 }, longOnly, { ...longOnly, bands: 20, rows: 5, threshold: 0.7 }, { ...longOnly, bands: 9, rows: 13, threshold: 0.85 });
    }
    console.log(evaluationMarkdown(settings.map((s) => evaluatePairs(pairs, s))));
  });
program
  .command('scale')
  .description('end-to-end dedupe time and peak memory on a generated corpus, then a delta against the index')
  .option('--mb <n>', 'corpus size in MB', '100')
  .option('--work <dir>', 'work folder', '/tmp/dedupe-scale')
  .option('--delta-percent <x>', 'delta size in percent of the corpus', '1')
  .option('--memory-mb <n>', 'dedupe --memory-mb', '256')
  .option('--verify', 'also deduplicate corpus + delta from scratch and compare the delta decisions')
  .action(async (o: { mb: string; work: string; deltaPercent: string; memoryMb: string; verify?: boolean }) => {
    const report = await dedupeScaleBench({ megabytes: Number(o.mb), workDir: o.work, deltaPercent: Number(o.deltaPercent), memoryMb: Number(o.memoryMb), verifyAgainstScratch: o.verify === true });
    console.log(scaleReportMarkdown(report));
  });
program
  .command('decontam-planted')
  .description('decontamination on the planted set: dev items planted in five forms into real medical text, and false positives on clean text')
  .option('--seed <n>', 'seed of the planted set', String(defaultPlantedOptions('.').seed))
  .option('--items <paths...>', 'benchmark item files or folders (default: the bundled dev split)')
  .option('--clean <paths...>', 'clean text files or folders (default: pipelines/samples, libs/dedupe/eval/short-web-texts.jsonl, /work/shared/data)')
  .option('--ngram-words <n>', 'words per n-gram', String(DEFAULT_DECONTAM_OPTIONS.ngramWords))
  .option('--ngram-chars <n>', 'characters per n-gram (zh)', String(DEFAULT_DECONTAM_OPTIONS.ngramChars))
  .option('--min-verbatim-words <n>', 'least words of a sequence matched whole', String(DEFAULT_DECONTAM_OPTIONS.minVerbatimWords))
  .option('--details', 'also list the items missed and the clean texts flagged')
  .action(async (o: { seed: string; items?: string[]; clean?: string[]; ngramWords: string; ngramChars: string; minVerbatimWords: string; details?: boolean }) => {
    // dist/tools/dedupe-bench/main.js: the repository root is three folders up.
    const defaults = defaultPlantedOptions(resolve(__dirname, '..', '..', '..'));
    const decontam = { ngramWords: positive(o.ngramWords, '--ngram-words'), ngramChars: positive(o.ngramChars, '--ngram-chars'), minVerbatimWords: positive(o.minVerbatimWords, '--min-verbatim-words') };
    const { result, runs, speed, skipped } = await runPlantedBench({
      items: o.items ?? defaults.items,
      clean: o.clean ?? defaults.clean,
      seed: positive(o.seed, '--seed'),
      decontam,
    });
    console.log(plantedReport(result, runs, speed, skipped, o.details === true));
  });

function positive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag}: expected a positive integer, got ${JSON.stringify(value)}`);
  return n;
}

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error((err as Error).message);
  process.exit(1);
});
