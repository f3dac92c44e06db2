/**
 * eld 2.1's detection algorithm on its own `small` n-gram database, rewritten for speed: the
 * same words, the same n-grams and the same sums, so the same language, score and reliability
 * for every text (checked against eld itself in eld-engine.spec.ts). eld builds a string per
 * n-gram, keeps them as keys of a fresh object, looks each up in an 81,000-key object and walks
 * the result with for-in; here n-grams are packed into two 32-bit integers, de-duplicated in a
 * stamped hash set and looked up in an open-addressing table of typed arrays. The langid stage's
 * decisions run at about three times eld's speed (docs/decisions/0001-language-detector.md).
 */

/** eld's n-gram database in packed form: sorted by nothing, one entry per n-gram. */
export interface EldTable {
  /** Language code per language index, as eld numbers them. */
  codes: string[];
  /** Packed n-gram keys (see `packLo`/`packHi`). */
  keyLo: Int32Array;
  keyHi: Int32Array;
  /** Number of (language, score) pairs of each n-gram, in order. */
  pairCounts: Uint8Array;
  pairLang: Uint8Array;
  pairScore: Uint16Array;
}

/** eld's database as its `ngrams/*.js` module exports it. */
export interface EldNgramsData {
  type: string;
  languages: Record<string, string>;
  ngrams: Record<string, Record<string, number>>;
}

/** The small constants of eld's package the engine needs beside the table. */
export interface EldConstants {
  /** eld's byte -> character table for non-ASCII UTF-8 bytes. */
  dictionary: readonly string[];
  /** eld's word separator pattern (global). */
  separators: RegExp;
  /** eld's average top score per language, used by its reliability rule. */
  avgScore: Readonly<Record<string, number>>;
}

/** What eld reports for one text. */
export interface EldVerdict {
  /** ISO 639-1 code as eld names it, or '' when no n-gram is known. */
  language: string;
  /** eld's top score (its `getScores()` first value), 0 when `language` is ''. */
  score: number;
  /** eld's `isReliable()` with its default threshold ratio. */
  reliable: boolean;
}

// eld's constants (languageDetector.js, LanguageResult.js).
const MAX_CHARS = 1000;
const CUT_AFTER = 350;
const ENFORCE_CUT_AFTER = 380;
const MAX_WORD = 70;
const BASE_NGRAM_SCORE = 53;
const SCALE = 25;
const RELIABLE_RATIO = 0.75;
const SPACE = 32;
/** Longest n-gram the database holds: ' ' + 4 bytes + ' '. */
const MAX_KEY = 6;

function hashKey(lo: number, hi: number): number {
  let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 13);
}

/** Packs key characters (each below 256) and the length into two integers; hi is never 0. */
function packLo(k: ArrayLike<number>, len: number): number {
  return (len > 0 ? k[0]! : 0) | (len > 1 ? k[1]! << 8 : 0) | (len > 2 ? k[2]! << 16 : 0) | (len > 3 ? k[3]! << 24 : 0);
}
function packHi(k: ArrayLike<number>, len: number): number {
  return (len > 4 ? k[4]! : 0) | (len > 5 ? k[5]! << 8 : 0) | (len << 16);
}

/** Packs eld's database object into an `EldTable` (about 0.5 s for the small database). */
export function compileEldTable(data: EldNgramsData): EldTable {
  const count = Object.keys(data.languages).length;
  const codes = Array.from({ length: count }, (_, i) => data.languages[i] ?? '');
  const keys = Object.keys(data.ngrams);
  const keyLo = new Int32Array(keys.length);
  const keyHi = new Int32Array(keys.length);
  const pairCounts = new Uint8Array(keys.length);
  const lang: number[] = [];
  const score: number[] = [];
  const chars = new Uint8Array(MAX_KEY);
  keys.forEach((ngram, k) => {
    if (ngram.length > MAX_KEY) throw new Error(`eld n-gram longer than ${MAX_KEY}: ${JSON.stringify(ngram)}`);
    for (let i = 0; i < ngram.length; i++) {
      const c = ngram.charCodeAt(i);
      if (c > 255) throw new Error(`eld n-gram outside Latin-1: ${JSON.stringify(ngram)}`);
      chars[i] = c;
    }
    keyLo[k] = packLo(chars, ngram.length);
    keyHi[k] = packHi(chars, ngram.length);
    const pairs = data.ngrams[ngram]!;
    let n = 0;
    for (const l in pairs) {
      lang.push(Number(l));
      score.push(pairs[l]!);
      n++;
    }
    pairCounts[k] = n;
  });
  return { codes, keyLo, keyHi, pairCounts, pairLang: Uint8Array.from(lang), pairScore: Uint16Array.from(score) };
}

