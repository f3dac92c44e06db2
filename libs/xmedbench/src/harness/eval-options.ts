import { isAbsolute, resolve } from 'node:path';
import { resolveItemPath } from '@apollo/benchmark-items';
import type { BosPolicy } from '@apollo/onnx-lm';
import type { PromptSpecName } from '../prompt-spec';
import { MODE_NAMES, SCORING_MODES } from './modes/scoring-modes';

/**
 * The eval command's options, declared once. From this list come the command line (flags,
 * help, defaults, parsing), the run configuration's type (`EvalConfig`) and its record in
 * results.json (`config`, in this order), and the options table of docs/eval.md
 * (`evalOptionsTable`, which a test compares with the page).
 */

/** `run`: part of the run's configuration, recorded in results.json; `command`: where files go and what is printed. */
export type OptionScope = 'run' | 'command';

interface OptionFields<T, S extends OptionScope> {
  readonly scope: S;
  /** The flag as commander takes it, e.g. `-m, --model <dir>` or `--no-cache`. */
  readonly flag: string;
  /** What the option does: the `--help` line and the docs' table. */
  readonly description: string;
  /** Text given on the command line -> value; throws an Error whose message says what is expected. */
  readonly parse?: (text: string) => T;
  /** The values allowed. */
  readonly choices?: readonly string[];
  /**
   * Paths, made absolute: given ones against the working directory, defaults against the
   * repository. `items`: item paths, whose `<format>:` prefix is kept.
   */
  readonly path?: 'one' | 'items';
}

/** An option with a default: always in the configuration. */
export interface DefaultedOption<T, S extends OptionScope = OptionScope> extends OptionFields<T, S> {
  readonly default: T;
}

/** An option without a default: left out of the configuration when not given. */
export interface OptionalOption<T, S extends OptionScope = OptionScope> extends OptionFields<T, S> {
  readonly default?: undefined;
}

export type EvalOption<T, S extends OptionScope = OptionScope> = DefaultedOption<T, S> | OptionalOption<T, S>;

