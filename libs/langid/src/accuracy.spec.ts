import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultLangidConfig } from './config';
import { createDetector } from './create-detector';
import { evaluateAccuracy, readEvalSet } from './evaluate';

// The default detector and thresholds on the committed labelled set. Measured (see
// docs/decisions/0001-language-detector.md): 99.7% of target texts kept with the right
// language, every other-language text rejected (Marathi and Nepali included), every text of
// Hindi in Latin letters dropped as romanized_hindi, 8 of 9 link lists and menus dropped as
// not_prose. The floors leave a margin for detector or data changes; a drop below them is a
// real regression.
describe('accuracy of the default configuration on the labelled set', () => {
  it('keeps target texts with the right language and rejects other languages, link lists and romanized Hindi', async () => {
    const config = defaultLangidConfig();
    const detector = await createDetector(config.detector);
    try {
      const items = readEvalSet();
      const report = evaluateAccuracy(items, detector, config);
      expect(report.overall.n).toBeGreaterThanOrEqual(600);
      expect(report.overall.correct / report.overall.n).toBeGreaterThanOrEqual(0.97);
      for (const [lang, t] of Object.entries(report.targets)) {
        for (const length of ['short', 'long'] as const) {
          const tally = t[length];
          // Each language and length on its own stays above 93%.
          expect([lang, length, tally.correct / tally.n >= 0.93]).toEqual([lang, length, true]);
        }
      }
      // Other languages (not junk): none may be kept as a target language.
      const otherLangs = report.othersKept.filter((k) => k.item.lang !== 'und');
      expect(otherLangs.map((k) => `${k.item.lang} kept as ${k.lang}`)).toEqual([]);
      expect(report.others.correct / report.others.n).toBeGreaterThanOrEqual(0.9);
      expect(report.othersByLang.mr!.n + report.othersByLang.ne!.n).toBeGreaterThanOrEqual(20);
      // Hindi in Latin letters is never kept, and every text of it is dropped with its own reason.
      const romanized = report.expected.romanized_hindi!;
      expect(romanized.n).toBeGreaterThanOrEqual(20);
      expect(romanized.correct).toBe(romanized.n);
      const notProse = report.expected.not_prose!;
      expect(notProse.n).toBeGreaterThanOrEqual(9);
      expect(notProse.correct / notProse.n).toBeGreaterThanOrEqual(0.85);
    } finally {
      detector.dispose();
    }
  });
});

describe('readEvalSet', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'langid-evalset-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('names the file and line of an item whose expected drop reason is not one of the stage', async () => {
    const file = join(dir, 'set.jsonl');
    await writeFile(file, `${JSON.stringify({ text: 'Home\nAbout', lang: 'en', length: 'short', origin: 'test' })}\n${JSON.stringify({ text: 'x', lang: 'en', length: 'short', origin: 'test', expect: 'menu' })}\n`);
    expect(() => readEvalSet(file)).toThrow(`${file}:2: "expect" must be a drop reason (too_short, not_prose, romanized_hindi, lang_not_target, lang_low_score, script_mismatch, lang_mixed), not "menu"`);
  });
});
