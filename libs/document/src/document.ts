/** The six languages of ApolloCorpora. */
export const LANGS = ['en', 'zh', 'es', 'fr', 'ar', 'hi'] as const;
export type Lang = (typeof LANGS)[number];

/** Source types of the corpus (REFERENCE.md section 1). */
export const SOURCE_TYPES = [
  'book',
  'paper',
  'encyclopedia',
  'dialogue',
  'exam',
  'guideline',
  'web',
  'general',
  'math',
  'code',
] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

export const TRAINING_STAGES = ['pretrain', 'sft'] as const;
/** Continued pre-training or instruction tuning. */
export type TrainingStage = (typeof TRAINING_STAGES)[number];

export const DOC_KINDS = ['text', 'qa'] as const;
/** Plain text, or question/answer turns. */
export type DocKind = (typeof DOC_KINDS)[number];

/** Where a document came from: a file position or a URL. */
export interface Provenance {
  /** Input file, relative to the working directory where possible. */
  file?: string;
  /** 1-based line number (JSONL) in `file`. */
  line?: number;
  /** 0-based index of the record inside a JSON array file. */
  record?: number;
  /** URL the document was fetched from. */
  url?: string;
  /** Identifier of the configured source (pipelines/ definition). */
  sourceId?: string;
}

/**
 * Where a document's text came from, byte for byte: the UTF-8 bytes between the quotes of its
 * JSON string in the line it was read from. A writer copies them instead of escaping and
 * encoding the text again, as long as the document still has that `text` (see `rawTextOf`).
 * `bytes` may be a view into a reused read buffer: `owner.fills` counts the buffer's refills,
 * and the view is only good while it still equals `fills`.
 */
export interface RawText {
  text: string;
  bytes: Uint8Array;
  owner?: { readonly fills: number };
  fills: number;
}

/** The key under which a document carries its `RawText`; JSON.stringify ignores symbol keys. */
export const RAW_TEXT: unique symbol = Symbol('apollo.rawText');

/**
 * One document flowing through the pipeline. Serialized as one JSON object per line between
 * stages; the Parquet writer maps it to snake_case columns.
 */
export interface Doc {
  /** Stable id: hash of the normalized content (see `docId`). */
  id: string;
  /** The text. For QA documents, the turns joined by blank lines. */
  text: string;
  kind: DocKind;
  /** Question/answer turns `[q1, a1, q2, a2, ...]`, for `kind: 'qa'`. */
  turns?: string[];
  source: SourceType;
  stage: TrainingStage;
  /** Detected language (set by langid), or the language declared by the source before that. */
  lang?: string;
  /** Detector confidence in [0, 1] for `lang`. */
  langScore?: number;
  /** Language the source declares (configuration, file name, HTML lang attribute). */
  langHint?: string;
  provenance: Provenance;
  /**
   * ISO-8601 time the document entered the pipeline, on documents whose producer recorded it.
   * Nothing is derived from it and the shards leave it out: it is a property of a run, not of
   * the data, and would make identical inputs give different outputs (docs/convert.md).
   */
  createdAt?: string;
  /** ISO-8601 time the document was fetched, for URLs. */
  fetchedAt?: string;
  /** Free-form metadata (title, charset, ...). */
  meta?: Record<string, string | number | boolean>;
  /** The serialized text as read, while it is still the document's text (not serialized itself). */
  [RAW_TEXT]?: RawText;
}

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGS as readonly string[]).includes(value);
}

export function isSourceType(value: unknown): value is SourceType {
  return typeof value === 'string' && (SOURCE_TYPES as readonly string[]).includes(value);
}
