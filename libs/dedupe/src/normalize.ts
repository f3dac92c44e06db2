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
 * Every step after NFKC maps each code point on its own (to itself, to nothing, to a separator,
 * or to other letters), and the separators then collapse into single spaces. So the steps can
 * be applied to one code point at a time, once per distinct code point, and the result cached:
 * one table lookup per character replaces eight regular-expression passes over the text (which
 * were a fifth of the signatures phase). Lower-casing is one of those steps too: V8 lower-cases
 * with ICU's root-locale full mapping, whose only rule that looks at the neighbours is the Greek
 * final sigma (U+03A3); a text holding one is lower-cased whole first, as the definition does.
 */
const UNKNOWN = 0;
/** One code unit out: `unitTo` (the unit itself when kept). */
const UNIT = 1;
const DROP = 2;
const SEPARATOR = 3;
/** Other units out (a string in `bmpTo`), or a unit kept as it is that is not its own `unitTo`. */
const MAPPED = 4;
/** A high surrogate: the code point is read with the next unit. */
const LEAD = 5;
/** Capital sigma, where lower-casing depends on the neighbours: the text is lower-cased whole. */
const WHOLE_TEXT = 6;

const CAPITAL_SIGMA = 0x03a3;

/** What the per-code-point steps make of one code point (given as a string of 1 or 2 units). */
function classify(ch: string, foldChinese: boolean, lower: boolean): { kind: number; to: string } {
  let t = lower ? ch.toLowerCase() : ch;
  t = foldArabic(t);
  if (foldChinese) t = foldTraditionalChinese(t);
  t = t.replace(/\u00df/gu, 'ss').replace(FORMAT, '');
  if (t.length === 0) return { kind: DROP, to: '' };
  const separated = t.replace(CONTROL, ' ').replace(PUNCT_OR_SYMBOL, ' ').replace(SPACES, ' ');
  if (separated === ' ') return { kind: SEPARATOR, to: '' };
  // The one-pass form relies on a folded character being letters only (true of every fold above).
  if (separated !== t) throw new Error(`U+${ch.codePointAt(0)!.toString(16)} folds to ${JSON.stringify(t)}, which mixes letters and separators`);
  return { kind: MAPPED, to: t };
}

/**
 * Cached classification of the code points seen so far, for one setting of Chinese folding,
 * applied either to NFKC text (`lower`: lower-casing included) or to lower-cased NFKC text.
 */
class CodePointTable {
  /** Kind per BMP code unit. */
  readonly kinds = new Uint8Array(0x10000);
  /** The unit out, for kind UNIT. */
  readonly unitTo = new Uint16Array(0x10000);
  private readonly bmpTo = new Map<number, string>();
  private readonly astral = new Map<number, { kind: number; to: string }>();
  private readonly lone = new Map<number, { kind: number; to: string }>();

  constructor(
    private readonly foldChinese: boolean,
    private readonly lower: boolean,
  ) {
    this.kinds.fill(LEAD, 0xd800, 0xdc00);
    if (lower) this.kinds[CAPITAL_SIGMA] = WHOLE_TEXT;
  }

  /** The kind of a BMP unit that is not a high surrogate, classified on first sight. */
  resolve(unit: number): number {
    let k = this.kinds[unit]!;
    if (k === UNKNOWN) {
      const c = classify(String.fromCharCode(unit), this.foldChinese, this.lower);
      k = c.kind;
      if (k === MAPPED && c.to.length === 1) {
        k = UNIT;
        this.unitTo[unit] = c.to.charCodeAt(0);
      } else if (k === MAPPED) {
        this.bmpTo.set(unit, c.to);
      }
      this.kinds[unit] = k;
    }
    return k;
  }

  mappedBmp(unit: number): string {
    return this.bmpTo.get(unit)!;
  }

  astralEntry(cp: number): { kind: number; to: string } {
    let e = this.astral.get(cp);
    if (e === undefined) {
      e = classify(String.fromCodePoint(cp), this.foldChinese, this.lower);
      this.astral.set(cp, e);
    }
    return e;
  }

  /** A high surrogate without its low half (kept, as the regular expressions keep it). */
  loneEntry(unit: number): { kind: number; to: string } {
    let e = this.lone.get(unit);
    if (e === undefined) {
      e = classify(String.fromCharCode(unit), this.foldChinese, this.lower);
      this.lone.set(unit, e);
    }
    return e;
  }
}

