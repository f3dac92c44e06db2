import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { evaluate, type EvalConfig } from './evaluate';
import { writeResults } from './results';

/** The workspace root: the nearest folder above this script holding nx.json (else the working directory). */
function repoRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) if (existsSync(join(dir, 'nx.json'))) return dir;
  return process.cwd();
}

const ROOT = repoRoot();
/** CI and developers keep the shared data checkout beside the repository. */
const DEFAULT_ITEMS = join(ROOT, '..', 'shared', 'data', 'xmedbench-dev');
const DEFAULT_MODEL = join(ROOT, 'tools', 'tiny-model', 'fixture');
const DEFAULT_OUTPUT = join(ROOT, 'output', 'eval');

function integer(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}`);
    return n;
  };
}

interface CliOptions {
  model: string;
  modelFile?: string;
  items: string[];
  output: string;
  mode: 'letter';
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
  .option('-i, --items <paths...>', 'XMedBench item files or folders (.json arrays or .jsonl)', [DEFAULT_ITEMS])
  .option('-o, --output <dir>', 'output folder for results.json, samples.jsonl, table.md', DEFAULT_OUTPUT)
  .addOption(new Option('--mode <mode>', 'scoring mode').choices(['letter']).default('letter'))
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
  };
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
    const run = await evaluate(config, progress);
    const label = opts.label ?? basename(config.model);
    const md = await writeResults(run, resolve(opts.output), label, ROOT, (performance.now() - started) / 1000);
    await run.lm.close();
    process.stdout.write(md);
    process.stdout.write(`\nwrote ${join(resolve(opts.output), 'results.json')}, samples.jsonl, table.md\n`);
  } catch (err) {
    process.stderr.write(`eval: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
});

program.parseAsync(process.argv).catch((err: Error) => {
  process.stderr.write(`eval: ${err.message}\n`);
  process.exitCode = 1;
});
