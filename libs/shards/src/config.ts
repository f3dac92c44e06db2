import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { parseInteger, type StageOptions } from '@apollo/stage';
import { COMPRESSIONS, type Compression } from './schema';
import { DEFAULT_CHARS_PER_TOKEN, type CharsPerToken } from './tokens';

/** Configuration of the convert stage (plain JSON: it travels to worker threads and into run.json). */
export interface ConvertConfig {
  /** Rows per Parquet row group. Default 1,000. */
  rowGroupSize: number;
  /** A row group also closes once its rows hold this many bytes before compression. Default 64 MiB. */
  rowGroupMaxBytes: number;
  /** Size cap of one shard file; the next row that would pass it starts a new file. Default 256 MiB. */
  shardMaxBytes: number;
  /** Column compression. Default SNAPPY. */
  compression: Compression;
  /** Characters per token by language for `token_count`. Default `DEFAULT_CHARS_PER_TOKEN`. */
  charsPerToken: CharsPerToken;
  /** Also write the Apollo release format under `apollo/`. Default false. */
  apolloFormat: boolean;
  /** Dataset name shown in the dataset card. Default "ApolloCorpora (rebuilt)". */
  datasetName: string;
  /** License identifier for the card's front matter (Hugging Face license ids). Default "other". */
  license: string;
  /**
   * The previous corpus version (a finished convert output folder, absolute path): its rows are
   * carried into this version except those the crawl delta removes. Default null (no base: the
   * version holds only this run's documents).
   */
  base: string | null;
  /**
   * Crawl stage output folders (or delta JSONL files) whose `crawl-delta/*.jsonl` name the
   * documents this version adds and removes (absolute paths). Default [] (no delta).
   */
  crawlDelta: string[];
}

export const DEFAULT_CONVERT_CONFIG: ConvertConfig = {
  rowGroupSize: 1000,
  rowGroupMaxBytes: 64 * 1024 * 1024,
  shardMaxBytes: 256 * 1024 * 1024,
  compression: 'SNAPPY',
  charsPerToken: { ...DEFAULT_CHARS_PER_TOKEN },
  apolloFormat: false,
  datasetName: 'ApolloCorpora (rebuilt)',
  license: 'other',
  base: null,
  crawlDelta: [],
};

export function addConvertOptions(cmd: Command): void {
  cmd
    .option('--row-group-size <rows>', 'rows per Parquet row group (default 1000)', parseInteger('--row-group-size', 1))
    .option('--shard-max-bytes <bytes>', 'size cap of one shard file in bytes (default 268435456, 256 MiB)', parseInteger('--shard-max-bytes', 1))
    .addOption(new Option('--compression <codec>', 'column compression (default SNAPPY)').choices([...COMPRESSIONS]))
    .option('--apollo-format', 'also write the Apollo release format (apollo/*.json)')
    .option('--dataset-name <name>', 'dataset name in the dataset card')
    .option('--license <id>', 'license id in the dataset card (default "other")')
    .option('--base <dir>', 'previous corpus version (convert output folder) whose rows are carried into this one')
    .option('--crawl-delta <paths...>', 'crawl output folders (or crawl-delta JSONL files) naming the documents removed and added');
}

function positiveInteger(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new Error(`convert: ${name} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function charsPerTokenTable(value: unknown): CharsPerToken {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error('convert: charsPerToken must be an object mapping language codes to numbers');
  }
  const table: CharsPerToken = { ...DEFAULT_CHARS_PER_TOKEN };
  for (const [lang, n] of Object.entries(value)) {
    if (typeof n !== 'number' || !(n > 0)) throw new Error(`convert: charsPerToken.${lang} must be a positive number`);
    table[lang] = n;
  }
  return table;
}

/** Builds the configuration: command-line option, then the pipeline's `stages.convert` section, then the default. */
export function convertConfig(opts: Partial<StageOptions>, section: Record<string, unknown>): ConvertConfig {
  const pick = (key: keyof ConvertConfig): unknown => opts[key] ?? section[key] ?? DEFAULT_CONVERT_CONFIG[key];
  const known = new Set(Object.keys(DEFAULT_CONVERT_CONFIG));
  for (const key of Object.keys(section)) {
    if (!known.has(key)) throw new Error(`convert: unknown setting "${key}" in the pipeline's stages.convert section`);
  }
  const compression = pick('compression');
  if (!(COMPRESSIONS as readonly unknown[]).includes(compression)) {
    throw new Error(`convert: compression must be one of ${COMPRESSIONS.join(', ')}, got ${JSON.stringify(compression)}`);
  }
  const apolloFormat = pick('apolloFormat');
  if (typeof apolloFormat !== 'boolean') throw new Error('convert: apolloFormat must be true or false');
  const datasetName = pick('datasetName');
  const license = pick('license');
  if (typeof datasetName !== 'string' || typeof license !== 'string') throw new Error('convert: datasetName and license must be strings');
  const base = pick('base');
  if (base !== null && (typeof base !== 'string' || base.length === 0)) throw new Error('convert: base must be a folder path or null');
  const delta = pick('crawlDelta');
  const crawlDelta = typeof delta === 'string' ? [delta] : delta;
  if (!Array.isArray(crawlDelta) || !crawlDelta.every((d) => typeof d === 'string' && d.length > 0)) {
    throw new Error('convert: crawlDelta must be a list of paths');
  }
  return {
    rowGroupSize: positiveInteger(pick('rowGroupSize'), 'rowGroupSize'),
    rowGroupMaxBytes: positiveInteger(pick('rowGroupMaxBytes'), 'rowGroupMaxBytes'),
    shardMaxBytes: positiveInteger(pick('shardMaxBytes'), 'shardMaxBytes'),
    compression: compression as Compression,
    charsPerToken: section.charsPerToken === undefined ? { ...DEFAULT_CHARS_PER_TOKEN } : charsPerTokenTable(section.charsPerToken),
    apolloFormat,
    datasetName,
    license,
    // Absolute, so the run record and the manifest name the same folders wherever they are read.
    base: base === null ? null : resolve(base),
    crawlDelta: (crawlDelta as string[]).map((d) => resolve(d)),
  };
}
