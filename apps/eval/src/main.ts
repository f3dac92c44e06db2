import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { evaluate, type EvalConfig } from './evaluate';
import { mergeParts } from './merge';
import { MODES, type EvalMode } from './modes';
import { writeResults } from './results';

/** The workspace root: the nearest folder above this script holding nx.json (else the working directory). */
function repoRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) if (existsSync(join(dir, 'nx.json'))) return dir;
  return process.cwd();
}

const ROOT = repoRoot();
/** The XMedBench dev split bundled with the repository (pipelines/benchmarks/README.md). */
const DEFAULT_ITEMS = join(ROOT, 'pipelines', 'benchmarks', 'xmedbench-dev');
const DEFAULT_MODEL = join(ROOT, 'tools', 'tiny-model', 'fixture');
const DEFAULT_OUTPUT = join(ROOT, 'output', 'eval');

function integer(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}`);
    return n;
  };
}

function alphaList(value: string): number[] {
  const list = value.split(',').map((v) => Number(v.trim()));
  if (list.length === 0 || list.some((a) => !Number.isFinite(a))) throw new InvalidArgumentError('--alpha takes numbers separated by commas, e.g. 0,0.5,1');
  return list;
}

interface CliOptions {
  model: string;
  modelFile?: string;
  items: string[];
  output: string;
  mode: EvalMode;
  maxNewTokens: number;
  stop?: string[];
  arabicLetters?: boolean;
  expert?: string;
  antiexpert?: string;
  alpha: number[];
  rank: number;
  worldSize: number;
  cache: boolean;
  chunk: number;
  prompt: 'apollo' | 'default';
  shots: number;
  shotsFrom: string[];
  seed: number;
  batchTokens: number;
  maxBatch: number;
  limit: number;
  threads: number;
  bos: 'auto' | 'always' | 'never';
  label?: string;
  quiet?: boolean;
}

const program = new Command('eval')
  .description(
    'Scores an ONNX causal language model on XMedBench (per source and language accuracy with error bars, the paper\'s table). ' +
      'With no options: the tiny test model on the bundled dev items.',
  )
  .option('-m, --model <dir>', 'model folder (model.onnx, tokenizer.json, config.json, ...)', DEFAULT_MODEL)
  .option('--model-file <name>', 'graph file inside the model folder (default: model.onnx or Optimum\'s other names)')
  .option('-i, --items <paths...>', 'XMedBench item files or folders (.json arrays or .jsonl); <format>:<path> for a source\'s original format (medqa-usmle, medmcqa, pubmedqa, headqa, cmexam, ...: docs/eval.md)', [DEFAULT_ITEMS])
  .option('-o, --output <dir>', 'output folder for results.json, samples.jsonl, table.md, report.html and the cache', DEFAULT_OUTPUT)
  .addOption(new Option('--mode <mode>', 'scoring mode: letter, continuation (acc and acc_norm) or generate (greedy, then extraction)').choices([...MODES]).default('letter'))
  .option('--max-new-tokens <n>', 'generate mode: new tokens at most', integer('--max-new-tokens', 1), 32)
  .option('--stop <strings...>', 'generate mode: extra stop strings (EOS and "\\nUser:" always stop)')
  .option('--arabic-letters', 'generate mode: also read (أ) (ب) (ج)/(س) (د) as A-D (ApolloMoE); off = the Apollo rule')
  .option('--expert <dir>', 'proxy-tuning: expert model folder (with --antiexpert)')
  .option('--antiexpert <dir>', 'proxy-tuning: antiexpert model folder (with --expert)')
  .option('--alpha <list>', 'proxy-tuning strength(s), comma separated; several = a sweep, one output folder each', alphaList, [1])
  .option('--rank <n>', 'this machine\'s part of a split run (items with index % world-size == rank)', integer('--rank', 0), 0)
  .option('--world-size <n>', 'parts the run is split into (merge them with the merge command)', integer('--world-size', 1), 1)
  .option('--no-cache', 'do not read or append <output>/cache.jsonl')
  .option('--chunk <n>', 'items scored between cache appends', integer('--chunk', 1), 256)
  .addOption(new Option('--prompt <spec>', 'prompt spec: apollo = the reference prompts with their quirks; default = corrected').choices(['apollo', 'default']).default('default'))
  .option('--shots <n>', 'few-shot examples per item', integer('--shots', 0), 3)
  .option('--shots-from <paths...>', 'shot pool for --prompt default (the dev split)', [DEFAULT_ITEMS])
  .option('--seed <n>', 'seed of the shot draw', integer('--seed', 0), 1234)
  .option('--batch-tokens <n>', 'padded tokens per forward pass (capped so logits stay under 1 GiB)', integer('--batch-tokens', 1), 8192)
  .option('--max-batch <n>', 'rows per forward pass at most (0: no limit)', integer('--max-batch', 0), 0)
  .option('--limit <n>', 'score only the first n items of each source (0: all)', integer('--limit', 0), 0)
  .option('--threads <n>', 'onnxruntime intra-op threads (0: all cores)', integer('--threads', 0), 0)
  .addOption(new Option('--bos <rule>', 'BOS token: auto = by tokenizer_config.json, then model family').choices(['auto', 'always', 'never']).default('auto'))
  .option('--label <name>', 'row name in the table (default: the model folder name)')
  .option('-q, --quiet', 'no progress output');

program.action(async (opts: CliOptions) => {
  const started = performance.now();
  const config: EvalConfig = {
    model: resolve(opts.model),
    ...(opts.modelFile ? { modelFile: opts.modelFile } : {}),
    items: opts.items.map((p) => resolve(p)),
    mode: opts.mode,
    prompt: opts.prompt,
    shots: opts.shots,
    shotsFrom: opts.shotsFrom.map((p) => resolve(p)),
    seed: opts.seed,
    batchTokens: opts.batchTokens,
    maxBatch: opts.maxBatch,
    limit: opts.limit,
    threads: opts.threads,
    bos: opts.bos,
    maxNewTokens: opts.maxNewTokens,
    ...(opts.stop ? { stop: opts.stop } : {}),
    arabicLetters: opts.arabicLetters ?? false,
    ...(opts.expert ? { expert: resolve(opts.expert) } : {}),
    ...(opts.antiexpert ? { antiexpert: resolve(opts.antiexpert) } : {}),
    alphas: opts.alpha,
    rank: opts.rank,
    worldSize: opts.worldSize,
    ...(opts.cache ? { cacheFile: join(resolve(opts.output), 'cache.jsonl') } : {}),
    chunk: opts.chunk,
  };
  if (config.rank! >= config.worldSize!) {
    process.stderr.write(`eval: --rank must be below --world-size\n`);
    process.exitCode = 1;
    return;
  }
  let last = 0;
  const progress = (done: number, total: number) => {
    if (opts.quiet || (Date.now() - last < 2000 && done < total)) return;
    last = Date.now();
    process.stderr.write(`eval: scored ${done}/${total} items\n`);
  };
  try {
    for (const p of [...config.items, ...(config.prompt === 'default' ? config.shotsFrom : [])]) {
      if (!existsSync(p)) throw new Error(`${p} does not exist (the default is the shared data checkout beside the repository; pass --items and --shots-from)`);
    }
    // Ctrl-C finishes the chunk in progress, which is then in the cache: a rerun continues.
    const abort = new AbortController();
    const onSigint = () => {
      process.stderr.write('eval: interrupted; finishing the current chunk (Ctrl-C again to kill)\n');
      process.off('SIGINT', onSigint);
      abort.abort();
    };
    process.on('SIGINT', onSigint);
    const run = await evaluate(config, { onProgress: progress, signal: abort.signal });
    process.off('SIGINT', onSigint);
    const label = opts.label ?? basename(config.model);
    const md = await writeResults(run, resolve(opts.output), label, ROOT, (performance.now() - started) / 1000);
    process.stdout.write(md);
    process.stdout.write(
      `\n${run.cache.hits} results from the cache, ${run.cache.scored} scored now; wrote ${resolve(opts.output)}: results.json, samples.jsonl, table.md, report.html${run.sets.length > 1 ? ' (one folder per alpha, sweep.json)' : ''}\n`,
    );
  } catch (err) {
    process.stderr.write(`eval: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
});

// Options after `merge` belong to merge (its own -o), not to the scoring command.
program.enablePositionalOptions();
program
  .command('merge')
  .description('merges the output folders of a run split with --rank/--world-size (checks they are parts of one run)')
  .argument('<parts...>', 'output folders of the parts')
  .requiredOption('-o, --output <dir>', 'where the merged results go')
  .action(async (parts: string[], o: { output: string }) => {
    try {
      const md = await mergeParts(parts.map((p) => resolve(p)), resolve(o.output));
      process.stdout.write(md + `\nmerged ${parts.length} parts into ${resolve(o.output)}\n`);
    } catch (err) {
      process.stderr.write(`eval: ${(err as Error).message}\n`);
      process.exitCode = 1;
    }
  });

program.parseAsync(process.argv).catch((err: Error) => {
  process.stderr.write(`eval: ${err.message}\n`);
  process.exitCode = 1;
});
