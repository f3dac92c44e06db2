import { createCld3Detector } from './cld3-detector';
import { combineDetections, createCombinedDetector, eldDecidesAlone, FAST_PATH_MIN_LETTERS, loanwordHindi } from './combined-detector';
import type { Detection, LanguageDetector } from './detector';
import { createEldDetector, splitByBytes } from './eld-detector';

const SENTENCES: Record<string, string> = {
  en: 'The patient has had a high fever and a dry cough for three days.',
  zh: '患者发热三天，伴有咳嗽、咽痛和全身乏力等症状。',
  es: 'El paciente tiene fiebre alta y tos seca desde hace tres días.',
  fr: 'Le patient présente une fièvre élevée et une toux sèche depuis trois jours.',
  ar: 'يعاني المريض من ارتفاع في درجة الحرارة وسعال جاف منذ ثلاثة أيام.',
  hi: 'मरीज़ को पिछले तीन दिनों से तेज़ बुखार और सूखी खाँसी है।',
};

let cld3: LanguageDetector;
let eld: LanguageDetector;

beforeAll(async () => {
  [cld3, eld] = await Promise.all([createCld3Detector(), createEldDetector()]);
});
afterAll(() => {
  cld3.dispose();
  eld.dispose();
});

describe.each(['cld3', 'eld'])('%s wrapper', (name) => {
  const detector = () => (name === 'cld3' ? cld3 : eld);

  it.each(Object.entries(SENTENCES))('detects %s in one short sentence, reliably, with a score in (0, 1]', (lang, text) => {
    const d = detector().detect(text);
    expect(d.lang).toBe(lang);
    expect(d.reliable).toBe(true);
    expect(d.score).toBeGreaterThan(0);
    expect(d.score).toBeLessThanOrEqual(1);
    expect(d.spans?.[0]?.lang).toBe(lang);
  });

  it('does not call junk reliable', () => {
    for (const junk of ['Hi', '12345 67890', 'Paracetamol 500 mg', '']) expect(detector().detect(junk).reliable).toBe(false);
  });

  it('returns und for a text without letters', () => {
    expect(detector().detect('12345 67890 !!!').lang).toBe('und');
  });
});

describe('cld3 wrapper', () => {
  it('splits mixed text into language spans with shares', () => {
    const d = cld3.detect(`${SENTENCES.en} ${SENTENCES.zh} ${SENTENCES.zh}`);
    const langs = d.spans!.map((s) => s.lang);
    expect(langs).toEqual(expect.arrayContaining(['en', 'zh']));
    const total = d.spans!.reduce((n, s) => n + s.share, 0);
    expect(total).toBeGreaterThan(0.9);
    expect(total).toBeLessThanOrEqual(1.0001);
  });

  it('is not stopped by control characters', () => {
    expect(cld3.detect(`\u0001${SENTENCES.fr}`).lang).toBe('fr');
  });
});

describe('eld wrapper', () => {
  it('cuts texts into pieces eld reads completely, keeping words and surrogate pairs whole', () => {
    const text = `${SENTENCES.fr} `.repeat(20) + '𠀀'.repeat(200);
    const pieces = splitByBytes(text, 330);
    expect(pieces.join('')).toBe(text);
    for (const p of pieces) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(334);
    for (const p of pieces) expect(p).not.toMatch(/^[\udc00-\udfff]/);
  });

  it('reads past the first 350 bytes: a French text with a long Spanish tail has both spans', () => {
    const d = eld.detect(`${SENTENCES.fr} ${SENTENCES.fr} ${SENTENCES.fr} ${SENTENCES.es} ${SENTENCES.es} ${SENTENCES.es} ${SENTENCES.es} ${SENTENCES.es} ${SENTENCES.es}`);
    expect(d.spans!.map((s) => s.lang)).toEqual(expect.arrayContaining(['fr', 'es']));
  });
});

