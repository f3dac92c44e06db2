import type { Doc, DocKind, SourceType, TrainingStage } from '@apollo/document';
import { countChars, estimateTokens, type CharsPerToken } from './tokens';

/** A shard row as written: one property per column (absent = null). */
export interface ShardRow {
  id: string;
  text: string;
  lang: string;
  lang_score?: number;
  lang_hint?: string;
  source: SourceType;
  stage: TrainingStage;
  kind: DocKind;
  turns?: string[];
  url?: string;
  file?: string;
  line?: number;
  record?: number;
  source_id?: string;
  fetched_at?: string;
  char_count: number;
  token_count: number;
  meta?: string;
}

/**
 * Maps a document to its row. The document must have a language (the convert step checks).
 * `chars` is `countChars(doc.text)` when the caller knows it.
 */
export function docToRow(doc: Doc, charsPerToken?: Readonly<CharsPerToken>, chars = countChars(doc.text)): ShardRow {
  const lang = doc.lang!;
  const p = doc.provenance;
  const row: ShardRow = {
    id: doc.id,
    text: doc.text,
    lang,
    source: doc.source,
    stage: doc.stage,
    kind: doc.kind,
    char_count: chars,
    token_count: estimateTokens(chars, lang, charsPerToken),
  };
  if (doc.langScore !== undefined) row.lang_score = doc.langScore;
  if (doc.langHint !== undefined) row.lang_hint = doc.langHint;
  if (doc.turns !== undefined) row.turns = doc.turns;
  if (p.url !== undefined) row.url = p.url;
  if (p.file !== undefined) row.file = p.file;
  if (p.line !== undefined) row.line = p.line;
  if (p.record !== undefined) row.record = p.record;
  if (p.sourceId !== undefined) row.source_id = p.sourceId;
  if (doc.fetchedAt !== undefined) row.fetched_at = doc.fetchedAt;
  if (doc.meta !== undefined) row.meta = JSON.stringify(doc.meta);
  return row;
}

/**
 * Bytes a row adds before compression: its strings in UTF-8 plus the fixed-width columns. Used
 * to decide when a row group or a shard is full before the writer has encoded anything.
 * `textBytes` is the text's UTF-8 length when the caller knows it.
 */
export function rowBytes(row: ShardRow, textBytes = Buffer.byteLength(row.text)): number {
  let bytes = 64; // ids, numbers, level encodings
  bytes += textBytes;
  if (row.turns) for (const t of row.turns) bytes += Buffer.byteLength(t) + 4;
  if (row.meta) bytes += Buffer.byteLength(row.meta);
  if (row.url) bytes += row.url.length;
  if (row.file) bytes += row.file.length;
  return bytes + row.id.length;
}

const asNumber = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));
const asString = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));

/**
 * Turns a row read back from a shard (hyparquet or DuckDB: int64 as bigint, null for missing)
 * into a document; the inverse of `docToRow`. Shards of earlier versions also have a
 * `created_at` column: it becomes `createdAt`, which `docToRow` leaves out.
 */
export function rowToDoc(row: Record<string, unknown>): Doc {
  const provenance: Doc['provenance'] = {};
  const url = asString(row.url);
  const file = asString(row.file);
  const line = asNumber(row.line);
  const record = asNumber(row.record);
  const sourceId = asString(row.source_id);
  if (file !== undefined) provenance.file = file;
  if (line !== undefined) provenance.line = line;
  if (record !== undefined) provenance.record = record;
  if (url !== undefined) provenance.url = url;
  if (sourceId !== undefined) provenance.sourceId = sourceId;
  const doc: Doc = {
    id: String(row.id),
    text: String(row.text),
    kind: row.kind as DocKind,
    source: row.source as SourceType,
    stage: row.stage as TrainingStage,
    lang: String(row.lang),
    provenance,
  };
  const createdAt = asString(row.created_at);
  if (createdAt !== undefined) doc.createdAt = createdAt;
  if (Array.isArray(row.turns)) doc.turns = row.turns.map(String);
  const langScore = asNumber(row.lang_score);
  if (langScore !== undefined) doc.langScore = langScore;
  const langHint = asString(row.lang_hint);
  if (langHint !== undefined) doc.langHint = langHint;
  const fetchedAt = asString(row.fetched_at);
  if (fetchedAt !== undefined) doc.fetchedAt = fetchedAt;
  const meta = asString(row.meta);
  if (meta !== undefined) doc.meta = JSON.parse(meta) as Doc['meta'];
  return doc;
}
