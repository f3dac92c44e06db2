import { argmax, codePointLength, type ContinuationChoiceScore, type Generation, type LetterChoiceScore } from '@apollo/onnx-lm';
import { extractAnswer, extractAnswerSet, type PromptTemplate, type XMedBenchItem } from '@apollo/xmedbench';

/**
 * Sources whose items may have several correct letters: only there is a parenthesised letter
 * group such as `(ACD)` read as a set. Elsewhere an acronym like `(CAD)` must not become one, and
 * the reference rule (single letter) applies.
 */
export const MULTI_ANSWER_SOURCES: ReadonlySet<string> = new Set(['cmexam', 'frenchmedmcqa']);

/** Scoring modes: see docs/eval.md. */
export type EvalMode = 'letter' | 'continuation' | 'generate';
export const MODES: readonly EvalMode[] = ['letter', 'continuation', 'generate'];

/** What the answer sentence says before the answer: `The correct answer is ` (empty for Arabic, whose sentence puts the answer first). */
export function answerLead(t: PromptTemplate): string {
  return t.answerSentence.slice(0, t.answerSentence.indexOf('{answer}'));
}

/**
 * The continuation scored for an option in `continuation` mode: the option as the answer
 * sentence would name it, label and text, e.g. `(B) Aspirin.` (trailing whitespace and the
 * line break of the options block removed).
 */
export function optionContinuation(label: string, text: string): string {
  return `(${label}) ${text.trim()}`;
}

/** What a mode decided for one item. */
export interface ModeOutcome {
  method: 'letter' | 'continuation' | 'generate';
  /** Score per option letter (log-prob, or proxy score); absent in `generate` mode. */
  scores?: Record<string, number>;
  /** Null when no valid answer could be read (generate mode). */
  prediction: string[] | null;
  /** continuation mode: length-normalized scores (log-prob / characters) and their prediction (`acc_norm`). */
  scoresNorm?: Record<string, number>;
  predictionNorm?: string[];
  /** generate mode. */
  generated?: string;
  finish?: Generation['finish'];
  generatedTokens?: number;
}

export function letterOutcome(item: XMedBenchItem, s: Pick<LetterChoiceScore, 'scores' | 'method'>): ModeOutcome {
  const letters = item.options.map((o) => o.label);
  return {
    method: s.method,
    scores: Object.fromEntries(letters.map((l, k) => [l, s.scores[k]!])),
    prediction: [letters[argmax(s.scores)]!],
  };
}

/** acc: the highest summed log-prob; acc_norm: the highest log-prob per character of the continuation (lm-evaluation-harness). */
export function continuationOutcome(item: XMedBenchItem, s: Pick<ContinuationChoiceScore, 'logprobs'>): ModeOutcome {
  const letters = item.options.map((o) => o.label);
  const norm = s.logprobs.map((lp, k) => lp / codePointLength(optionContinuation(letters[k]!, item.options[k]!.text)));
  return {
    method: 'continuation',
    scores: Object.fromEntries(letters.map((l, k) => [l, s.logprobs[k]!])),
    prediction: [letters[argmax(s.logprobs)]!],
    scoresNorm: Object.fromEntries(letters.map((l, k) => [l, norm[k]!])),
    predictionNorm: [letters[argmax(norm)]!],
  };
}

/**
 * The reference's extraction rules on the generated text (letter sets for the multi-answer
 * sources); a letter that names no option of the
 * item counts as invalid (no answer), as does text with no letter at all.
 */
export function generateOutcome(item: XMedBenchItem, g: Pick<Generation, 'text' | 'finish' | 'tokens'>, arabicLetters: boolean): ModeOutcome {
  const letters = new Set(item.options.map((o) => o.label));
  const one = () => {
    const l = extractAnswer(g.text, { arabicLetters });
    return l === null ? null : [l];
  };
  const found = MULTI_ANSWER_SOURCES.has(item.source) ? extractAnswerSet(g.text, { arabicLetters }) : one();
  const prediction = found && found.every((l) => letters.has(l)) ? found : null;
  return { method: 'generate', prediction, generated: g.text, finish: g.finish, generatedTokens: g.tokens };
}