/**
 * Marks the BMP code units that eld's separator pattern matches alone. Surrogates count as
 * separators: a pair is an astral code point, outside eld's BMP letter class, and a lone one
 * is no letter either.
 */
function separatorTable(separators: RegExp): Uint8Array {
  const source = separators.source;
  const cls = source.slice(0, source.indexOf(']+') + 1);
  if (!cls.startsWith('[^')) throw new Error(`eld separator pattern not understood: ${source.slice(0, 40)}...`);
  const re = new RegExp(`^${cls}$`, 'u');
  const table = new Uint8Array(0x10000);
  for (let c = 0; c < 0x10000; c++) table[c] = c >= 0xd800 && c <= 0xdfff ? 1 : re.test(String.fromCharCode(c)) ? 1 : 0;
  return table;
}

/**
 * Writes the UTF-8 bytes of a BMP code unit (not a surrogate) as eld's dictionary characters
 * (`byteChar`) at `chars[n]`; returns the index after them (their count is the UTF-8 length).
 */
function putBmpUnit(chars: Uint8Array, n: number, c: number, byteChar: Uint8Array): number {
  if (c < 0x80) {
    chars[n++] = c;
  } else if (c < 0x800) {
    chars[n++] = byteChar[0xc0 | (c >> 6)]!;
    chars[n++] = byteChar[0x80 | (c & 0x3f)]!;
  } else {
    chars[n++] = byteChar[0xe0 | (c >> 12)]!;
    chars[n++] = byteChar[0x80 | ((c >> 6) & 0x3f)]!;
    chars[n++] = byteChar[0x80 | (c & 0x3f)]!;
  }
  return n;
}

/** `lowerTable` entry of a code unit the one-pass path leaves to the string path. */
const STRING_PATH = 0xffff;

/**
 * `String.fromCharCode(c).toLowerCase()` for every BMP letter of eld's class, where that is one
 * code unit. `STRING_PATH` marks what a per-unit table cannot do: U+0130 (lower case is two
 * units), U+03A3 (its lower case depends on the neighbours: final sigma), and a whitespace
 * char eld might count as a letter (trim would remove it at either end). Separators are never
 * lower-cased (they become spaces first), so their entries are unused.
 */
function lowerTable(separator: Uint8Array): Uint16Array {
  const table = new Uint16Array(0x10000);
  const space = /\s/;
  for (let c = 0; c < 0x10000; c++) {
    if (separator[c] === 1) continue;
    const ch = String.fromCharCode(c);
    const lower = ch.toLowerCase();
    table[c] = lower.length !== 1 || c === 0x03a3 || space.test(ch) || lower.charCodeAt(0) === STRING_PATH ? STRING_PATH : lower.charCodeAt(0);
  }
  return table;
}

export class EldEngine {
  private readonly codes: string[];
  private readonly avg: Float64Array;
  private readonly mask: number;
  /** Open addressing, four ints per slot (key lo, key hi, first pair, end of pairs) so that a probe reads one cache line. */
  private readonly slots: Int32Array;
  private readonly pairLang: Uint8Array;
  private readonly pairScore: Uint16Array;
  /** Character code of eld's dictionary entry per byte value. */
  private readonly byteChar = new Uint8Array(256);
  /** 1 for BMP code units outside eld's letter class (its separators), 0 for letters. */
  private readonly separator: Uint8Array;
  /** See `lowerTable`. */
  private readonly lower: Uint16Array;

