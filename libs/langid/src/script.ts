/** Writing systems the language check distinguishes. */
export type Script =
  | 'latin'
  | 'han'
  | 'kana'
  | 'hangul'
  | 'arabic'
  | 'devanagari'
  | 'cyrillic'
  | 'greek'
  | 'hebrew'
  | 'thai'
  | 'indic'
  | 'other';

/**
 * The script of a code point, or undefined for what is not a letter (digits, punctuation,
 * spaces, symbols). Combining vowel signs of Devanagari and Arabic count as letters of their
 * script: they carry most of the vowels of Hindi and the diacritics of Arabic.
 */
export function scriptOf(cp: number): Script | undefined {
  if (cp < 0x80) return (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) ? 'latin' : undefined;
  if (cp >= 0xc0 && cp <= 0x24f) return cp === 0xd7 || cp === 0xf7 ? undefined : 'latin';
  if (cp >= 0x1e00 && cp <= 0x1eff) return 'latin';
  if (cp >= 0x0370 && cp <= 0x03ff) return 'greek';
  if (cp >= 0x0400 && cp <= 0x052f) return 'cyrillic';
  if (cp >= 0x0590 && cp <= 0x05ff) return cp >= 0x05d0 || (cp >= 0x0591 && cp <= 0x05c7) ? 'hebrew' : undefined;
  if (cp >= 0x0600 && cp <= 0x06ff) {
    // Arabic-Indic digits and Arabic punctuation are not letters.
    if ((cp >= 0x0660 && cp <= 0x0669) || (cp >= 0x06f0 && cp <= 0x06f9)) return undefined;
    if (cp <= 0x060f || cp === 0x061b || cp === 0x061f || cp === 0x066a || cp === 0x066b || cp === 0x066c || cp === 0x06d4) return undefined;
    return 'arabic';
  }
  if ((cp >= 0x0750 && cp <= 0x077f) || (cp >= 0x08a0 && cp <= 0x08ff)) return 'arabic';
  if (cp >= 0x0900 && cp <= 0x097f) {
    // Danda, double danda and Devanagari digits.
    if (cp === 0x0964 || cp === 0x0965 || (cp >= 0x0966 && cp <= 0x096f)) return undefined;
    return 'devanagari';
  }
  if (cp >= 0x0980 && cp <= 0x0dff) return 'indic';
  if (cp >= 0x0e00 && cp <= 0x0e7f) return 'thai';
  if ((cp >= 0x1100 && cp <= 0x11ff) || (cp >= 0x3130 && cp <= 0x318f) || (cp >= 0xac00 && cp <= 0xd7af)) return 'hangul';
  if ((cp >= 0x3040 && cp <= 0x30ff && cp !== 0x30fb) || (cp >= 0x31f0 && cp <= 0x31ff) || (cp >= 0xff66 && cp <= 0xff9f)) return 'kana';
  if ((cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x20000 && cp <= 0x2fa1f)) {
    return 'han';
  }
  if ((cp >= 0xfb50 && cp <= 0xfdff) || (cp >= 0xfe70 && cp <= 0xfeff)) return 'arabic';
  if (cp >= 0xa8e0 && cp <= 0xa8ff) return 'devanagari';
  if (cp >= 0xff21 && cp <= 0xff5a) return (cp <= 0xff3a || cp >= 0xff41) ? 'latin' : undefined;
  return LETTER.test(String.fromCodePoint(cp)) ? 'other' : undefined;
}

const LETTER = /\p{L}/u;

/** Letters of a text by script. */
export interface ScriptProfile {
  /** Number of letters (code points), all scripts. */
  letters: number;
  /** UTF-8 bytes of those letters. */
  letterBytes: number;
  /** UTF-8 bytes of letters per script. */
  bytes: Partial<Record<Script, number>>;
}


const SCRIPTS: readonly Script[] = ['latin', 'han', 'kana', 'hangul', 'arabic', 'devanagari', 'cyrillic', 'greek', 'hebrew', 'thai', 'indic', 'other'];

let bmpTable: Uint8Array | undefined;

/** Marks high surrogates in the script table: the pair is looked up with `scriptOf`. */
const HIGH_SURROGATE = 0xff;

/**
 * `scriptOf` for every BMP code point, built once: 0 for what is not a letter, else
 * (1 + index in SCRIPTS) << 2 | its UTF-8 length, so that one lookup gives both.
 */
function scriptTable(): Uint8Array {
  if (bmpTable) return bmpTable;
  const table = new Uint8Array(0x10000);
  for (let cp = 0; cp < 0x10000; cp++) {
    if (cp >= 0xd800 && cp <= 0xdbff) table[cp] = HIGH_SURROGATE;
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const s = scriptOf(cp);
    if (s !== undefined) table[cp] = ((SCRIPTS.indexOf(s) + 1) << 2) | (cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3);
  }
  bmpTable = table;
  return table;
}

/** Letters per table value (see `scriptTable`), reused: a profile folds it into bytes per script. */
const valueCounts = new Int32Array(256);