const tables = {
  fold: new CodePointTable(true, true),
  plain: new CodePointTable(false, true),
  foldLowered: new CodePointTable(true, false),
  plainLowered: new CodePointTable(false, false),
};
let scratch = new Uint16Array(1 << 16);

/**
 * Matches a code unit that may change under NFKC: one of the Latin-1 characters with a
 * compatibility decomposition (no-break space, diaeresis, superscripts, fractions ...) or any
 * unit from U+0100 on. Latin-1 has no combining characters, so a text of other Latin-1 units
 * is its own NFKC (text.spec.ts checks both the set and random texts over it).
 */
export const NEEDS_NFKC = latin1ChangedByNfkc();

function latin1ChangedByNfkc(): RegExp {
  let cls = '';
  for (let c = 0; c < 0x100; c++) {
    const ch = String.fromCharCode(c);
    if (ch.normalize('NFKC') !== ch) cls += `\\u${c.toString(16).padStart(4, '0')}`;
  }
  return new RegExp(`[${cls}\\u0100-\\uffff]`);
}

/**
 * The matching form of a text (see `normalizeForMatchingSteps` for the definition; the result
 * is the same string). Tokens are the space-separated words of the result. The result is empty
 * for a text made only of punctuation, symbols and spaces.
 */
export function normalizeForMatching(text: string, options: MatchingOptions = {}): string {
  // Most English, Spanish and French texts are made of Latin-1 characters that NFKC leaves
  // alone (it composes nothing among them): their NFKC is the text itself, found by a scan much
  // cheaper than the normalizer's copy and check.
  const t = NEEDS_NFKC.test(text) ? text.normalize('NFKC') : text;
  const fold = options.foldChinese !== false;
  return foldCodePoints(t, fold ? tables.fold : tables.plain) ?? foldCodePoints(t.toLowerCase(), fold ? tables.foldLowered : tables.plainLowered)!;
}

/** The table's steps over every code point of `t`, separators collapsed; undefined when the text must be lower-cased whole first. */
function foldCodePoints(t: string, table: CodePointTable): string | undefined {
  const len = t.length;
  if (scratch.length < len + 1) scratch = new Uint16Array(2 * len + 1);
  const kinds = table.kinds;
  const unitTo = table.unitTo;
  let out = scratch;
  let n = 0;
  let pendingSeparator = false;
  for (let i = 0; i < len; i++) {
    const unit = t.charCodeAt(i);
    let kind = kinds[unit]!;
    // Most characters: one unit out, or a separator.
    if (kind === UNIT) {
      if (pendingSeparator) {
        if (n > 0) out[n++] = 0x20;
        pendingSeparator = false;
      }
      out[n++] = unitTo[unit]!;
      continue;
    }
    if (kind === SEPARATOR) {
      pendingSeparator = true;
      continue;
    }
    if (kind === UNKNOWN) kind = table.resolve(unit);
    if (kind === WHOLE_TEXT) return undefined;
    let to = '';
    let width = 1;
    if (kind === LEAD) {
      const low = i + 1 < len ? t.charCodeAt(i + 1) : 0;
      const paired = low >= 0xdc00 && low <= 0xdfff;
      const e = paired ? table.astralEntry(((unit - 0xd800) << 10) + (low - 0xdc00) + 0x10000) : table.loneEntry(unit);
      if (paired) width = 2;
      kind = e.kind;
      to = e.to;
    } else if (kind === MAPPED) {
      to = table.mappedBmp(unit);
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
    if (kind === UNIT) {
      out[n++] = unitTo[unit]!;
    } else {
      // Room for this mapping and for the rest of the text at one unit per unit (single units
      // and separators never grow), so only here can the buffer run short.
      const need = n + to.length + (len - i) + 1;
      if (need > out.length) {
        const bigger = new Uint16Array(2 * need);
        bigger.set(out.subarray(0, n));
        out = scratch = bigger;
      }
      for (let k = 0; k < to.length; k++) out[n++] = to.charCodeAt(k);
    }
    i += width - 1;
  }
  return Buffer.from(out.buffer, out.byteOffset, n * 2).toString('utf16le');
}