  // Per-call scratch, reused: word characters, word ends, the n-gram set, language sums.
  private readonly chars = new Uint8Array(ENFORCE_CUT_AFTER + 8);
  private readonly wordEnds = new Int32Array(ENFORCE_CUT_AFTER + 8);
  private readonly setLo = new Int32Array(1024);
  private readonly setHi = new Int32Array(1024);
  private readonly setStamp = new Int32Array(1024);
  private stamp = 0;
  private readonly sums: Float64Array;
  private readonly key = new Uint8Array(MAX_KEY);

  constructor(table: EldTable, constants: EldConstants) {
    const count = table.codes.length;
    this.codes = table.codes;
    this.avg = Float64Array.from(this.codes, (c) => constants.avgScore[c] ?? Number.NaN);
    this.sums = new Float64Array(count);
    this.separator = separatorTable(constants.separators);
    this.lower = lowerTable(this.separator);
    for (let b = 0; b < 256; b++) {
      const c = constants.dictionary[b]!.charCodeAt(0);
      if (c > 255) throw new Error(`eld dictionary entry ${b} is outside Latin-1`);
      this.byteChar[b] = c;
    }
    const keys = table.keyLo.length;
    let size = 1;
    while (size < keys * 3) size <<= 1;
    this.mask = size - 1;
    const slots = new Int32Array(size * 4);
    this.slots = slots;
    this.pairLang = table.pairLang;
    this.pairScore = table.pairScore;
    let at = 0;
    for (let k = 0; k < keys; k++) {
      const lo = table.keyLo[k]!;
      const hi = table.keyHi[k]!;
      let slot = hashKey(lo, hi) & this.mask;
      while (slots[slot * 4 + 1] !== 0) slot = (slot + 1) & this.mask;
      slots[slot * 4] = lo;
      slots[slot * 4 + 1] = hi;
      slots[slot * 4 + 2] = at;
      at += table.pairCounts[k]!;
      slots[slot * 4 + 3] = at;
    }
    if (at !== table.pairLang.length) throw new Error(`eld table: ${at} pairs counted, ${table.pairLang.length} stored`);
    for (const l of table.pairLang) if (l >= count) throw new Error(`eld table: language index ${l} of ${count}`);
  }

  /** eld's `detect(text)`: language, top score and reliability. */
  detect(input: string): EldVerdict {
    let words = this.encodeInput(input);
    if (words < 0) words = this.encodeWords(this.replaceSeparators(input.substring(0, MAX_CHARS)).trim().toLowerCase());
    const sums = this.sums;
    sums.fill(0);
    const distinct = this.countNgrams(words);
    return this.verdict(distinct);
  }

  /**
   * `text.replace(separators, ' ')` without the regular expression: eld's pattern
   * `[^L]+(?<!['`’])` turns each run of non-letters into one space, except that apostrophes
   * ending a run stay (so "l'eau" and "don't" keep theirs) and a run of apostrophes alone stays.
   * Code points outside the BMP are never in eld's (BMP) letter class.
   */
  private replaceSeparators(text: string): string {
    const sep = this.separator;
    let out = '';
    let copied = 0;
    let i = 0;
    const n = text.length;
    while (i < n) {
      if (sep[text.charCodeAt(i)] === 0) {
        i++;
        continue;
      }
      const start = i;
      let lastOther = -1;
      while (i < n) {
        const c = text.charCodeAt(i);
        if (sep[c] === 0) break;
        if (c !== 0x27 && c !== 0x60 && c !== 0x2019) lastOther = i;
        i++;
      }
      if (lastOther < 0) continue;
      out += text.slice(copied, start) + ' ';
      copied = lastOther + 1;
    }
    return copied === 0 ? text : out + text.slice(copied);
  }

