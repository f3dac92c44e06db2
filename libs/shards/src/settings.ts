import { setting, type SettingsSpec } from '@apollo/stage';
import { COMPRESSIONS, type Compression } from './schema';
import { DEFAULT_CHARS_PER_TOKEN, type CharsPerToken } from './tokens';

/** Configuration of the convert stage (plain JSON: it travels to worker threads and into run.json). */
export interface ConvertConfig {
  rowGroupSize: number;
  rowGroupMaxBytes: number;
  shardMaxBytes: number;
  compression: Compression;
  charsPerToken: CharsPerToken;
  apolloFormat: boolean;
  datasetName: string;
  license: string;
  /** Absolute path of the previous version's convert folder, or null. */
  base: string | null;
  /** Absolute paths of crawl outputs or delta files. */
  crawlDelta: string[];
}

/** The convert stage's settings: command line, the pipeline file's `stages.convert`, defaults. */
export const CONVERT_SETTINGS: SettingsSpec<ConvertConfig> = {
  rowGroupSize: setting.integer('rows per Parquet row group', 1000, { min: 1, flag: '--row-group-size <rows>' }),
  rowGroupMaxBytes: setting.integer('a row group also closes once its rows hold this many bytes before compression', 64 * 1024 * 1024, { min: 1 }),
  shardMaxBytes: setting.integer('size cap of one shard file in bytes; the next row that would pass it starts a new file', 256 * 1024 * 1024, { min: 1, flag: '--shard-max-bytes <bytes>' }),
  compression: setting.choice('column compression', 'SNAPPY', COMPRESSIONS, { flag: '--compression <codec>' }),
  charsPerToken: setting.numberTable('characters per token by language for token_count, merged entry by entry over the defaults', { ...DEFAULT_CHARS_PER_TOKEN }, { min: 0, exclusiveMin: true }),
  apolloFormat: setting.boolean('also write the Apollo release format under apollo/', false, { flag: '--apollo-format' }),
  datasetName: setting.string('dataset name shown in the dataset card', 'ApolloCorpora (rebuilt)', { flag: '--dataset-name <name>' }),
  license: setting.string("license identifier for the card's front matter (Hugging Face license ids)", 'other', { flag: '--license <id>' }),
  base: setting.path(
    'the previous corpus version (a finished convert output folder): its rows are carried into this version except those the crawl delta removes; null: this version holds only this run\'s documents',
    null,
    { mustExist: true, flag: '--base <dir>' },
  ),
  crawlDelta: setting.paths('crawl stage output folders (or delta JSONL files) whose crawl-delta/*.jsonl name the documents this version adds and removes', [], {
    mustExist: true,
    flag: '--crawl-delta <paths...>',
  }),
};
