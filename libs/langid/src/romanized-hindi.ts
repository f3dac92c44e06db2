/**
 * Hindi function words as Hindi written in Latin letters ("Hinglish") spells them: pronouns,
 * postpositions, auxiliaries, conjunctions. Content words (dard, dawai, bukhar) are left out, so
 * English text naming Indian remedies or foods (haldi doodh, kadha, paneer) does not count.
 * Left out too are spellings that are words of English, Spanish or French or common in their
 * texts: main, me, se, to, the, is, us, par, na, ho, hu (a surname), mere, hue, fir, agar, jab,
 * hum (all English), ye, ya, jo.
 */
const ROMANIZED_HINDI_WORDS = new Set([
  // be, have: is, are, was, were, am
  'hai', 'hain', 'hoon', 'hun', 'tha', 'thi',
  // negation
  'nahi', 'nahin', 'nhi',
  // pronouns and possessives
  'mujhe', 'mujhko', 'mujhse', 'mera', 'meri', 'aap', 'aapka', 'aapki', 'aapke', 'apna', 'apni', 'apne', 'hamara', 'hamare', 'humara', 'humko',
  'unka', 'unki', 'unke', 'uska', 'uski', 'uske', 'iska', 'iski', 'iske', 'yeh', 'woh',
  // questions
  'kya', 'kyu', 'kyun', 'kyon', 'kaise', 'kaisa', 'kahan', 'kitna', 'kitne', 'kitni',
  // postpositions
  'ka', 'ki', 'ke', 'ko', 'mein', 'liye', 'saath', 'sath', 'pehle', 'baad',
  // auxiliaries and light verbs
  'raha', 'rahi', 'rahe', 'gaya', 'gayi', 'gaye', 'hua', 'hui', 'hota', 'hoti', 'hote', 'karna', 'karta', 'karti', 'karte', 'kiya', 'kar',
  'chahiye', 'sakta', 'sakti', 'sakte', 'lagta', 'lagti', 'wala', 'wali', 'wale',
  // conjunctions, adverbs, quantifiers
  'aur', 'lekin', 'bhi', 'kuch', 'bahut', 'bohot', 'bahot', 'abhi', 'phir', 'toh', 'kyunki', 'isliye', 'jaise', 'jaisa', 'thoda', 'thodi',
  'zyada', 'jyada', 'ek', 'dono', 'donon', 'sirf', 'bilkul', 'kaafi',
]);

/** Longest word in the list: longer words are not looked up. */
const MAX_WORD = 7;

/**
 * Fewest different Hindi function words a text needs: one or two can be chance (Italian
 * "hai", Sesotho "ke ka", Indonesian "ke"); Hinglish sentences hold three or more.
 */
export const ROMANIZED_HINDI_MIN_DISTINCT = 3;

/** Hindi function words in the Latin-letter words of a text. */
export interface RomanizedHindiCount {
  /** Words written in Latin letters. */
  words: number;
  /** Of those, Hindi function words. */
  hindiWords: number;
  /** The different Hindi function words seen. */
  distinct: Set<string>;
}

export const emptyRomanizedHindiCount = (): RomanizedHindiCount => ({ words: 0, hindiWords: 0, distinct: new Set() });

/** Whether a UTF-16 code unit is a Latin letter (ASCII, Latin-1 and Latin Extended-A/B). */
function latinLetter(c: number): 0 | 1 | 2 {
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) return 1;
  return c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7 ? 2 : 0;
}

/**
 * Adds the Latin-letter words of a text and its Hindi function words to `into` (one pass; only
 * ASCII words of up to 7 letters are looked up).
 */
export function addRomanizedHindi(text: string, into: RomanizedHindiCount): RomanizedHindiCount {
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (latinLetter(text.charCodeAt(i)) === 0) {
      i++;
      continue;
    }
    const start = i;
    let ascii = true;
    for (; i < n; i++) {
      const kind = latinLetter(text.charCodeAt(i));
      if (kind === 0) break;
      if (kind === 2) ascii = false;
    }
    into.words++;
    if (ascii && i - start <= MAX_WORD) {
      const word = text.slice(start, i).toLowerCase();
      if (ROMANIZED_HINDI_WORDS.has(word)) {
        into.hindiWords++;
        into.distinct.add(word);
      }
    }
  }
  return into;
}

/**
 * Six of the most frequent of the words (is, are, in, not, and, what): every Hinglish text of
 * the labelled set holds one. A text without any is not counted word by word, so English text,
 * the common case, costs one native regular-expression scan (2-letter words such as ke and ko
 * would double its cost: English text is full of k).
 */
const FREQUENT = /(?<![A-Za-z\u00C0-\u024F])(?:hai|hain|mein|nahi|aur|kya)(?![A-Za-z\u00C0-\u024F])/i;

/** The Hindi function words of texts (the windows sampled from one); undefined when none of the six frequent ones occurs. */
export function countRomanizedHindi(texts: readonly string[]): RomanizedHindiCount | undefined {
  let frequent = false;
  for (let i = 0; i < texts.length && !frequent; i++) frequent = FREQUENT.test(texts[i]!);
  if (!frequent) return undefined;
  const count = emptyRomanizedHindiCount();
  for (const t of texts) addRomanizedHindi(t, count);
  return count;
}

/** Share of the Latin-letter words that are Hindi function words (0 without words). */
export function romanizedHindiShare(count: RomanizedHindiCount): number {
  return count.words === 0 ? 0 : count.hindiWords / count.words;
}
