import { defaultLangidConfig, type LangidConfig } from './config';
import type { Detection, LanguageDetector } from './detector';
import { decide, judgeText, mergeWindowDetections, type LanguageShare } from './judge';
import { scriptProfile } from './script';

const config: LangidConfig = defaultLangidConfig();
const FR = 'Le patient présente une fièvre élevée et une toux sèche depuis trois jours.';
const ZH = '患者发热三天，伴有咳嗽、咽痛和全身乏力等症状。';
const share = (lang: string, s: number, score = 0.99): LanguageShare => ({ lang, share: s, score });

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
