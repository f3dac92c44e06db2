import { generateOutcome } from '../modes';

describe('generate-mode extraction per source', () => {
  const item = (source: string) => ({ source, options: ['A', 'B', 'C', 'D', 'E'].map((label) => ({ label, text: 'x' })) }) as never;
  it('reads letter groups as sets only where items can have several answers', () => {
    const g = { text: '正确答案是(ACD).', finish: 'stop' as const, tokens: 5 };
    expect(generateOutcome(item('cmexam'), g, false).prediction).toEqual(['A', 'C', 'D']);
    // Elsewhere the reference rule: no single parenthesised letter, so the most frequent capital.
    expect(generateOutcome(item('medqa-usmle'), { ...g, text: 'It is (CAD), so (B).' }, false).prediction).toEqual(['B']);
    expect(generateOutcome(item('medqa-usmle'), { ...g, text: 'no idea' }, false).prediction).toBeNull();
    expect(generateOutcome(item('mmlu-medical'), { ...g, text: '(F)' }, false).prediction).toBeNull(); // names no option
  });
});
