import type { Language } from '@apollo/benchmark-items';
import { PAPER_ROWS } from '../paper';
import { accuracyStat, isCorrect, summarize, type ItemOutcome } from '../score';
import { paperTable } from '../table';

const o = (source: string, language: Language, gold: string[], prediction: string[] | null): ItemOutcome => ({ source, language, gold, prediction });

describe('scoring', () => {
  it('multi-answer golds need the same set', () => {
    expect(isCorrect(['B', 'C', 'D', 'E'], ['E', 'D', 'C', 'B'])).toBe(true);
    expect(isCorrect(['B', 'C', 'D', 'E'], ['B'])).toBe(false);
    expect(isCorrect(['B'], ['B', 'C'])).toBe(false);
    expect(isCorrect(['B'], null)).toBe(false);
  });

  it('accuracy, stderr sqrt(p(1-p)/(n-1)) and 95% interval', () => {
    const s = accuracyStat(3, 4, 1);
    expect(s.accuracy).toBe(0.75);
    expect(s.stderr).toBeCloseTo(Math.sqrt((0.75 * 0.25) / 3), 12);
    expect(s.ci95![0]).toBeCloseTo(0.75 - 1.96 * s.stderr!, 12);
    expect(s.ci95![1]).toBe(1); // clipped
    expect(s.invalidRate).toBe(0.25);
    expect(accuracyStat(1, 1).stderr).toBeNull();
  });

  it('per source, per language macro/micro, paper average, zero-correct sources kept', () => {
    const outcomes = [
      o('medqa-usmle', 'en', ['A'], ['A']),
      o('medqa-usmle', 'en', ['A'], ['B']),
      o('medmcqa', 'en', ['C'], ['C']),
      o('medmcqa', 'en', ['C'], ['C']),
      o('medmcqa', 'en', ['C'], ['C']),
      o('medmcqa', 'en', ['C'], null),
      o('cmexam', 'zh', ['B', 'C'], ['B']),
    ];
    const s = summarize(outcomes);
    expect(Object.keys(s.bySource)).toEqual(['medqa-usmle', 'medmcqa', 'cmexam']);
    expect(s.bySource['cmexam']!.accuracy).toBe(0);
    expect(s.byLanguage.en!.micro.accuracy).toBeCloseTo(4 / 6, 12);
    expect(s.byLanguage.en!.macro).toBeCloseTo((0.5 + 0.75) / 2, 12);
    expect(s.byLanguage.en!.micro.invalid).toBe(1);
    expect(s.paper.complete).toBe(false);
    expect(s.paper.average).toBeCloseTo((0.5 + 0.75) / 2, 12); // cmexam is not a paper column
    expect(s.paper.columns['USMLE']).toBe(0.5);
    expect(s.paper.columns['MMLU-hi']).toBeNull();
  });

  it('the paper rows average to their stated Avg', () => {
    for (const row of PAPER_ROWS) {
      const values = Object.values(row.scores);
      expect(values).toHaveLength(9);
      expect(values.reduce((a, b) => a + b, 0) / 9).toBeCloseTo(row.average, 1);
    }
  });

  it('renders the paper table with this run last', () => {
    const s = summarize([o('medqa-usmle', 'en', ['A'], ['A']), o('medqa-usmle', 'en', ['A'], ['B'])]);
    const md = paperTable('tiny', s).trim().split('\n');
    expect(md[0]).toBe('| Model | USMLE | MedMCQA | MMLU-en | MCMLE | CMMLU | FrenchMedMCQA | HEAD-QA | MMLU-ar | MMLU-hi | Avg |');
    expect(md[2]).toBe('| Apollo-0.5B (paper) | 32.99 | 37.82 | 45.87 | 56.57 | 42.08 | 27.41 | 36.67 | 31.89 | 25.90 | 37.47 |');
    expect(md.at(-1)).toBe('| **tiny** | 50.00 | - | - | - | - | - | - | - | - | 50.00* |');
  });
});
