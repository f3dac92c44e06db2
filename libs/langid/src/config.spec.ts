import { ConfigError, resolveSettings } from '@apollo/stage';
import { defaultLangidConfig, DEFAULT_THRESHOLDS, langidConfig } from './config';
import { LANGID_SETTINGS } from './settings';

/** The stage's configuration as the stage runtime builds it: settings resolved, then `langidConfig`. */
function resolve(cli: Record<string, unknown>, section: Record<string, unknown>) {
  return langidConfig(resolveSettings(LANGID_SETTINGS, { cli: (k) => cli[k], section, sectionPath: 'stages.langid', file: 'p.json' }));
}

describe('langid configuration', () => {
  it('gives the documented defaults', () => {
    const c = resolve({}, {});
    expect(c).toEqual(defaultLangidConfig());
    expect(c.thresholds).toEqual(DEFAULT_THRESHOLDS.combined);
    expect(c.languages).toEqual(['en', 'zh', 'es', 'fr', 'ar', 'hi']);
    expect(c).toMatchObject({ detector: 'combined', minLetters: 15, sampleChars: 1000, windowChars: 250, minLangShare: 0.6, minScriptShare: 0.5 });
    expect(c).toMatchObject({ romanizedHindi: 'drop', minRomanizedHindiShare: 0.15, notProseLabelShare: 0.6 });
  });

  it('takes command-line options over the pipeline section over defaults', () => {
    const c = resolve(
      { detector: 'eld', minLetters: '30' },
      { detector: 'cld3', minLetters: 20, sampleChars: 6000, languages: ['en', 'fr'], minLangShare: 0.7 },
    );
    expect(c).toMatchObject({ detector: 'eld', minLetters: 30, sampleChars: 6000, languages: ['en', 'fr'], minLangShare: 0.7 });
    expect(c.thresholds).toEqual(DEFAULT_THRESHOLDS.eld);
  });

  it('merges thresholds entry by entry: CLI over section over the detector defaults', () => {
    const c = resolve({ detector: 'cld3', thresholds: '{"fr":0.5}' }, { thresholds: { fr: 0.6, ar: 0.7 } });
    expect(c.thresholds).toEqual({ ...DEFAULT_THRESHOLDS.cld3, fr: 0.5, ar: 0.7 });
  });

  it('takes the romanized-Hindi policy from the command line', () => {
    expect(resolve({ romanizedHindi: 'keep' }, {}).romanizedHindi).toBe('keep');
  });

  it('parses a comma-separated language list', () => {
    expect(resolve({ languages: 'en, zh,en' }, {}).languages).toEqual(['en', 'zh']);
  });

  it.each([
    [{ detector: 'fasttext' }, {}, /^--detector: must be one of cld3, eld, combined, got "fasttext"$/],
    [{ thresholds: '{fr:0.5}' }, {}, /^--thresholds: must be an object of numbers in \[0, 1\]/],
    [{ thresholds: '{"fr":1.5}' }, {}, /^--thresholds: must be an object of numbers in \[0, 1\].*at fr/],
    [{ minLetters: '-1' }, {}, /^--min-letters: must be an integer in \[0, 1000000\], got "-1"$/],
    [{ languages: '' }, {}, /^--languages: must be a non-empty list of ISO 639-1 codes/],
    [{}, { minScriptShare: 2 }, /^p\.json: stages\.langid\.minScriptShare: must be a number in \[0, 1\], got 2$/],
    [{ romanizedHindi: 'translate' }, {}, /^--romanized-hindi: must be one of drop, keep, got "translate"$/],
    [{}, { notProseLabelShare: 0 }, /^p\.json: stages\.langid\.notProseLabelShare: must be a number in \(0, 1\], got 0$/],
    [{}, { treshold: 0.5 }, /^p\.json: stages\.langid: unknown key "treshold" \(did you mean "thresholds"\?\); known: detector, languages/],
  ])('rejects bad input %#, naming the flag or the file and key', (cli, section, message) => {
    expect(() => resolve(cli, section)).toThrow(ConfigError);
    expect(() => resolve(cli, section)).toThrow(message);
  });

  it('lists every problem at once', () => {
    try {
      resolve({ sampleChars: 'x' }, { minLetters: 'ten', windowChars: 10 });
      throw new Error('no error');
    } catch (err) {
      expect((err as ConfigError).problems.map((p) => p.path || p.where)).toEqual(['stages.langid.minLetters', 'stages.langid.windowChars', '--sample-chars']);
    }
  });
});
