import type { Detection, LanguageDetector } from './detector';

/** Least cld3 score at which cld3 overrides eld when the two disagree. */
export const CLD3_TRUST = 0.9;

/**
 * cld3 and eld together. When they agree, the language is theirs and the score the higher
 * of the two (two independent models agreeing is stronger evidence than either alone). When
 * they disagree, a confident, reliable cld3 wins (it separates Nepali and Marathi from Hindi,
 * which eld confuses); otherwise eld's answer is taken when it is reliable (eld is better on
 * short English and Spanish questions, where cld3 guesses Latin or Catalan with low scores).
 */
export function combineDetections(cld3: Detection, eld: Detection): Detection {
  if (cld3.lang === eld.lang) {
    const score = Math.max(cld3.score, eld.score);
    // cld3's spans carry byte shares per script run; raise the agreed language's span score.
    const base = cld3.spans?.length ? cld3.spans : eld.spans;
    const spans = base?.map((s) => (s.lang === cld3.lang ? { ...s, score: Math.max(s.score, score) } : s));
    return { lang: cld3.lang, score, reliable: cld3.reliable || eld.reliable, ...(spans ? { spans } : {}) };
  }
  if (cld3.reliable && cld3.score >= CLD3_TRUST) return cld3;
  if (eld.reliable) return eld;
  return cld3.score >= eld.score ? cld3 : eld;
}

export function createCombinedDetector(cld3: LanguageDetector, eld: LanguageDetector): LanguageDetector {
  return {
    name: 'combined',
    detect: (text) => combineDetections(cld3.detect(text), eld.detect(text)),
    dispose() {
      cld3.dispose();
      eld.dispose();
    },
  };
}
