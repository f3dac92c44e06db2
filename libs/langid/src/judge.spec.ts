import { defaultLangidConfig, type LangidConfig } from './config';
import type { Detection, LanguageDetector } from './detector';
import { decide, decideByText, judgeText, mergeWindowDetections, textSignals, type LanguageShare } from './judge';
import { scriptProfile } from './script';

const config: LangidConfig = defaultLangidConfig();
const FR = 'Le patient présente une fièvre élevée et une toux sèche depuis trois jours.';
const ZH = '患者发热三天，伴有咳嗽、咽痛和全身乏力等症状。';
const share = (lang: string, s: number, score = 0.99): LanguageShare => ({ lang, share: s, score });
// A code-mixed medical question of the MMCQS data (Adithiyanpv/Multimodal-Code-Switching-Medical-Query-Summarization).
const HINGLISH =
  'Mujhe 2 mahine pehle ek PICC line hatwa di gayi thi aur wo sahi se heal ho gaya tha lekin aaj maine dekha ki skin ke neeche ek quarter ke size ka ek ganth ban rahi hai aur site par bahut jyada itching ho rahi hai.';
// The department menu of a hospital site (hulin32/hospital-register-system), one link per line.
const MENU = '医院简介\n普通门诊\n妇科\n乳腺科\n新生儿科\n儿外科\n麻醉手术室\n儿内科\n分院妇产科\n分院儿内科';
const signalsOf = (text: string) => textSignals([text], scriptProfile(text), config.notProseLabelShare);
const noDetector: LanguageDetector = {
  name: 'combined',
  detect: () => {
    throw new Error('the detector was called');
  },
  dispose: () => undefined,
};

describe('decide', () => {
  it('keeps a target language whose share and score pass, with the runner-up', () => {
    const v = decide([share('fr', 0.8), share('en', 0.2)], scriptProfile(FR), config);
    expect(v).toEqual({ keep: true, lang: 'fr', score: 0.99, share: 0.8, runnerUp: share('en', 0.2) });
  });

  it('drops texts with fewer letters than minLetters as too_short', () => {
    const v = decide([share('en', 1)], scriptProfile('Paracetamol 500 mg'), config);
    expect(v).toMatchObject({ keep: false, reason: 'too_short', detail: '13 letters < 15' });
    expect(decide([share('en', 1)], scriptProfile('Paracetamol 500 mg'), { ...config, minLetters: 10 }).keep).toBe(true);
  });

  it('names the detected language of a non-target text', () => {
    const v = decide([share('pt', 1)], scriptProfile('O paciente tem febre alta há três dias.'), config);
    expect(v).toMatchObject({ keep: false, reason: 'lang_not_target', detail: 'pt', lang: 'pt' });
  });

  it('keeps the majority target language of a mixed document when its share passes minLangShare', () => {
    const v = decide([share('zh', 0.7), share('en', 0.3)], scriptProfile(ZH + ' CT scan'), config);
    expect(v).toMatchObject({ keep: true, lang: 'zh', share: 0.7 });
  });

  it('judges by the target share, not by the first language: a minority non-target does not matter', () => {
    const v = decide([share('ja', 0.35), share('zh', 0.65)], scriptProfile(ZH), config);
    expect(v).toMatchObject({ keep: true, lang: 'zh' });
  });

  it('drops a document without a dominant language as lang_mixed', () => {
    const v = decide([share('en', 0.5), share('zh', 0.45)], scriptProfile(FR + ZH), config);
    expect(v).toMatchObject({ keep: false, reason: 'lang_mixed', detail: 'en:0.50 zh:0.45' });
    expect(decide([share('en', 0.5), share('zh', 0.45)], scriptProfile(FR + ZH), { ...config, minLangShare: 0.5 })).toMatchObject({ keep: true, lang: 'en' });
  });

  it('drops a target language written in the wrong script (pinyin detected as zh)', () => {
    const v = decide([share('zh', 1)], scriptProfile('huanzhe fare santian banyou kesou yantong'), config);
    expect(v).toMatchObject({ keep: false, reason: 'script_mismatch', lang: 'zh' });
  });

  it('drops a score under the language threshold as lang_low_score, with per-language thresholds', () => {
    const low = decide([share('fr', 1, 0.65)], scriptProfile(FR), config);
    expect(low).toMatchObject({ keep: false, reason: 'lang_low_score', detail: 'fr 0.650 < 0.7' });
    expect(decide([share('fr', 1, 0.65)], scriptProfile(FR), { ...config, thresholds: { fr: 0.6 } }).keep).toBe(true);
  });

  it('uses defaultThreshold for a kept language without an entry', () => {
    const de = 'Der Patient hat seit drei Tagen hohes Fieber und Husten.';
    const cfg = { ...config, languages: ['de'], thresholds: {}, defaultThreshold: 0.9 };
    expect(decide([share('de', 1, 0.95)], scriptProfile(de), cfg).keep).toBe(true);
    expect(decide([share('de', 1, 0.5)], scriptProfile(de), cfg)).toMatchObject({ reason: 'lang_low_score' });
  });

  it('calls a text without any language lang_low_score', () => {
    expect(decide([], scriptProfile(FR), config)).toMatchObject({ keep: false, reason: 'lang_low_score', lang: 'und' });
  });
});