describe('combined detector', () => {
  const det = (lang: string, score: number, reliable = true): Detection => ({ lang, score, reliable, spans: [{ lang, share: 1, score }] });

  it("keeps eld's language and score scale when the detectors agree", () => {
    const d = combineDetections(det('en', 0.99), det('en', 0.72));
    expect(d).toMatchObject({ lang: 'en', score: 0.72 });
    expect(d.spans![0]!.score).toBe(0.72);
  });

  it('lets eld decide alone only on long, clear windows, Hindi only with Hindi function words', () => {
    const text = 'some text';
    expect(eldDecidesAlone(det('en', 0.8), 300, text)).toBe(true);
    expect(eldDecidesAlone(det('en', 0.8), FAST_PATH_MIN_LETTERS, text)).toBe(true);
    expect(eldDecidesAlone(det('en', 0.8), FAST_PATH_MIN_LETTERS - 1, text)).toBe(false); // short: ask cld3 too
    expect(eldDecidesAlone(det('en', 0.5), 300, text)).toBe(false); // unclear
    expect(eldDecidesAlone(det('en', 0.8, false), 300, text)).toBe(false); // unreliable
    expect(eldDecidesAlone(det('pt', 0.95), 300, text)).toBe(false); // not a target: cld3 confirms
    // eld confuses Nepali and Marathi with Hindi: only clear Hindi skips cld3.
    const hindi = 'मधुमेह एक दीर्घकालीन रोग है, जिसमें शरीर इंसुलिन का सही उपयोग नहीं कर पाता और रक्त में शर्करा का स्तर बढ़ जाता है।';
    const marathi = 'मधुमेह हा एक दीर्घकालीन आजार आहे, ज्यामध्ये शरीर इन्सुलिनचा योग्य वापर करू शकत नाही आणि रक्तातील साखरेचे प्रमाण जास्त राहते.';
    const nepali = 'मधुमेह एक दीर्घकालीन रोग हो, जसमा शरीरले इन्सुलिनलाई राम्ररी प्रयोग गर्न सक्दैन र रगतमा चिनीको मात्रा बढी रहन्छ।';
    expect(eldDecidesAlone(det('hi', 0.95), 300, hindi)).toBe(true);
    expect(eldDecidesAlone(det('hi', 0.95), 300, marathi)).toBe(false);
    expect(eldDecidesAlone(det('hi', 0.95), 300, nepali)).toBe(false);
    // Hindi with a word of Nepali in it is not shown to be Hindi.
    expect(eldDecidesAlone(det('hi', 0.95), 300, `${hindi} यो`)).toBe(false);
    // Pieces eld gives to Marathi inside clear Hindi are its confusion; English pieces are not.
    const split = (other: string): Detection => ({ lang: 'hi', score: 0.9, reliable: true, spans: [{ lang: 'hi', share: 0.7, score: 0.9 }, { lang: other, share: 0.3, score: 0.8 }] });
    expect(eldDecidesAlone(split('mr'), 300, hindi)).toBe(true);
    expect(eldDecidesAlone(split('mr'), 300, marathi)).toBe(false);
    expect(eldDecidesAlone(split('en'), 300, hindi)).toBe(false);
  });

  it('asks cld3 only when eld is not clear', () => {
    let cld3Calls = 0;
    const fakeCld3: LanguageDetector = { name: 'cld3', detect: () => (cld3Calls++, det('ne', 0.99)), dispose: () => undefined };
    const fakeEld = (d: Detection): LanguageDetector => ({ name: 'eld', detect: () => d, dispose: () => undefined });
    const long = 'x'.repeat(200);
    expect(createCombinedDetector(fakeCld3, fakeEld(det('en', 0.8))).detect(long).lang).toBe('en');
    expect(cld3Calls).toBe(0);
    expect(createCombinedDetector(fakeCld3, fakeEld(det('hi', 0.9))).detect('बिरामीलाई तीन दिनदेखि उच्च ज्वरो आएको छ। '.repeat(5)).lang).toBe('ne');
    expect(cld3Calls).toBe(1);
    // Decided alone, a Hindi window with pieces eld gave to Marathi is Hindi, whole.
    const hindi = 'मधुमेह एक दीर्घकालीन रोग है, जिसमें शरीर इंसुलिन का सही उपयोग नहीं कर पाता और रक्त में शर्करा का स्तर बढ़ जाता है।';
    const split: Detection = { lang: 'hi', score: 0.9, reliable: true, spans: [{ lang: 'hi', share: 0.7, score: 0.9 }, { lang: 'mr', share: 0.3, score: 0.8 }] };
    expect(createCombinedDetector(fakeCld3, fakeEld(split)).detect(`${hindi} ${hindi}`).spans).toEqual([{ lang: 'hi', share: 1, score: 0.9 }]);
    expect(cld3Calls).toBe(1);
  });

  it('lets a confident cld3 win a disagreement (Nepali that eld calls Hindi)', () => {
    expect(combineDetections(det('ne', 0.99), det('hi', 0.88)).lang).toBe('ne');
  });

  it('takes eld when cld3 is unsure (short English that cld3 calls Latin)', () => {
    expect(combineDetections(det('la', 0.43, false), det('en', 0.7)).lang).toBe('en');
  });

  it("takes cld3's Marathi or Nepali in a window eld calls Hindi for loanwords, unless the window holds their function words", () => {
    const eldHindi = det('hi', 0.86);
    const cld3Split: Detection = { lang: 'hi', score: 1, reliable: true, spans: [{ lang: 'hi', share: 0.57, score: 1 }, { lang: 'mr', share: 0.32, score: 0.82 }, { lang: 'hu', share: 0.11, score: 0.53 }] };
    // Hindi function word है, no Marathi or Nepali one: the Marathi span is Hindi, on eld's scale.
    expect(loanwordHindi(cld3Split, eldHindi, 'डायबिटीज़(Diabetes) ऐसी ही एक समस्या है।').spans).toEqual([
      { lang: 'hi', share: 0.57 + 0.32, score: 0.86 },
      { lang: 'hu', share: 0.11, score: 0.53 },
    ]);
    expect(loanwordHindi(det('mr', 0.94), eldHindi, 'डायबिटीज़ और ब्लड प्रेशर की जांच ज़रूरी है')).toMatchObject({ lang: 'hi', score: 0.86 });
    // Marathi (आहे, आणि) and Nepali (छ) windows keep cld3's answer, and so does a window without any function word.
    expect(loanwordHindi(det('mr', 0.94), eldHindi, 'मधुमेह हा आजार आहे आणि डायबिटीज कॉमन आहे').lang).toBe('mr');
    expect(loanwordHindi(det('ne', 0.99), eldHindi, 'उच्च रक्तचापको समस्या छ').lang).toBe('ne');
    expect(loanwordHindi(det('mr', 0.94), eldHindi, 'वीक आई साइट, वेरीकोज वेन्स, डीवीटी').lang).toBe('mr');
    // Only when eld reliably says Hindi.
    expect(loanwordHindi(det('mr', 0.94), det('en', 0.8), 'डायबिटीज़ और ब्लड प्रेशर की जांच ज़रूरी है').lang).toBe('mr');
  });

  it('keeps real Hindi with loanwords Hindi, and real Marathi and Nepali apart from it, with both models loaded', () => {
    const combined = createCombinedDetector(cld3, eld);
    // thehealthsite.com (Hindi): cld3 alone gives hi 0.57, mr 0.32.
    expect(combined.detect('डायबिटीज़(Diabetes) ऐसी ही एक समस्या है।').spans?.[0]).toMatchObject({ lang: 'hi', share: expect.closeTo(0.89, 2) });
    // lokmat.news18.com (Marathi) and onlinekhabar.com (Nepali), both with loanwords.
    expect(combined.detect('कोल्ड ड्रिंक्समुळे मधुमेहाच्या रुग्णांना हानी पोहोचते, त्यामुळे ते टाळायलाच हवेत.').lang).toBe('mr');
    expect(combined.detect('इन्सुलिनले रगतमा भएको चिनी (ब्लड सुगर) लाई कोषहरूमा पुर्याएर ऊर्जा बनाउन सहयोग गर्छ ।').lang).toBe('ne');
  });

  it('detects every target language with both models loaded', () => {
    const combined = createCombinedDetector(cld3, eld);
    for (const [lang, text] of Object.entries(SENTENCES)) expect(combined.detect(text).lang).toBe(lang);
  });

  it('keeps Nepali and Urdu apart from Hindi and Arabic', () => {
    const combined = createCombinedDetector(cld3, eld);
    expect(combined.detect('बिरामीलाई तीन दिनदेखि उच्च ज्वरो आएको छ।').lang).toBe('ne');
    expect(combined.detect('مریض کو تین دن سے تیز بخار ہے۔').lang).toBe('ur');
  });
});
