import { sha256Hex } from '@apollo/document';

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
  /** Where the item was read. */
  file: string;
  /** 0-based index in its file. */
  index: number;
}

/** sha256 over a canonical JSON of the item's content; independent of file, index and key spelling. */
export function itemHash(item: Pick<XMedBenchItem, 'source' | 'question' | 'context' | 'options' | 'gold'>): string {
  return sha256Hex(
    JSON.stringify([item.source, item.question, item.context ?? '', item.options.map((o) => [o.label, o.text]), item.gold]),
  );
}