  /**
   * `encodeWords(replaceSeparators(input.substring(0, MAX_CHARS)).trim().toLowerCase())` in one
   * pass, without the three strings: a run of separators becomes a space (or stays, if it is
   * apostrophes only; apostrophes ending a run stay after the space), the space of a run that
   * opens or closes the text is what trim drops, and letters are lower-cased by table. Returns
   * -1 for a text with a letter the table cannot lower-case alone (see `lowerTable`); the caller
   * then takes the string path. Building the strings cost about a third of eld's time per piece.
   */
  private encodeInput(input: string): number {
    const sep = this.separator;
    const lower = this.lower;
    const chars = this.chars;
    const ends = this.wordEnds;
    const bc = this.byteChar;
    const len = input.length < MAX_CHARS ? input.length : MAX_CHARS;
    let n = 0;
    let words = 0;
    let wordStart = 0;
    let countBytes = 0;
    let started = false;
    let i = 0;
    while (i < len) {
      let c = input.charCodeAt(i);
      if (sep[c] === 0) {
        c = lower[c]!;
        if (c === STRING_PATH) return -1;
        started = true;
        i++;
      } else {
        const start = i;
        let lastOther = -1;
        for (; i < len; i++) {
          const d = input.charCodeAt(i);
          if (sep[d] === 0) break;
          if (d !== 0x27 && d !== 0x60 && d !== 0x2019) lastOther = i;
        }
        let from = start;
        if (lastOther >= 0) {
          from = lastOther + 1;
          // The run's space, unless trim drops it: at the start, or at the end with nothing kept.
          if (started && !(from === len)) {
            if (n > wordStart) {
              ends[words++] = n;
              wordStart = n;
            }
            if (countBytes > CUT_AFTER) break;
            countBytes++;
            if (countBytes > ENFORCE_CUT_AFTER) break;
          }
        }
        if (from === i) continue;
        // Apostrophes the run keeps: the first goes through the letter path below, the others
        // are handled on the next rounds as a run of apostrophes only (kept whole, no space).
        c = input.charCodeAt(from);
        i = from + 1;
        started = true;
      }
      const end = putBmpUnit(chars, n, c, bc);
      countBytes += end - n;
      n = end;
      if (countBytes > ENFORCE_CUT_AFTER) break;
    }
    if (n > wordStart) ends[words++] = n;
    return words;
  }

  /**
   * eld's strToUtf8Bytes: the UTF-8 bytes of the text as dictionary characters, split into
   * words at spaces, cut at the first space after 350 bytes or anywhere after 380. Returns the
   * number of words; their characters are in `chars`, their ends in `wordEnds`.
   */
  private encodeWords(str: string): number {
    const chars = this.chars;
    const ends = this.wordEnds;
    const bc = this.byteChar;
    let n = 0;
    let words = 0;
    let wordStart = 0;
    let countBytes = 0;
    for (let ii = 0; ii < str.length; ii++) {
      let c = str.charCodeAt(ii);
      if (c < 0x80) {
        if (c === SPACE) {
          if (n > wordStart) {
            ends[words++] = n;
            wordStart = n;
          }
          if (countBytes > CUT_AFTER) break;
        } else {
          chars[n++] = c;
        }
        countBytes++;
      } else if (c < 0xd800 || c >= 0xe000) {
        const end = putBmpUnit(chars, n, c, bc);
        countBytes += end - n;
        n = end;
      } else {
        ii++;
        c = 0x10000 + (((c & 0x3ff) << 10) | (str.charCodeAt(ii) & 0x3ff));
        chars[n++] = bc[0xf0 | (c >> 18)]!;
        chars[n++] = bc[0x80 | ((c >> 12) & 0x3f)]!;
        chars[n++] = bc[0x80 | ((c >> 6) & 0x3f)]!;
        chars[n++] = bc[0x80 | (c & 0x3f)]!;
        countBytes += 4;
      }
      if (countBytes > ENFORCE_CUT_AFTER) break;
    }
    if (n > wordStart) ends[words++] = n;
    return words;
  }

