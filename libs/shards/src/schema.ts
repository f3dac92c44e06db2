/** Column types as a reader sees them (the Arrow / DuckDB view of the Parquet types). */
export type ColumnType = 'string' | 'float64' | 'int64' | 'list<string>';

/** One column of a shard: its name, type, whether it may be null, and what it holds. */
export interface ShardColumn {
  name: string;
  type: ColumnType;
  nullable: boolean;
  description: string;
}

/**
 * The columns of every shard, in file order. Snake case, so that pandas, DuckDB and
 * `datasets` users can name them without quoting. Every column is a property of the document;
 * none holds the time of a run, so the same documents always give the same bytes.
 */
export const SHARD_COLUMNS: readonly ShardColumn[] = [
  { name: 'id', type: 'string', nullable: false, description: 'stable document id: first 128 bits of sha256 over kind and normalized text, hex' },
  { name: 'text', type: 'string', nullable: false, description: 'the text; for QA documents the turns joined by blank lines' },
  { name: 'lang', type: 'string', nullable: false, description: 'language code (en, zh, es, fr, ar, hi)' },
  { name: 'lang_score', type: 'float64', nullable: true, description: 'language detector confidence in [0, 1]' },
  { name: 'lang_hint', type: 'string', nullable: true, description: 'language the source declared' },
  { name: 'source', type: 'string', nullable: false, description: 'source type: book, paper, encyclopedia, dialogue, exam, guideline, web, general, math, code' },
  { name: 'stage', type: 'string', nullable: false, description: 'training stage: pretrain or sft' },
  { name: 'kind', type: 'string', nullable: false, description: 'text, or qa (question/answer turns)' },
  { name: 'turns', type: 'list<string>', nullable: true, description: 'QA turns [q1, a1, q2, a2, ...]; null for text documents' },
  { name: 'url', type: 'string', nullable: true, description: 'provenance: URL the document was fetched from' },
  { name: 'file', type: 'string', nullable: true, description: 'provenance: input file the document was read from' },
  { name: 'line', type: 'int64', nullable: true, description: 'provenance: 1-based line in `file` (JSONL inputs)' },
  { name: 'record', type: 'int64', nullable: true, description: 'provenance: 0-based record index in `file` (JSON array inputs)' },
  { name: 'source_id', type: 'string', nullable: true, description: 'provenance: id of the configured source (pipelines/ definition)' },
  { name: 'fetched_at', type: 'string', nullable: true, description: 'ISO-8601 time the document was fetched (URLs)' },
  { name: 'char_count', type: 'int64', nullable: false, description: 'characters of `text` in Unicode code points (Python len())' },
  { name: 'token_count', type: 'int64', nullable: false, description: 'estimated tokens: char_count / characters-per-token of the language, rounded up' },
  { name: 'meta', type: 'string', nullable: true, description: 'free-form metadata as a JSON object string' },
];

export const SHARD_COLUMN_NAMES: readonly string[] = SHARD_COLUMNS.map((c) => c.name);

/** Codecs the shard writer can write (those every Parquet reader and Node's zlib support). */
export const COMPRESSIONS = ['SNAPPY', 'GZIP', 'UNCOMPRESSED'] as const;
export type Compression = (typeof COMPRESSIONS)[number];
