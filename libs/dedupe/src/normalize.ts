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
 * The definition of the matching form, step by step over the whole text: NFKC (full-width and
 * compatibility characters folded), lower case, Arabic folding, traditional Chinese folded to
 * simplified, punctuation and symbols replaced by a space, whitespace runs collapsed, trimmed.
 * `normalizeForMatching` computes the same string in one pass; this form stays as its
 * specification and the tests' reference.
 */
export function normalizeForMatchingSteps(text: string, options: MatchingOptions = {}): string {
  let t = text.normalize('NFKC').toLowerCase();
  t = foldArabic(t);
  if (options.foldChinese !== false) t = foldTraditionalChinese(t);
  // German sharp s is the one common case-folding that lower-casing alone misses.
  t = t.replace(/\u00df/gu, 'ss');
  t = t.replace(FORMAT, '').replace(CONTROL, ' ').replace(PUNCT_OR_SYMBOL, ' ').replace(SPACES, ' ');
  return t.trim();
}

/**
 * Every step after lower-casing maps each code point on its own (to itself, to nothing, to a
 * separator, or to other letters), and the separators then collapse into single spaces. So the
 * steps can be applied to one code point at a time, once per distinct code point, and the
 * result cached: one table lookup per character replaces eight regular-expression passes over
 * the text (which were a fifth of the signatures phase).
 */
const UNKNOWN = 0;
const KEEP = 1;
const DROP = 2;
const SEPARATOR = 3;
const MAPPED = 4;

/** What the per-code-point steps make of one code point (given as a string of 1 or 2 units). */
function classify(ch: string, foldChinese: boolean): { kind: number; to?: string } {
  let t = foldArabic(ch);
  if (foldChinese) t = foldTraditionalChinese(t);
  t = t.replace(/\u00df/gu, 'ss').replace(FORMAT, '');
  if (t.length === 0) return { kind: DROP };
  const separated = t.replace(CONTROL, ' ').replace(PUNCT_OR_SYMBOL, ' ').replace(SPACES, ' ');
  if (separated === ' ') return { kind: SEPARATOR };
  // The one-pass form relies on a folded character being letters only (true of every fold above).
  if (separated !== t) throw new Error(`U+${ch.codePointAt(0)!.toString(16)} folds to ${JSON.stringify(t)}, which mixes letters and separators`);
  return t === ch ? { kind: KEEP } : { kind: MAPPED, to: t };
}

/** Cached classification of the code points seen so far, for one setting of Chinese folding. */
class CodePointTable {
  /** Kind per BMP code unit (surrogates included: a lone surrogate is kept, like the regexes do). */
  private readonly bmp = new Uint8Array(0x10000);
  private readonly bmpTo = new Map<number, string>();
  private readonly astral = new Map<number, { kind: number; to?: string }>();

  constructor(private readonly foldChinese: boolean) {}

  kind(unit: number): number {
    let k = this.bmp[unit]!;
    if (k === UNKNOWN) {
      const c = classify(String.fromCharCode(unit), this.foldChinese);
      k = c.kind;
      if (c.to !== undefined) this.bmpTo.set(unit, c.to);
      this.bmp[unit] = k;
    }
    return k;
  }

  mappedBmp(unit: number): string {
    return this.bmpTo.get(unit)!;
  }

  astralEntry(cp: number): { kind: number; to?: string } {
    let e = this.astral.get(cp);
    if (e === undefined) {
      e = classify(String.fromCodePoint(cp), this.foldChinese);
      this.astral.set(cp, e);
    }
    return e;
  }
}

const tables = { fold: new CodePointTable(true), plain: new CodePointTable(false) };
let scratch = new Uint16Array(1 << 16);

/**
 * The matching form of a text (see `normalizeForMatchingSteps` for the definition; the result
 * is the same string). Tokens are the space-separated words of the result. The result is empty
 * for a text made only of punctuation, symbols and spaces.
 */
export function normalizeForMatching(text: string, options: MatchingOptions = {}): string {
  const t = text.normalize('NFKC').toLowerCase();
  const table = options.foldChinese !== false ? tables.fold : tables.plain;
  const len = t.length;
  if (scratch.length < len + 1) scratch = new Uint16Array(2 * len + 1);
  let out = scratch;
  let n = 0;
  let pendingSeparator = false;
  for (let i = 0; i < len; i++) {
    const unit = t.charCodeAt(i);
    let kind: number;
    let to: string | undefined;
    let width = 1;
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < len) {
      const low = t.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        const e = table.astralEntry(((unit - 0xd800) << 10) + (low - 0xdc00) + 0x10000);
        kind = e.kind;
        to = e.to;
        width = 2;
      } else kind = table.kind(unit);
    } else {
      kind = table.kind(unit);
      if (kind === MAPPED) to = table.mappedBmp(unit);
    }
    if (kind === DROP) {
      i += width - 1;
      continue;
    }
    if (kind === SEPARATOR) {
      pendingSeparator = true;
      i += width - 1;
      continue;
    }
    if (pendingSeparator) {
      if (n > 0) out[n++] = 0x20;
      pendingSeparator = false;
    }
    if (kind === KEEP) {
      out[n++] = unit;
      if (width === 2) out[n++] = t.charCodeAt(i + 1);
    } else {
      // Room for this mapping and for the rest of the text at one unit per unit (kept units
      // and separators never grow), so only here can the buffer run short.
      const need = n + to!.length + (len - i) + 1;
      if (need > out.length) {
        const bigger = new Uint16Array(2 * need);
        bigger.set(out.subarray(0, n));
        out = scratch = bigger;
      }
      for (let k = 0; k < to!.length; k++) out[n++] = to!.charCodeAt(k);
    }
    i += width - 1;
  }
  return Buffer.from(out.buffer, out.byteOffset, n * 2).toString('utf16le');
}
