import { SOURCES } from '@apollo/benchmark-items';
import { DEFAULT_SPEC } from '../prompt-spec';
import { MODE_NAMES, SCORING_MODES } from '../harness/modes/scoring-modes';
import type { ModeSettings } from '../harness/modes/scoring-mode';

const settings: ModeSettings = { batch: {}, generation: { maxNewTokens: 8, stop: ['\nUser:'] }, arabicLetters: false };
const item = (source: string) => ({ source, options: ['A', 'B', 'C', 'D', 'E'].map((label) => ({ label, text: `opt ${label}.` })) }) as never;

describe('the scoring-mode registry', () => {
  it('offers letter, continuation and generate, letter first (the default)', () => {
    expect(MODE_NAMES).toEqual(['letter', 'continuation', 'generate']);
    for (const name of MODE_NAMES) expect(SCORING_MODES[name].name).toBe(name);
  });

  it('appends to the prompt what each mode scores after it', () => {
    const en = DEFAULT_SPEC.templates.en;
    const ar = DEFAULT_SPEC.templates.ar;
    expect(SCORING_MODES.letter.scoredText('P', en)).toBe('PThe correct answer is (');
    expect(SCORING_MODES.letter.scoredText('P', ar)).toBe('P(');
    expect(SCORING_MODES.continuation.scoredText('P', en)).toBe('PThe correct answer is ');
    expect(SCORING_MODES.generate.scoredText('P', en)).toBe('P');
    expect(SCORING_MODES.continuation.choices(item('medqa-usmle'))[1]).toBe('(B) opt B.');
    expect(SCORING_MODES.generate.settingsKey(settings)).toEqual({ maxNewTokens: 8, stop: ['\nUser:'] });
    expect(SCORING_MODES.letter.settingsKey(settings)).toBeNull();
  });

  it('letter: the highest log-prob wins; proxy scores are base + alpha x (expert - antiexpert)', () => {
    const raw = { scores: [-3, -1, -2, -5, -4], method: 'letter' as const };
    expect(SCORING_MODES.letter.outcome(item('medqa-usmle'), raw, settings)).toEqual({
      method: 'letter',
      scores: { A: -3, B: -1, C: -2, D: -5, E: -4 },
      prediction: ['B'],
    });
    const shifted = SCORING_MODES.letter.combine!(raw, { scores: [0, 0, 4, 0, 0], method: 'letter' }, { scores: [0, 0, 0, 0, 0], method: 'continuation' }, 1);
    expect(shifted).toEqual({ method: 'continuation', scores: [-3, -1, 2, -5, -4] });
    expect(SCORING_MODES.continuation.combine).toBeUndefined();
  });

  it('continuation: acc from the summed log-prob, acc_norm per character of the continuation', () => {
    const two = { source: 'medqa-usmle', options: [{ label: 'A', text: 'a.' }, { label: 'B', text: 'a much longer option.' }] } as never;
    const o = SCORING_MODES.continuation.outcome(two, { scores: [-6, -10] }, settings);
    expect(o.prediction).toEqual(['A']);
    expect(o.predictionNorm).toEqual(['B']); // -10/25 beats -6/6
    expect(o.scoresNorm!['A']).toBeCloseTo(-1, 12);
  });

  it('generate: letter groups are sets only for the sources flagged multi-answer', () => {
    expect(SOURCES.filter((s) => s.multiAnswer).map((s) => s.key)).toEqual(['frenchmedmcqa', 'cmexam']);
    const g = { text: '正确答案是(ACD).', finish: 'stop' as const, generatedTokens: 5 };
    const generate = SCORING_MODES.generate;
    expect(generate.outcome(item('cmexam'), g, settings).prediction).toEqual(['A', 'C', 'D']);
    // Elsewhere the reference rule: no single parenthesised letter, so the most frequent capital.
    expect(generate.outcome(item('medqa-usmle'), { ...g, text: 'It is (CAD), so (B).' }, settings).prediction).toEqual(['B']);
    expect(generate.outcome(item('medqa-usmle'), { ...g, text: 'no idea' }, settings).prediction).toBeNull();
    expect(generate.outcome(item('mmlu-medical'), { ...g, text: '(F)' }, settings).prediction).toBeNull(); // names no option
    expect(generate.outcome(item('mmlu-medical-ar'), { ...g, text: '(ب)' }, { ...settings, arabicLetters: true }).prediction).toEqual(['B']);
  });
});
