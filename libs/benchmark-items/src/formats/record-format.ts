import type { ItemContent } from '../item';
import type { ItemLocation } from '../item-error';

/** What every original format states about itself, for `--help` and the docs. */
interface FormatDescription {
  /** The file as its source publishes it, e.g. `MedQA JSONL`. */
  readonly file: string;
  /** The fields read and how, in a few words. */
  readonly fields: string;
}

/** One JSON value per record: JSON lines, or one JSON array when the file starts with `[`. */
export interface JsonRecordsFormat extends FormatDescription {
  readonly layout: 'json-records';
  parse(record: unknown, at: ItemLocation): ItemContent;
}

/** A file holding one JSON document, whose records `records` finds (PubMedQA keyed by PMID, HEAD-QA grouped by exam). */
export interface JsonDocumentFormat extends FormatDescription {
  readonly layout: 'json-document';
  /** The records in file order; `text` is the document as written, for formats whose order `doc` loses. */
  records(doc: unknown, file: string, text: string): unknown[];
  parse(record: unknown, at: ItemLocation): ItemContent;
}

/** An RFC 4180 CSV file, one record per row. */
export interface CsvFormat extends FormatDescription {
  readonly layout: 'csv';
  /** The first row names the columns and is not a record. */
  readonly header: boolean;
  parse(row: readonly string[], at: ItemLocation): ItemContent;
}

/** How a source's original file is read: its layout and the mapping of one record to item content. */
export type RecordFormat = JsonRecordsFormat | JsonDocumentFormat | CsvFormat;
