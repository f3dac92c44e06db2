import { extractAnswer, extractAnswerSet } from '../extract';

describe('extractAnswer (reference generation-mode rules)', () => {
  it.each([
    // en
    ['The correct answer is (B).', 'B'],
    ['(c) is right', 'C'],
    ['Answer (A) or maybe (B), surely (B).', 'B'],
    ['(A) first, then (B).', 'A'], // tie: first seen
    ['Based on the findings', 'B'], // loose fallback reads the capital B
    ['ADA and CDC guidelines', 'A'], // loose: A twice, D once, C once
    ['Yes.', 'A'],
    ['No.', 'B'],
    ['yes', null],
    ['\n\nThe correct answer is (D).\n(A)', 'D'], // first non-empty line only
    ['', null],
    ['none of these', null],
    // zh: full-width parentheses
    ['正确答案是（C）。', 'C'],
    ['正确答案是（d）', 'D'],
    ['答案：E', 'E'],
    // es
    ['La respuesta correcta es (A).', 'A'],
    // fr
    ['La bonne réponse est (E).', 'E'],
    // hi
    ['सही उत्तर है(D).', 'D'],
    ['उत्तर नहीं पता', null],
    // ar: letter first; Arabic letters are not read by default
    ['(C)الإجابة الصحيحة هي.', 'C'],
    ['الإجابة الصحيحة هي (ب).', null],
  ])('%j -> %s', (text, expected) => {
    expect(extractAnswer(text)).toBe(expected);
  });

  it.each([
    ['الإجابة الصحيحة هي (أ).', 'A'],
    ['الإجابة الصحيحة هي (ب)', 'B'],
    ['الإجابة الصحيحة هي （ج）', 'C'],
    ['الإجابة الصحيحة هي (س)', 'C'],
    ['الإجابة الصحيحة هي (د) وليس (أ) أو (د)', 'D'],
    ['(A) و (ب) و (ب)', 'B'],
  ])('with Arabic letters: %j -> %s', (text, expected) => {
    expect(extractAnswer(text, { arabicLetters: true })).toBe(expected);
  });
});

describe('extractAnswerSet (multi-answer golds)', () => {
  it.each([
    ['正确答案是(BCDE).', ['B', 'C', 'D', 'E']],
    ['正确答案是（ECB）', ['B', 'C', 'E']],
    ['The correct answer is (B).', ['B']],
    ['(A)(B) both', ['A']], // two single groups: the reference rule, most frequent first seen
    ['nothing here', null],
    ['\n(AC) first line\n(ABCD)', ['A', 'C']],
  ])('%j -> %j', (text, expected) => {
    expect(extractAnswerSet(text)).toEqual(expected);
  });
});
