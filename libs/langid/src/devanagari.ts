/**
 * Function words that tell Hindi from the other languages written in Devanagari that the
 * detectors know (Marathi, Nepali). eld takes Marathi and Nepali text for Hindi, so a window eld
 * calls Hindi goes to cld3, which separates them; these lists let clear Hindi skip that call,
 * and keep cld3 from calling Hindi Marathi or Nepali for its English loanwords (डायबिटीज).
 * Only words that are common in one language and absent (as whole words) from the others are
 * listed: shared ones (के, को, का, हो, एक, होते) are not evidence either way.
 */
const HINDI = new Set(['है', 'हैं', 'था', 'थे', 'थी', 'में', 'और', 'नहीं', 'से', 'की', 'लिए', 'किया', 'करते', 'करता', 'होता', 'होती', 'जाता', 'जाती', 'रहा', 'रहे', 'गया', 'यह', 'वह', 'इस', 'उस', 'भी', 'तक', 'साथ', 'कुछ', 'जो', 'पर']);
const MARATHI_NEPALI = new Set([
  // Marathi
  'आहे', 'आहेत', 'आणि', 'नाही', 'मध्ये', 'केले', 'करणे', 'असते', 'असतो', 'त्या', 'म्हणून', 'किंवा', 'होतो', 'झाले', 'घ्या', 'आपल्या', 'त्यांना',
  'हा', 'काय', 'कोणते', 'कोणता', 'कोणती', 'खालीलपैकी', 'करतात', 'होतात', 'असतात', 'आढळते', 'म्हणजे', 'तर',
  // Nepali
  'छ', 'छन्', 'पनि', 'र', 'मा', 'गर्न', 'भएको', 'गरेको', 'हुन्छ', 'यो', 'त्यो', 'थियो', 'लागि', 'सक्छ', 'छैन', 'हुने', 'जुन', 'गर्नुहोस्', 'गर्छ', 'भने',
  'कुन', 'तलका', 'हुन्', 'गर्दछ', 'गर्छन्', 'हुन्छन्', 'भयो', 'गरी',
]);

/** Least number of Hindi function words a window needs to count as clear Hindi. */
export const HINDI_MIN_MARKERS = 3;
/** Least share of the window's Devanagari words that must be Hindi function words. */
export const HINDI_MIN_MARKER_SHARE = 0.05;

const WORD = /[\u0900-\u0963\u0971-\u097f\u200c\u200d]+/g;

/** Function words of a Devanagari text. */
export interface DevanagariFunctionWords {
  /** Devanagari words. */
  words: number;
  /** Hindi function words (the HINDI list). */
  hindi: number;
  /** Marathi or Nepali function words. */
  marathiNepali: number;
}

/** Counts a Devanagari text's words and its Hindi, Marathi and Nepali function words. */
export function devanagariFunctionWords(text: string): DevanagariFunctionWords {
  const out: DevanagariFunctionWords = { words: 0, hindi: 0, marathiNepali: 0 };
  for (const m of text.matchAll(WORD)) {
    const w = m[0];
    out.words++;
    if (HINDI.has(w)) out.hindi++;
    else if (MARATHI_NEPALI.has(w)) out.marathiNepali++;
  }
  return out;
}

/**
 * Whether a Devanagari text reads as clear Hindi: enough Hindi function words and none that
 * belongs to Marathi or Nepali. False means "not shown", not "not Hindi".
 */
export function isClearHindi(text: string): boolean {
  const f = devanagariFunctionWords(text);
  return f.marathiNepali === 0 && f.hindi >= HINDI_MIN_MARKERS && f.hindi >= HINDI_MIN_MARKER_SHARE * f.words;
}
