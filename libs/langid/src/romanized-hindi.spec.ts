import { addRomanizedHindi, countRomanizedHindi, emptyRomanizedHindiCount, ROMANIZED_HINDI_MIN_DISTINCT, romanizedHindiShare } from './romanized-hindi';

// A code-mixed medical question of the MMCQS data (Adithiyanpv/Multimodal-Code-Switching-Medical-Query-Summarization, test_updated.csv).
const HINGLISH = 'Mujhe hsv 1 aur 2 ke liye blood test karaya tha aur uska result negative tha. Ye kya ho sakta hai.';
// English naming Indian remedies (indiashorts.com, winter remedies).
const ENGLISH_WITH_HINDI_WORDS = 'Golden milk, or haldi doodh, is a staple remedy in Indian households. Kadha is a traditional Ayurvedic remedy.';

describe('romanized Hindi count', () => {
  it('counts the Hindi function words of Hinglish among its Latin words', () => {
    const c = addRomanizedHindi(HINGLISH, emptyRomanizedHindiCount());
    expect(c.words).toBe(19);
    expect([...c.distinct].sort()).toEqual(['aur', 'hai', 'ke', 'kya', 'liye', 'mujhe', 'sakta', 'tha', 'uska']);
    expect(c.hindiWords).toBe(11);
    expect(c.distinct.size).toBeGreaterThanOrEqual(ROMANIZED_HINDI_MIN_DISTINCT);
    expect(romanizedHindiShare(c)).toBeCloseTo(11 / 19);
  });

  it('does not count Hindi content words in English text', () => {
    const c = addRomanizedHindi(ENGLISH_WITH_HINDI_WORDS, emptyRomanizedHindiCount());
    expect(c.hindiWords).toBe(0);
    expect(romanizedHindiShare(c)).toBe(0);
    // Nor scans it word by word: it holds none of the six frequent words.
    expect(countRomanizedHindi([ENGLISH_WITH_HINDI_WORDS])).toBeUndefined();
  });

  it('reads words case-insensitively and does not look up words with letters outside ASCII', () => {
    const c = addRomanizedHindi('KYA Mujhe Hai … kyà hài', emptyRomanizedHindiCount());
    expect(c).toMatchObject({ words: 5, hindiWords: 3 });
  });

  it('counts word by word only texts that hold one of six frequent words', () => {
    // Three different function words, but none of hai, hain, mein, nahi, aur, kya: not counted.
    expect(countRomanizedHindi(['Mujhe dard ho raha tha'])).toBeUndefined();
    const c = countRomanizedHindi(['Mujhe dard ho raha tha', 'Dard bahut hai']);
    expect(c).toMatchObject({ words: 8, hindiWords: 5 });
  });
});