function integer(flag: string, min: number): (text: string) => number {
  const name = /--[\w-]+/.exec(flag)![0];
  return (text) => {
    const n = Number(text);
    if (text.trim() === '' || !Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min}`);
    return n;
  };
}

function numberList(flag: string): (text: string) => number[] {
  const name = /--[\w-]+/.exec(flag)![0];
  return (text) => {
    const list = text.split(',').map((v) => Number(v.trim()));
    if (text.trim() === '' || list.some((a) => !Number.isFinite(a))) throw new Error(`${name} takes numbers separated by commas, e.g. 0,0.5,1`);
    return list;
  };
}

/** Builders: each option's type comes from its builder. */
const option = {
  integer: <S extends OptionScope>(scope: S, flag: string, description: string, dflt: number, min: number): DefaultedOption<number, S> => ({
    scope,
    flag,
    description,
    default: dflt,
    parse: integer(flag, min),
  }),
  choice: <T extends string, S extends OptionScope>(scope: S, flag: string, description: string, choices: readonly T[], dflt: T): DefaultedOption<T, S> => ({
    scope,
    flag,
    description,
    default: dflt,
    choices,
  }),
  flag: <S extends OptionScope>(scope: S, flag: string, description: string, dflt: boolean): DefaultedOption<boolean, S> => ({ scope, flag, description, default: dflt }),
  text: <S extends OptionScope>(scope: S, flag: string, description: string): OptionalOption<string, S> => ({ scope, flag, description }),
  texts: <S extends OptionScope>(scope: S, flag: string, description: string): OptionalOption<string[], S> => ({ scope, flag, description }),
  numbers: <S extends OptionScope>(scope: S, flag: string, description: string, dflt: number[]): DefaultedOption<number[], S> => ({
    scope,
    flag,
    description,
    default: dflt,
    parse: numberList(flag),
  }),
  path: <S extends OptionScope>(scope: S, flag: string, description: string, dflt: string): DefaultedOption<string, S> => ({ scope, flag, description, default: dflt, path: 'one' }),
  optionalPath: <S extends OptionScope>(scope: S, flag: string, description: string): OptionalOption<string, S> => ({ scope, flag, description, path: 'one' }),
  itemPaths: <S extends OptionScope>(scope: S, flag: string, description: string, dflt: string[]): DefaultedOption<string[], S> => ({
    scope,
    flag,
    description,
    default: dflt,
    path: 'items',
  }),
};

/** The XMedBench dev split bundled with the repository (pipelines/benchmarks/README.md). */
const DEV_ITEMS = 'pipelines/benchmarks/xmedbench-dev';

export const EVAL_OPTIONS = {
  model: option.path('run', '-m, --model <dir>', 'model folder (model.onnx, tokenizer.json, config.json, ...)', 'tools/tiny-model/fixture'),
  modelFile: option.text('run', '--model-file <name>', "graph file inside the model folder (default: model.onnx, else Optimum's other names)"),
  items: option.itemPaths(
    'run',
    '-i, --items <paths...>',
    "XMedBench item files or folders: the unified format (.json arrays, .jsonl), or <format>:<path> for a source's original format (docs/eval.md, Items)",
    [DEV_ITEMS],
  ),
  output: option.path('command', '-o, --output <dir>', 'output folder for results.json, samples.jsonl, table.md and report.html (overwritten) and the result cache', 'output/eval'),
  mode: option.choice('run', '--mode <mode>', `scoring mode: ${MODE_NAMES.map((m) => SCORING_MODES[m].summary).join(', ')}`, MODE_NAMES, MODE_NAMES[0]!),
  prompt: option.choice('run', '--prompt <spec>', 'prompt spec: apollo = the reference prompts with their quirks; default = corrected', ['apollo', 'default'] as PromptSpecName[], 'default' as PromptSpecName),
  shots: option.integer('run', '--shots <n>', 'few-shot examples per item', 3, 0),
  shotsFrom: option.itemPaths('run', '--shots-from <paths...>', 'shot pool for --prompt default (the dev split); the same forms as --items', [DEV_ITEMS]),
  seed: option.integer('run', '--seed <n>', 'seed of the shot draw', 1234, 0),
  batchTokens: option.integer('run', '--batch-tokens <n>', 'padded tokens per forward pass (capped so that the [batch, seq, vocab] float32 logits stay under 1 GiB)', 8192, 1),
  maxBatch: option.integer('run', '--max-batch <n>', 'rows per forward pass at most (0: no limit)', 0, 0),
  limit: option.integer('run', '--limit <n>', 'score only the first n items of each source (0: all)', 0, 0),
  threads: option.integer('run', '--threads <n>', 'onnxruntime intra-op threads (0: all cores)', 0, 0),
  bos: option.choice('run', '--bos <rule>', 'BOS token: auto (by tokenizer_config.json, then the model family), always or never', ['auto', 'always', 'never'] as BosPolicy[], 'auto' as BosPolicy),
  maxNewTokens: option.integer('run', '--max-new-tokens <n>', 'generate mode: new tokens at most', 32, 1),
  stop: option.texts('run', '--stop <strings...>', 'generate mode: extra stop strings (EOS and "\\nUser:" always stop)'),
  arabicLetters: option.flag('run', '--arabic-letters', 'generate mode: also read (أ) (ب) (ج)/(س) (د) as A-D (ApolloMoE); off: the Apollo rule', false),
  expert: option.optionalPath('run', '--expert <dir>', 'proxy-tuning: expert model folder (with --antiexpert)'),
  antiexpert: option.optionalPath('run', '--antiexpert <dir>', 'proxy-tuning: antiexpert model folder (with --expert)'),
  alphas: option.numbers('run', '--alpha <list>', 'proxy-tuning strength(s), comma separated; several = a sweep, one output folder each', [1]),
  rank: option.integer('run', '--rank <n>', "this machine's part of a split run (items with index % world-size == rank)", 0, 0),
  worldSize: option.integer('run', '--world-size <n>', 'parts the run is split into (merge them with the merge command)', 1, 1),
  cache: option.flag('command', '--no-cache', 'neither read nor append <output>/cache.jsonl', true),
  chunk: option.integer('run', '--chunk <n>', 'items scored between cache appends', 256, 1),
  label: option.text('command', '--label <name>', 'row name in the table (default: the model folder name)'),
  quiet: option.flag('command', '-q, --quiet', 'no progress lines on stderr', false),
};

type Spec = typeof EVAL_OPTIONS;
type ValueOf<O> = O extends OptionFields<infer T, OptionScope> ? T : never;
type Simplify<T> = { -readonly [K in keyof T]: T[K] };
type Values<S extends OptionScope> = Simplify<
  { [K in keyof Spec as Spec[K] extends DefaultedOption<unknown, S> ? K : never]: ValueOf<Spec[K]> } & {
    [K in keyof Spec as Spec[K] extends OptionalOption<unknown, S> ? K : never]?: ValueOf<Spec[K]>;
  }
>;

/** Everything a run depends on: the options of scope `run`. Plain data: it is recorded in results.json. */
export type EvalConfig = Values<'run'>;
/** The command's own options: where the files go and what is printed. */
export type EvalCommandOptions = Values<'command'>;
export type EvalOptionKey = keyof Spec;

/** The options, in declaration order, with their keys. */
export function evalOptions(): [EvalOptionKey, EvalOption<unknown>][] {
  return Object.entries(EVAL_OPTIONS) as [EvalOptionKey, EvalOption<unknown>][];
}

/** The long flag of an option, e.g. `--world-size`, for messages. */
export function flagName(key: EvalOptionKey): string {
  return /--[\w-]+/.exec(EVAL_OPTIONS[key].flag)![0];
}

/** A path value made absolute against `base` (item paths keep their format prefix). */
export function resolveOptionPaths(o: EvalOption<unknown>, value: unknown, base: string): unknown {
  if (o.path === 'one' && typeof value === 'string') return isAbsolute(value) ? value : resolve(base, value);
  if (o.path === 'items' && Array.isArray(value)) return value.map((v: string) => resolveItemPath(v, base));
  return value;
}

/** An option's default, its paths made absolute against the repository root. */
export function optionDefault(o: EvalOption<unknown>, root: string): unknown {
  return o.default === undefined ? undefined : resolveOptionPaths(o, structuredClone(o.default), root);
}

/**
 * The run configuration and the command's options from the values of every option (given or
 * default, paths already absolute), in declaration order; options without a value are left out.
 */
export function splitEvalValues(values: Partial<Record<EvalOptionKey, unknown>>): { config: EvalConfig; command: EvalCommandOptions } {
  const config: Record<string, unknown> = {};
  const command: Record<string, unknown> = {};
  for (const [key, o] of evalOptions()) {
    if (values[key] !== undefined) (o.scope === 'run' ? config : command)[key] = values[key];
  }
  return { config: config as EvalConfig, command: command as EvalCommandOptions };
}

/** The configuration a run gets with no option given (paths under `root`), for programs and tests that override some. */
export function defaultEvalConfig(root: string): EvalConfig {
  const values: Partial<Record<EvalOptionKey, unknown>> = {};
  for (const [key, o] of evalOptions()) values[key] = optionDefault(o, root);
  return splitEvalValues(values).config;
}

/** Checks what no single option can: combinations. Messages name the flags. */
export function checkEvalConfig(config: EvalConfig): void {
  if (config.rank >= config.worldSize) throw new Error(`${flagName('rank')} must be below ${flagName('worldSize')}`);
  if ((config.expert === undefined) !== (config.antiexpert === undefined)) throw new Error(`proxy-tuning needs both ${flagName('expert')} and ${flagName('antiexpert')}`);
}

/** A Markdown table cell: pipes escaped, `<` written as an entity so that `<dir>` is not read as a tag. */
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/</g, '&lt;');

function defaultCell(o: EvalOption<unknown>): string {
  if (o.default === undefined || o.default === '') return '';
  if (Array.isArray(o.default)) return `\`${o.default.join(' ')}\``;
  if (o.flag.startsWith('--no-')) return '';
  return `\`${String(o.default)}\``;
}

/** The options table of docs/eval.md: flag, the key in results.json's `config` (run options), default, meaning. */
export function evalOptionsTable(): string {
  const lines = ['| option | results.json `config` key | default | meaning |', '|---|---|---|---|'];
  for (const [key, o] of evalOptions()) {
    lines.push(`| \`${o.flag}\` | ${o.scope === 'run' ? `\`${key}\`` : ''} | ${defaultCell(o)} | ${cell(o.description)} |`);
  }
  return lines.join('\n') + '\n';
}
