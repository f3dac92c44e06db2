import type { Detection, LanguageDetector, LanguageSpan } from './detector';
import { devanagariFunctionWords, isClearHindi } from './devanagari';
import { scriptProfile } from './script';

/** Least cld3 score at which cld3 overrides eld when the two disagree. */
export const CLD3_TRUST = 0.9;

/**
 * When eld alone decides a window (the cascade's fast path): eld must call the text reliable,
 * give one of these languages with at least this score, on a window of at least
 * `FAST_PATH_MIN_LETTERS` letters. eld takes Nepali and Marathi for Hindi, so Hindi also needs
 * Hindi function words and none of Marathi's or Nepali's (`isClearHindi`); other Devanagari
 * text goes to cld3, which separates them. The scores sit well above the calibrated thresholds,
 * so only clear text skips cld3 (measured in docs/decisions/0001-language-detector.md).
 */
export const FAST_PATH_MIN_SCORE: Readonly<Record<string, number>> = { en: 0.7, es: 0.7, fr: 0.7, zh: 0.6, ar: 0.8, hi: 0.8 };
export const FAST_PATH_MIN_LETTERS = 30;

/**
 * cld3 and eld together, on eld's score scale. When they agree, the language and score are
 * eld's. When they disagree, a confident, reliable cld3 wins (it separates Nepali and Marathi
 * from Hindi, which eld confuses); otherwise eld's answer is taken when it is reliable (eld is
 * better on short English and Spanish questions, where cld3 guesses Latin or Catalan with low
 * scores).
 */
export function combineDetections(cld3: Detection, eld: Detection): Detection {
  if (cld3.lang === eld.lang) {
    const spans = cld3.spans?.length ? cld3.spans.map((s) => (s.lang === eld.lang ? { ...s, score: eld.score } : s)) : eld.spans;
    return { lang: eld.lang, score: eld.score, reliable: cld3.reliable || eld.reliable, ...(spans ? { spans } : {}) };
  }
  if (cld3.reliable && cld3.score >= CLD3_TRUST) return cld3;
  if (eld.reliable) return eld;
  return cld3.score >= eld.score ? cld3 : eld;
}

const DEVANAGARI_LANGS = new Set(['hi', 'mr', 'ne']);

/**
 * Whether eld's answer on a window is clear enough to skip cld3. Hindi needs Hindi function
 * words and none of Marathi's or Nepali's; then pieces eld gave to Marathi or Nepali are its
 * known confusion, not a second language, and the window is Hindi.
 */
export function eldDecidesAlone(eld: Detection, letters: number, text: string): boolean {
  const min = FAST_PATH_MIN_SCORE[eld.lang];
  if (min === undefined || !eld.reliable || eld.score < min || letters < FAST_PATH_MIN_LETTERS) return false;
  if (eld.lang === 'hi') return (eld.spans ?? []).every((s) => DEVANAGARI_LANGS.has(s.lang)) && isClearHindi(text);
  return (eld.spans?.length ?? 1) <= 1;
}

/** eld's detection of a window it decided alone, as one language (see `eldDecidesAlone`). */
function asOneLanguage(eld: Detection): Detection {
  if ((eld.spans?.length ?? 1) <= 1) return eld;
  const own = eld.spans!.find((s) => s.lang === eld.lang)!;
  return { ...eld, spans: [{ lang: eld.lang, share: 1, score: own.score }] };
}

const MARATHI_NEPALI = new Set(['mr', 'ne']);

/**
 * Hindi dense with English loanwords written in Devanagari (डायबिटीज, ब्लड प्रेशर, इन्फेक्शन)
 * is read by cld3 as Marathi or Nepali, in whole or in part ("डायबिटीज़(Diabetes) ऐसी ही एक
 * समस्या है" gives hi 0.57, mr 0.32). When eld reads the window as Hindi, the window holds a Hindi
 * function word and no Marathi or Nepali one, nothing in it is Marathi or Nepali: those spans
 * are Hindi, with eld's score. Real Marathi and Nepali windows hold their function words (आहे,
 * आणि, छ, पनि), so cld3's answer stands for them.
 */
export function loanwordHindi(combined: Detection, eld: Detection, text: string): Detection {
  if (eld.lang !== 'hi' || !eld.reliable) return combined;
  const spans = combined.spans?.length ? combined.spans : [{ lang: combined.lang, share: 1, score: combined.score }];
  if (!spans.some((s) => MARATHI_NEPALI.has(s.lang))) return combined;
  const words = devanagariFunctionWords(text);
  if (words.marathiNepali > 0 || words.hindi === 0) return combined;
  let hindiShare = 0;
  const others: LanguageSpan[] = [];
  for (const s of spans) {
    if (s.lang === 'hi' || MARATHI_NEPALI.has(s.lang)) hindiShare += s.share;
    else others.push(s);
  }
  const merged = [{ lang: 'hi', share: hindiShare, score: eld.score }, ...others].sort((a, b) => b.share - a.share);
  return { lang: merged[0]!.lang, score: merged[0]!.lang === 'hi' ? eld.score : merged[0]!.score, reliable: true, spans: merged };
}

/**
 * A cascade: eld (about 7x faster than cld3-asm per call) reads every window; cld3 is asked
 * only when eld's answer is not clearly one of the target languages, and then the two are
 * combined. Most of a medical corpus is clear text, so most windows cost one eld call.
 */
export function createCombinedDetector(cld3: LanguageDetector, eld: LanguageDetector): LanguageDetector {
  return {
    name: 'combined',
    detect(text, profile = scriptProfile(text)) {
      const fast = eld.detect(text, profile);
      if (eldDecidesAlone(fast, profile.letters, text)) return asOneLanguage(fast);
      return loanwordHindi(combineDetections(cld3.detect(text), fast), fast, text);
    },
    dispose() {
      cld3.dispose();
      eld.dispose();
    },
  };
}