describe('decideByText', () => {
  it('drops a list of short labels as not_prose, and leaves prose to the detector', () => {
    expect(decideByText(scriptProfile(MENU), signalsOf(MENU), config)).toMatchObject({ keep: false, reason: 'not_prose', detail: '10 of 10 lines are short labels, 1.00 of the characters' });
    expect(decideByText(scriptProfile(FR), signalsOf(FR), config)).toBeUndefined();
    // Fewer than MIN_LABEL_SEGMENTS labels: options under a question stay prose.
    const mcq = 'Virus is cultured in:\nA. Chick embryo\nB. Agar plate\nC. Blood agar\nD. Nutrient broth';
    expect(decideByText(scriptProfile(mcq), signalsOf(mcq), config)).toBeUndefined();
    expect(decideByText(scriptProfile(MENU), signalsOf(MENU), { ...config, notProseLabelShare: 1 })).toMatchObject({ reason: 'not_prose' });
  });

  it('drops Hindi in Latin letters as romanized_hindi, with the count of its Hindi function words', () => {
    const v = decideByText(scriptProfile(HINGLISH), signalsOf(HINGLISH), config);
    expect(v).toMatchObject({ keep: false, reason: 'romanized_hindi', detail: '22 of 45 words are Hindi function words (16 different)', lang: 'hi', score: 0.4889 });
    expect(decideByText(scriptProfile(HINGLISH), signalsOf(HINGLISH), { ...config, minRomanizedHindiShare: 0.5 })).toBeUndefined();
  });

  it('keeps romanized Hindi as hi in Latin script when configured, only when hi is a target', () => {
    const keep = { ...config, romanizedHindi: 'keep' as const };
    expect(decideByText(scriptProfile(HINGLISH), signalsOf(HINGLISH), keep)).toEqual({ keep: true, lang: 'hi', score: 0.4889, share: 1, script: 'latin' });
    expect(decideByText(scriptProfile(HINGLISH), signalsOf(HINGLISH), { ...keep, languages: ['en'] })).toMatchObject({ keep: false, reason: 'romanized_hindi' });
  });

  it('does not count Hindi function words in text mostly in another script', () => {
    const hindi = 'मरीज़ को पिछले तीन दिनों से तेज़ बुखार और सूखी खाँसी है। Mujhe kya karna chahiye, dard bahut hai aur bukhar bhi hai.';
    expect(signalsOf(hindi).romanizedHindi).toBeUndefined();
  });
});

describe('mergeWindowDetections', () => {
  it('weighs windows by letters and spans by share; undetermined text counts for no language', () => {
    const d = (spans: Detection['spans']): Detection => ({ lang: spans![0]!.lang, score: spans![0]!.score, reliable: true, spans });
    const shares = mergeWindowDetections([
      { letters: 300, detection: d([{ lang: 'en', share: 1, score: 0.9 }]) },
      { letters: 100, detection: d([{ lang: 'zh', share: 0.5, score: 0.8 }, { lang: 'en', share: 0.5, score: 0.7 }]) },
      { letters: 100, detection: d([{ lang: 'und', share: 1, score: 0 }]) },
    ]);
    expect(shares.map((s) => s.lang)).toEqual(['en', 'zh']);
    expect(shares[0]!.share).toBeCloseTo(350 / 500);
    expect(shares[0]!.score).toBeCloseTo((300 * 0.9 + 50 * 0.7) / 350);
    expect(shares[1]!.share).toBeCloseTo(50 / 500);
  });
});

describe('judgeText', () => {
  it('detects each sampled window and finds a document whose second half changes language mixed', () => {
    const calls: string[] = [];
    const fake: LanguageDetector = {
      name: 'cld3',
      detect(text) {
        calls.push(text);
        const lang = /[\u4e00-\u9fff]/.test(text) ? 'zh' : 'fr';
        return { lang, score: 0.99, reliable: true };
      },
      dispose: () => undefined,
    };
    const doc = `${FR} `.repeat(100) + ZH.repeat(300);
    expect(judgeText(doc, fake, config)).toMatchObject({ keep: false, reason: 'lang_mixed' });
    expect(calls.length).toBe(Math.ceil(config.sampleChars / config.windowChars));
    expect(calls.reduce((n, c) => n + c.length, 0)).toBeLessThan(doc.length / 2);
  });

  it('decides link lists and romanized Hindi without running the detector', () => {
    expect(judgeText(MENU, noDetector, config)).toMatchObject({ reason: 'not_prose' });
    expect(judgeText(HINGLISH, noDetector, config)).toMatchObject({ reason: 'romanized_hindi' });
  });

  it('does not run the detector on a text that is too short', () => {
    const fake: LanguageDetector = {
      name: 'cld3',
      detect: () => {
        throw new Error('called');
      },
      dispose: () => undefined,
    };
    expect(judgeText('OK 12', fake, config)).toMatchObject({ reason: 'too_short' });
  });
});
