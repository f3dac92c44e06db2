import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import {
  evalOptions,
  evaluate,
  mergeParts,
  optionDefault,
  resolveOptionPaths,
  splitEvalValues,
  writeResults,
  type EvalOption,
  type EvalOptionKey,
} from '@apollo/xmedbench';

/** The workspace root: the nearest folder above this script holding nx.json (else the working directory). */
function repoRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) if (existsSync(join(dir, 'nx.json'))) return dir;
  return process.cwd();
}

const ROOT = repoRoot();

/** A command-line option from its declaration; its default's paths are under the repository. */
function commandOption(o: EvalOption<unknown>): Option {
  const option = new Option(o.flag, o.description);
  const parse = o.parse;
  if (parse) {
    option.argParser((text: string) => {
      try {
        return parse(text);
      } catch (err) {
        throw new InvalidArgumentError((err as Error).message);
      }
    });
  }
  if (o.choices) option.choices(o.choices);
  // Commander gives `--no-x` flags their default itself.
  if (o.default !== undefined && !o.flag.startsWith('--no-')) {
    const shown = o.path ? [o.default].flat().join(' ') : undefined;
    option.default(optionDefault(o, ROOT), shown);
  }
  return option;
}

const program = new Command('eval').description(
  "Scores an ONNX causal language model on XMedBench (per source and language accuracy with error bars, the paper's table). " +
    'With no options: the tiny test model on the bundled dev items.',
);
const declared = evalOptions().map(([key, o]) => ({ key, o, option: commandOption(o) }));
for (const { option } of declared) program.addOption(option);

program.action(async () => {
  const started = performance.now();
  const opts = program.opts<Record<string, unknown>>();
  const values: Partial<Record<EvalOptionKey, unknown>> = {};
  for (const { key, o, option } of declared) values[key] = resolveOptionPaths(o, opts[option.attributeName()], process.cwd());
  const { config, command } = splitEvalValues(values);
  let last = 0;
  const onProgress = (done: number, total: number) => {
    if (command.quiet || (Date.now() - last < 2000 && done < total)) return;
    last = Date.now();
    process.stderr.write(`eval: scored ${done}/${total} items\n`);
  };
  try {
    // Ctrl-C finishes the chunk in progress, which is then in the cache: a rerun continues.
    const abort = new AbortController();
    const onSigint = () => {
      process.stderr.write('eval: interrupted; finishing the current chunk (Ctrl-C again to kill)\n');
      process.off('SIGINT', onSigint);
      abort.abort();
    };
    process.on('SIGINT', onSigint);
    const run = await evaluate(config, {
      ...(command.cache ? { cacheFile: join(command.output, 'cache.jsonl') } : {}),
      onProgress,
      signal: abort.signal,
    });
    process.off('SIGINT', onSigint);
    const md = await writeResults(run, command.output, { label: command.label ?? basename(config.model), repoRoot: ROOT, totalSeconds: (performance.now() - started) / 1000 });
    process.stdout.write(md);
    process.stdout.write(
      `\n${run.cache.hits} results from the cache, ${run.cache.scored} scored now; wrote ${command.output}: results.json, samples.jsonl, table.md, report.html${run.sets.length > 1 ? ' (one folder per alpha, sweep.json)' : ''}\n`,
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
      const md = await mergeParts(
        parts.map((p) => resolve(p)),
        resolve(o.output),
      );
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
