// Dedupe benchmarks and evaluation data.
//   node dist/tools/dedupe-bench/main.js evalset [--out libs/dedupe/eval/near-dup-pairs.jsonl]
//   node dist/tools/dedupe-bench/main.js evaluate [--set <file>] [--bands 14 --rows 8 --threshold 0.8]
//   node dist/tools/dedupe-bench/main.js scale [--mb 100] [--work <dir>] [--delta-percent 1] [--verify]
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { DEFAULT_DEDUPE_CONFIG, evaluatePairs, readEvalPairs, type EvalResult } from '@apollo/dedupe';
import { buildNearDupEvalSet } from '../bench/dedupe-evalset';
import { dedupeScaleBench, scaleReportMarkdown } from '../bench/dedupe-scale';

export const EVALSET_PATH = 'libs/dedupe/eval/near-dup-pairs.jsonl';

function table(results: EvalResult[]): string {
  const lines = ['| bands x rows | threshold | lang | pairs (+/-) | precision | recall | F1 |', '|---|---|---|---|---|---|---|'];
  for (const r of results) {
    const s = r.settings;
    for (const [lang, x] of [...Object.entries(r.byLang), ['all', r.overall] as const]) {
      lines.push(`| ${s.bands} x ${s.rows} | ${s.threshold} | ${lang} | ${x.tp + x.fn}/${x.fp + x.tn} | ${x.precision.toFixed(3)} | ${x.recall.toFixed(3)} | ${x.f1.toFixed(3)} |`);
    }
  }
  return lines.join('\n');
}

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
  .option('--alternatives', 'also evaluate 20 x 5 at 0.7 and 9 x 13 at 0.85')
  .action((o: { set: string; alternatives?: boolean }) => {
    const pairs = readEvalPairs(o.set);
    const d = DEFAULT_DEDUPE_CONFIG;
    const settings = [{ bands: d.bands, rows: d.rows, threshold: d.threshold, shingleWords: d.shingleWords, shingleChars: d.shingleChars }];
    if (o.alternatives) settings.push({ ...settings[0]!, bands: 20, rows: 5, threshold: 0.7 }, { ...settings[0]!, bands: 9, rows: 13, threshold: 0.85 });
    const results = settings.map((s) => evaluatePairs(pairs, s));
    console.log(table(results));
    console.log('\nrecall by edit (default settings):');
    for (const [e, r] of Object.entries(results[0]!.recallByEdit)) console.log(`  ${e}: ${r.found}/${r.total}`);
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
program.parseAsync(process.argv).catch((err: unknown) => {
  console.error((err as Error).message);
  process.exit(1);
});
