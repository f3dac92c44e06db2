import { InvalidArgumentError, type Command } from 'commander';
import { isSourceType } from '@apollo/document';
import { parseInteger, type StageOptions } from '@apollo/stage';
import { resolve } from 'node:path';
import { resolveIndexVersion } from './corpus-index';
import { DEFAULT_SOURCE_PRIORITY } from './keep-policy';

/** Configuration of the dedupe stage (plain JSON; part of run.json). */
export interface DedupeConfig {
  /** LSH bands. Default 14. */
  bands: number;
  /** Signature values per band; bands x rows is the signature length. Default 8. */
  rows: number;
  /** Minimum estimated Jaccard similarity for two documents to be near-duplicates. Default 0.8. */
  threshold: number;
  /** Words per shingle (en, es, fr, ar, hi). Default 5. */
  shingleWords: number;
  /** Characters per shingle (zh). Default 5. */
  shingleChars: number;
  /** Source types from most to least preferred when choosing the kept document. Default guideline, book, encyclopedia, paper, exam, dialogue, web, general. */
  sourcePriority: string[];
  /** Remove exact duplicates only (no MinHash signatures, no LSH). Default false. */
  exactOnly: boolean;
  /** Seed of the MinHash permutations. Default 42. */
  seed: number;
  /**
   * Memory for sort buffers and merge read buffers per task, in MB (the external sort spills
   * sorted runs to disk beyond it). Default 512.
   */
  memoryMb: number;
  /** XMedBench files or folders of them to decontaminate against; none by default (no decontamination). */
  decontaminate: string[];
  /** Words per n-gram shared with a benchmark item that make a document contaminated. Default 13. */
  decontamNgramWords: number;
  /** Characters per n-gram for Chinese. Default 13. */
  decontamNgramChars: number;
  /** Minimum words of a question shorter than an n-gram for it to be matched verbatim (twice as many characters for Chinese). Default 6. */
  decontamMinVerbatimWords: number;
  /** `drop` contaminated documents, or `cut` the lines holding the matches (QA documents are always dropped). Default drop. */
  decontamAction: 'drop' | 'cut';
  /**
   * Folder of a persistent dedupe index to publish this run into when it has finished (a new
   * version, named by the folder's CURRENT file). '' (default): publish nothing.
   */
  index: string;
  /**
   * Index (folder with CURRENT, or a version folder) to deduplicate the input against: only
   * the input's signatures are computed; input documents that duplicate an indexed document
   * are dropped, indexed documents never are. Resolved to the current version when the run is
   * configured. '' (default): none.
   */
  against: string;
  /** Fold traditional Chinese characters to simplified ones in the matching form. Default true. */
  foldChinese: boolean;
  /**
   * A line found in at least this many documents of one site (URL host, else source id) is
   * boilerplate: left out of the matching form. 0 (default) turns it off.
   */
  boilerplateMinDocs: number;
  /** Also remove boilerplate lines from the text of kept documents. Default false. */
  boilerplateStrip: boolean;
}

export const DEFAULT_DEDUPE_CONFIG: DedupeConfig = {
  bands: 14,
  rows: 8,
  threshold: 0.8,
  shingleWords: 5,
  shingleChars: 5,
  sourcePriority: [...DEFAULT_SOURCE_PRIORITY],
  exactOnly: false,
  seed: 42,
  memoryMb: 512,
  decontaminate: [],
  decontamNgramWords: 13,
  decontamNgramChars: 13,
  decontamMinVerbatimWords: 6,
  decontamAction: 'drop',
  index: '',
  against: '',
  foldChinese: true,
  boilerplateMinDocs: 0,
  boilerplateStrip: false,
};

/** The memory setting in bytes. */
export function memoryBytes(config: DedupeConfig): number {
  return Math.floor(config.memoryMb * 1024 * 1024);
}

/** Signature length implied by a configuration (0 in exact-only mode). */
export function numHashes(config: DedupeConfig): number {
  return config.exactOnly ? 0 : config.bands * config.rows;
}

