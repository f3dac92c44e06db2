import { createHash } from 'node:crypto';

/** The six XMedBench languages. */
export const LANGUAGES = ['en', 'zh', 'es', 'fr', 'ar', 'hi'] as const;
export type Language = (typeof LANGUAGES)[number];

export function isLanguage(value: string): value is Language {
  return (LANGUAGES as readonly string[]).includes(value);
}

/** One option of a multiple-choice item: its letter and its text, as written in the item. */
export interface ItemOption {
  label: string;
  text: string;
}

/** What a record of any format says: the content an item is made of. */
export interface ItemContent {
  question: string;
  /** Supporting abstract (PubMedQA); absent or empty when the item has none. */
  context?: string;
  options: ItemOption[];
  /** Gold labels, sorted, each once. */
  gold: string[];
}

/** A benchmark item in one schema, whatever file format it came from. */
export interface XMedBenchItem {
  /** Stable id: `<source>/<first 16 hex of hash>` (with `~n` for the n-th exact duplicate). */
  id: string;
  /** Source key, e.g. `medqa-usmle`, `cmexam`, `mmlu-medical-ar`. */
  source: string;
  language: Language;
  question: string;
  /** Supporting abstract (PubMedQA); absent when the item has none (empty strings are dropped). */
  context?: string;
  options: ItemOption[];
  /** The options block exactly as in the unified format (`(A) text.\n(B) text.`): prompts use it verbatim. */
  optionsText: string;
  /** The answer exactly as in the unified format, e.g. `(B)` or `(BCDE)`. */
  answerText: string;
  /** Gold labels as a sorted set; several for multi-answer items (scored by set equality). */
  gold: string[];
  /** sha256 of the canonical content (source, question, context, options, gold). */
  hash: string;
  /** Where the item was read (without a format prefix). */
  file: string;
  /** 0-based index in its file. */
  index: number;
}

/** An item before loading gives it its id (ids depend on the other items read: exact duplicates are numbered). */
export type ReadItem = Omit<XMedBenchItem, 'id'>;

/** sha256 over a canonical JSON of the item's content; independent of file, index and key spelling. */
export function itemHash(item: Pick<XMedBenchItem, 'source' | 'question' | 'context' | 'options' | 'gold'>): string {
  const canonical = JSON.stringify([item.source, item.question, item.context ?? '', item.options.map((o) => [o.label, o.text]), item.gold]);
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * The text of an item that is matched against other text (decontamination): the question, then
 * each option's text without its label, one per line. The answer is not part of it, nor
 * PubMedQA's context (a public abstract that paper corpora legitimately contain). Matching
 * tokenizes it and the documents by one rule that leaves option labels out of both, so a copy
 * that keeps `(A)` labels, or writes `A.` or `أ)`, gives the same tokens.
 */
export function itemMatchingText(item: Pick<XMedBenchItem, 'question' | 'options'>): string {
  return [item.question, ...item.options.map((o) => o.text)].join('\n');
}