  /**
   * eld's getByteNgrams + calculateScores: every distinct n-gram of the words (4 bytes, stride 3,
   * a leading space on a word's first and a trailing space on its last) adds its scores.
   * Returns the number of distinct n-grams.
   */
  private countNgrams(words: number): number {
    const chars = this.chars;
    const key = this.key;
    this.stamp++;
    let distinct = 0;
    let longKeys: Set<string> | undefined;
    let start = 0;
    for (let w = 0; w < words; w++) {
      const end = this.wordEnds[w]!;
      const full = end - start;
      const len = full > MAX_WORD ? MAX_WORD : full;
      let j = 0;
      for (; j + 4 < len; j += 3) {
        const at = start + j;
        if (j === 0) {
          key[0] = SPACE;
          key[1] = chars[at]!;
          key[2] = chars[at + 1]!;
          key[3] = chars[at + 2]!;
          key[4] = chars[at + 3]!;
          distinct += this.addNgram(5);
        } else {
          key[0] = chars[at]!;
          key[1] = chars[at + 1]!;
          key[2] = chars[at + 2]!;
          key[3] = chars[at + 3]!;
          distinct += this.addNgram(4);
        }
      }
      // eld: (j === 0 ? ' ' : '') + word.substring(len !== 3 ? len - 4 : 0) + ' ', where the
      // substring runs to the end of the whole word even when it is longer than 70.
      const from = start + (len !== 3 ? Math.max(0, len - 4) : 0);
      const keyLen = (j === 0 ? 1 : 0) + (end - from) + 1;
      if (keyLen <= MAX_KEY) {
        let k = 0;
        if (j === 0) key[k++] = SPACE;
        for (let i = from; i < end; i++) key[k++] = chars[i]!;
        key[k++] = SPACE;
        distinct += this.addNgram(keyLen);
      } else {
        // Longer than any n-gram of the database: counts as a distinct n-gram, scores nothing.
        longKeys ??= new Set();
        const s = String.fromCharCode(...chars.subarray(from, end));
        if (!longKeys.has(s)) {
          longKeys.add(s);
          distinct++;
        }
      }
      start = end;
    }
    return distinct;
  }

  /** Adds the n-gram in `key[0..len)` unless already seen in this call; 1 if it was new. */
  private addNgram(len: number): number {
    const key = this.key;
    const lo = packLo(key, len);
    const hi = packHi(key, len);
    const h = hashKey(lo, hi);
    let slot = h & 1023;
    while (this.setStamp[slot] === this.stamp) {
      if (this.setLo[slot] === lo && this.setHi[slot] === hi) return 0;
      slot = (slot + 1) & 1023;
    }
    this.setStamp[slot] = this.stamp;
    this.setLo[slot] = lo;
    this.setHi[slot] = hi;
    const slots = this.slots;
    let at = (h & this.mask) * 4;
    for (;;) {
      const khi = slots[at + 1]!;
      if (khi === 0) return 1;
      if (khi === hi && slots[at] === lo) break;
      at = (at + 4) & (this.mask * 4 + 3);
    }
    const sums = this.sums;
    const lang = this.pairLang;
    const score = this.pairScore;
    for (let p = slots[at + 2]!, e = slots[at + 3]!; p < e; p++) {
      const l = lang[p]!;
      sums[l] = sums[l]! + score[p]! + BASE_NGRAM_SCORE;
    }
    return 1;
  }

  /** eld's getMaxLang, orderAndScale (stable descending order) and isReliable. */
  private verdict(numNgrams: number): EldVerdict {
    const sums = this.sums;
    let maxLang = -1;
    let maxVal = 0;
    let first = -1;
    let firstScore = -1;
    let second = -1;
    let secondScore = -1;
    for (let i = 0; i < sums.length; i++) {
      const v = sums[i]!;
      if (v <= 0) continue;
      if (v > maxVal) {
        maxVal = v;
        maxLang = i;
      }
      const ngramScore = v / numNgrams;
      const scaled = ngramScore / (ngramScore + SCALE);
      if (scaled > firstScore) {
        second = first;
        secondScore = firstScore;
        first = i;
        firstScore = scaled;
      } else if (scaled > secondScore) {
        second = i;
        secondScore = scaled;
      }
    }
    if (maxLang < 0) return { language: '', score: 0, reliable: false };
    // eld compares the top score with the runner-up's language index (results[1][0]), not its
    // score; reproduced as is so that reliability is eld's.
    const next = second >= 0 ? second : 0;
    const reliable = numNgrams >= 3 && !(this.avg[maxLang]! * RELIABLE_RATIO > firstScore || 0.01 > Math.abs(firstScore - next));
    return { language: this.codes[maxLang]!, score: firstScore, reliable };
  }
}
