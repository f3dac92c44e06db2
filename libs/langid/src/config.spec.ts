import { DEFAULT_LANGID_CONFIG, DEFAULT_THRESHOLDS, LangidConfigError, resolveLangidConfig } from './config';

describe('resolveLangidConfig', () => {
  it('gives the documented defaults', () => {
    const c = resolveLangidConfig({}, {});
    expect(c).toEqual({ ...DEFAULT_LANGID_CONFIG, thresholds: DEFAULT_THRESHOLDS.combined });
    expect(c.languages).toEqual(['en', 'zh', 'es', 'fr', 'ar', 'hi']);
  });

  it('takes command-line options over the pipeline section over defaults', () => {
    const c = resolveLangidConfig(
      { detector: 'eld', minLetters: '30' },
      { detector: 'cld3', minLetters: 20, sampleChars: 6000, languages: ['en', 'fr'], minLangShare: 0.7 },
    );
    expect(c).toMatchObject({ detector: 'eld', minLetters: 30, sampleChars: 6000, languages: ['en', 'fr'], minLangShare: 0.7 });
    expect(c.thresholds).toEqual(DEFAULT_THRESHOLDS.eld);
  });

  it('merges thresholds entry by entry: CLI over section over the detector defaults', () => {
    const c = resolveLangidConfig({ detector: 'cld3', thresholds: '{"fr":0.5}' }, { thresholds: { fr: 0.6, ar: 0.7 } });
    expect(c.thresholds).toEqual({ ...DEFAULT_THRESHOLDS.cld3, fr: 0.5, ar: 0.7 });
  });

  it('parses a comma-separated language list', () => {
    expect(resolveLangidConfig({ languages: 'en, zh,en' }, {}).languages).toEqual(['en', 'zh']);
  });

  it.each([
    [{ detector: 'fasttext' }, {}, /detector must be one of cld3, eld, combined/],
    [{ thresholds: '{fr:0.5}' }, {}, /--thresholds: thresholds must be JSON/],
    [{ thresholds: '{"fr":1.5}' }, {}, /threshold of fr must be a number in \[0, 1\]/],
    [{ minLetters: '-1' }, {}, /--min-letters must be an integer/],
    [{ languages: '' }, {}, /languages must be a non-empty list/],
    [{}, { minScriptShare: 2 }, /stages.langid.minScriptShare must be a number in \[0, 1\]/],
    [{}, { treshold: 0.5 }, /unknown key "treshold"/],
  ])('rejects bad input %#', (cli, section, message) => {
    expect(() => resolveLangidConfig(cli, section)).toThrow(LangidConfigError);
    expect(() => resolveLangidConfig(cli, section)).toThrow(message);
  });
});
