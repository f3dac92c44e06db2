import { foldTraditionalChinese } from './zh-fold';

/**
 * Normalization for duplicate matching. Much stronger than the document id's normalization: two
 * texts that differ only in case, punctuation, spacing, compatibility forms or Arabic spelling
 * variants normalize to the same string, so they count as exact duplicates and share shingles.
 */

// Arabic marks that vary freely between copies of the same text: harakat (fathatan .. sukun and
// the extended marks up to U+065F), superscript alef, and Quranic annotation marks.
const ARABIC_DIACRITICS = /[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed]/gu;
const TATWEEL = /\u0640/gu;
// Hamza-carrying and wasla alef forms are spelled interchangeably in web text.
const ALEF_FORMS = /[\u0622\u0623\u0625\u0671\u0672\u0673]/gu;
// Alef maksura and yeh are swapped as often as the alef forms, in Egyptian spelling especially.
const ALEF_MAKSURA = /\u0649/gu;
// Punctuation and symbols separate tokens and never take part in matching.
const PUNCT_OR_SYMBOL = /[\p{P}\p{S}]+/gu;
// Format characters (zero-width joiners, BOM, soft hyphen) are invisible noise inside words;
// control characters separate them like spaces.
const FORMAT = /\p{Cf}+/gu;
const CONTROL = /\p{Cc}+/gu;
const SPACES = /\s+/gu;

/** Folds Arabic spelling variants: tatweel and diacritics removed, alef forms and alef maksura unified. */
export function foldArabic(text: string): string {
  return text.replace(TATWEEL, '').replace(ARABIC_DIACRITICS, '').replace(ALEF_FORMS, '\u0627').replace(ALEF_MAKSURA, '\u064a');
}

/** Options of the matching normalization. */
export interface MatchingOptions {
  /** Fold traditional Chinese characters to simplified ones. Default true. */
  foldChinese?: boolean;
}

/**
 * The matching form of a text: NFKC (full-width and compatibility characters folded), lower
 * case, Arabic folding, traditional Chinese folded to simplified, punctuation and symbols
 * replaced by a space, whitespace runs collapsed, trimmed. Tokens are the space-separated words
 * of the result. The result is empty for a text made only of punctuation, symbols and spaces.
 */
export function normalizeForMatching(text: string, options: MatchingOptions = {}): string {
  let t = text.normalize('NFKC').toLowerCase();
  t = foldArabic(t);
  if (options.foldChinese !== false) t = foldTraditionalChinese(t);
  // German sharp s is the one common case-folding that lower-casing alone misses.
  t = t.replace(/\u00df/gu, 'ss');
  t = t.replace(FORMAT, '').replace(CONTROL, ' ').replace(PUNCT_OR_SYMBOL, ' ').replace(SPACES, ' ');
  return t.trim();
}