function parseThreshold(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n <= 1)) throw new InvalidArgumentError('--threshold must be a number in (0, 1]');
  return n;
}

function parsePositive(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!(Number.isFinite(n) && n > 0)) throw new InvalidArgumentError(`${name} must be a positive number`);
    return n;
  };
}

function parseAction(value: string): 'drop' | 'cut' {
  if (value !== 'drop' && value !== 'cut') throw new InvalidArgumentError('--decontam-action must be drop or cut');
  return value;
}

function parseList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Adds the stage's own command-line options. */
export function addDedupeOptions(cmd: Command): void {
  cmd
    .option('--bands <n>', `LSH bands (default ${DEFAULT_DEDUPE_CONFIG.bands})`, parseInteger('--bands', 1))
    .option('--rows <n>', `signature values per band (default ${DEFAULT_DEDUPE_CONFIG.rows})`, parseInteger('--rows', 1))
    .option('--threshold <x>', `estimated Jaccard similarity for near-duplicates (default ${DEFAULT_DEDUPE_CONFIG.threshold})`, parseThreshold)
    .option('--shingle-words <n>', `words per shingle (default ${DEFAULT_DEDUPE_CONFIG.shingleWords})`, parseInteger('--shingle-words', 1))
    .option('--shingle-chars <n>', `characters per shingle for Chinese (default ${DEFAULT_DEDUPE_CONFIG.shingleChars})`, parseInteger('--shingle-chars', 1))
    .option('--source-priority <list>', `comma-separated source types, most preferred first (default ${DEFAULT_DEDUPE_CONFIG.sourcePriority.join(',')})`, parseList)
    .option('--exact-only', 'remove exact duplicates only')
    .option('--decontaminate <paths...>', 'XMedBench files or folders: drop or cut documents holding their items')
    .option('--decontam-ngram-words <n>', `n-gram size in words for decontamination (default ${DEFAULT_DEDUPE_CONFIG.decontamNgramWords})`, parseInteger('--decontam-ngram-words', 1))
    .option('--decontam-ngram-chars <n>', `n-gram size in characters for Chinese (default ${DEFAULT_DEDUPE_CONFIG.decontamNgramChars})`, parseInteger('--decontam-ngram-chars', 1))
    .option('--decontam-action <action>', 'drop or cut contaminated documents (default drop)', parseAction)
    .option('--index <dir>', 'after the run, publish its signatures, bucket runs and decisions as a new version of this dedupe index')
    .option('--against <dir>', 'deduplicate the input against this dedupe index (its documents are never dropped)')
    .option('--boilerplate-min-docs <n>', 'lines found in at least n documents of one site are boilerplate, left out of matching (default 0: off)', parseInteger('--boilerplate-min-docs', 0))
    .option('--boilerplate-strip', 'also remove boilerplate lines from the kept documents')
    .option('--memory-mb <n>', `memory per task for sort and merge buffers, in MB (default ${DEFAULT_DEDUPE_CONFIG.memoryMb})`, parsePositive('--memory-mb'));
}

type Check<T> = (value: unknown) => T | undefined;

const positiveInt: Check<number> = (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : undefined);
const fraction: Check<number> = (v) => (typeof v === 'number' && v > 0 && v <= 1 ? v : undefined);
const positive: Check<number> = (v) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined);
const action: Check<'drop' | 'cut'> = (v) => (v === 'drop' || v === 'cut' ? v : undefined);
const bool: Check<boolean> = (v) => (typeof v === 'boolean' ? v : undefined);
const uint32: Check<number> = (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff ? v : undefined);
const str: Check<string> = (v) => (typeof v === 'string' ? v : undefined);
const nonNegativeInt: Check<number> = (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);
const stringList: Check<string[]> = (v) => (Array.isArray(v) && v.every((s) => typeof s === 'string') ? (v as string[]) : undefined);