/** Counts the letters of a text by script (one pass, a table lookup per character). */
export function scriptProfile(text: string): ScriptProfile {
  const table = scriptTable();
  const counts = new Int32Array(SCRIPTS.length + 1);
  const byValue = valueCounts;
  byValue.fill(0);
  let astral = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const v = table[text.charCodeAt(i)]!;
    if (v === 0) continue;
    if (v === HIGH_SURROGATE) {
      if (i + 1 >= n) continue;
      const cp = 0x10000 + ((text.charCodeAt(i) - 0xd800) << 10) + (text.charCodeAt(i + 1) - 0xdc00);
      i++;
      const s = scriptOf(cp);
      if (s === undefined) continue;
      counts[SCRIPTS.indexOf(s) + 1]! += 4;
      astral++;
      continue;
    }
    byValue[v]!++;
  }
  let letters = astral;
  for (let v = 4; v < HIGH_SURROGATE; v++) {
    const c = byValue[v]!;
    if (c === 0) continue;
    letters += c;
    counts[v >> 2]! += c * (v & 3);
  }
  const bytes: Partial<Record<Script, number>> = {};
  let letterBytes = 0;
  for (let k = 1; k < counts.length; k++) {
    const c = counts[k]!;
    if (c === 0) continue;
    bytes[SCRIPTS[k - 1]!] = c;
    letterBytes += c;
  }
  return { letters, letterBytes, bytes };
}

/**
 * `scriptOf` for one UTF-16 code unit, by the same table lookup as `scriptProfile`. Surrogates
 * (letters outside the BMP, rare in the target languages) give undefined.
 */
export function scriptOfCodeUnit(code: number): Script | undefined {
  const v = scriptTable()[code]!;
  return v === 0 || v === HIGH_SURROGATE ? undefined : SCRIPTS[(v >> 2) - 1];
}

/** `scriptProfile(text).letters` without building the profile. */
export function countLetters(text: string): number {
  const table = scriptTable();
  let letters = 0;
  for (let i = 0; i < text.length; i++) {
    const cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
      if (scriptOf(0x10000 + ((cp - 0xd800) << 10) + (text.charCodeAt(i + 1) - 0xdc00)) !== undefined) letters++;
      i++;
    } else if (table[cp] !== 0 && table[cp] !== HIGH_SURROGATE) {
      letters++;
    }
  }
  return letters;
}

/**
 * Share of a script among the letters, by UTF-8 bytes as cld3 measures its language
 * proportions: one Han character (3 bytes) weighs about as much as a short Latin word, so a
 * Chinese text quoting English terms still reads as mostly Han.
 */
export function scriptShare(profile: ScriptProfile, scripts: readonly Script[]): number {
  if (profile.letterBytes === 0) return 0;
  let n = 0;
  for (const s of scripts) n += profile.bytes[s] ?? 0;
  return n / profile.letterBytes;
}

/** The script with the largest share, or undefined for a text without letters. */
export function dominantScript(profile: ScriptProfile): Script | undefined {
  let best: Script | undefined;
  let bestBytes = 0;
  for (const [s, n] of Object.entries(profile.bytes) as [Script, number][]) {
    if (n > bestBytes) {
      best = s;
      bestBytes = n;
    }
  }
  return best;
}

const LATIN_LANGS =
  'af az ca co cs cy da de en eo es et eu fi fil fr fy ga gd gl ha haw hr ht hu id ig is it jv la lb lt lv mg mi ms mt nl no ny pl pt ro sk sl sm sn so sq st su sv sw tl tr uz vi xh yo zu ceb hmn';
const SCRIPTS_BY_LANG: Record<string, readonly Script[]> = {
  zh: ['han'],
  ja: ['han', 'kana'],
  ko: ['hangul', 'han'],
  ar: ['arabic'],
  fa: ['arabic'],
  ur: ['arabic'],
  ps: ['arabic'],
  sd: ['arabic'],
  ug: ['arabic'],
  ku: ['arabic', 'latin'],
  hi: ['devanagari'],
  mr: ['devanagari'],
  ne: ['devanagari'],
  sa: ['devanagari'],
  ru: ['cyrillic'],
  uk: ['cyrillic'],
  bg: ['cyrillic'],
  be: ['cyrillic'],
  sr: ['cyrillic', 'latin'],
  mk: ['cyrillic'],
  kk: ['cyrillic'],
  ky: ['cyrillic'],
  mn: ['cyrillic'],
  tg: ['cyrillic'],
  el: ['greek'],
  he: ['hebrew'],
  yi: ['hebrew'],
  th: ['thai'],
  bn: ['indic'],
  pa: ['indic'],
  gu: ['indic'],
  or: ['indic'],
  ta: ['indic'],
  te: ['indic'],
  kn: ['indic'],
  ml: ['indic'],
  si: ['indic'],
};
for (const lang of LATIN_LANGS.split(' ')) SCRIPTS_BY_LANG[lang] = ['latin'];

/** The scripts a language is written in, or undefined when this table does not know it. */
export function scriptsOf(lang: string): readonly Script[] | undefined {
  return SCRIPTS_BY_LANG[lang];
}
