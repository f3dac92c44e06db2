import { defaultLangidConfig } from './config';
import { createDetector } from './create-detector';
import { evaluateAccuracy, readEvalSet } from './evaluate';

// The default detector and thresholds on the committed labelled set. Measured (see
// docs/decisions/0001-language-detector.md): 99.7% of target texts kept with the right
// language, every other-language text rejected, 11 of 16 junk strings rejected. The floors
// leave a margin for detector or data changes; a drop below them is a real regression.
describe('accuracy of the default configuration on the labelled set', () => {
  it('keeps target texts with the right language and rejects other languages', async () => {
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
    } finally {
      detector.dispose();
    }
  });
});