/** CLI option, else the pipeline section's value (checked), else the default. */
function pick<T>(cli: unknown, section: Record<string, unknown>, key: string, check: Check<T>, fallback: T, expected: string): T {
  if (cli !== undefined) return cli as T;
  if (section[key] === undefined) return fallback;
  const value = check(section[key]);
  if (value === undefined) throw new Error(`stages.dedupe.${key} must be ${expected}, got ${JSON.stringify(section[key])}`);
  return value;
}

const KNOWN_KEYS = new Set(Object.keys(DEFAULT_DEDUPE_CONFIG));

/** Builds the configuration: CLI option > pipeline section `stages.dedupe` > default. */
export function configureDedupe(opts: StageOptions, section: Record<string, unknown>): DedupeConfig {
  for (const key of Object.keys(section)) {
    if (!KNOWN_KEYS.has(key)) throw new Error(`stages.dedupe has an unknown setting "${key}" (known: ${[...KNOWN_KEYS].join(', ')})`);
  }
  const d = DEFAULT_DEDUPE_CONFIG;
  const config: DedupeConfig = {
    bands: pick(opts.bands, section, 'bands', positiveInt, d.bands, 'a positive integer'),
    rows: pick(opts.rows, section, 'rows', positiveInt, d.rows, 'a positive integer'),
    threshold: pick(opts.threshold, section, 'threshold', fraction, d.threshold, 'a number in (0, 1]'),
    shingleWords: pick(opts.shingleWords, section, 'shingleWords', positiveInt, d.shingleWords, 'a positive integer'),
    shingleChars: pick(opts.shingleChars, section, 'shingleChars', positiveInt, d.shingleChars, 'a positive integer'),
    sourcePriority: pick(opts.sourcePriority, section, 'sourcePriority', stringList, d.sourcePriority, 'a list of source types'),
    exactOnly: pick(opts.exactOnly, section, 'exactOnly', bool, d.exactOnly, 'true or false'),
    seed: pick(undefined, section, 'seed', uint32, d.seed, 'an unsigned 32-bit integer'),
    memoryMb: pick(opts.memoryMb, section, 'memoryMb', positive, d.memoryMb, 'a positive number'),
    decontaminate: pick(opts.decontaminate, section, 'decontaminate', stringList, d.decontaminate, 'a list of paths'),
    decontamNgramWords: pick(opts.decontamNgramWords, section, 'decontamNgramWords', positiveInt, d.decontamNgramWords, 'a positive integer'),
    decontamNgramChars: pick(opts.decontamNgramChars, section, 'decontamNgramChars', positiveInt, d.decontamNgramChars, 'a positive integer'),
    decontamMinVerbatimWords: pick(undefined, section, 'decontamMinVerbatimWords', positiveInt, d.decontamMinVerbatimWords, 'a positive integer'),
    decontamAction: pick(opts.decontamAction, section, 'decontamAction', action, d.decontamAction, '"drop" or "cut"'),
    index: pick(opts.index, section, 'index', str, d.index, 'a path'),
    against: pick(opts.against, section, 'against', str, d.against, 'a path'),
    foldChinese: pick(undefined, section, 'foldChinese', bool, d.foldChinese, 'true or false'),
    boilerplateMinDocs: pick(opts.boilerplateMinDocs, section, 'boilerplateMinDocs', nonNegativeInt, d.boilerplateMinDocs, 'a non-negative integer'),
    boilerplateStrip: pick(opts.boilerplateStrip, section, 'boilerplateStrip', bool, d.boilerplateStrip, 'true or false'),
  };
  if (config.index) config.index = resolve(config.index);
  // Pinned to the current version, so run.json records which one this run matched against.
  if (config.against) config.against = resolveIndexVersion(config.against);
  const unknown = config.sourcePriority.filter((s) => !isSourceType(s));
  if (unknown.length > 0) throw new Error(`source priority names unknown source types: ${unknown.join(', ')}`);
  if (new Set(config.sourcePriority).size !== config.sourcePriority.length) throw new Error('source priority lists a source type twice');
  if (!config.exactOnly && config.bands * config.rows > 4096) throw new Error(`bands x rows = ${config.bands * config.rows} is above the limit of 4096`);
  return config;
}
