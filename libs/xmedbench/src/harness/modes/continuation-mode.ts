import { argmax, scoreContinuations } from '@apollo/onnx-lm';
import { codePoints } from '../../prompt';
import { answerLead, byLabel, type ScoringMode } from './scoring-mode';

/**
 * The continuation scored for an option: the option as the answer sentence would name it,
 * label and text, e.g. `(B) Aspirin.` (trailing whitespace and the line break of the options
 * block removed).
 */
export function optionContinuation(label: string, text: string): string {
  return `(${label}) ${text.trim()}`;
}

/** acc: the highest summed log-prob; acc_norm: the highest log-prob per character of the continuation (lm-evaluation-harness). */
export const CONTINUATION_MODE: ScoringMode<{ scores: number[] }> = {
  name: 'continuation',
  summary: 'continuation (acc and acc_norm)',
  scoredText: (prompt, template) => prompt + answerLead(template),
  choices: (item) => item.options.map((o) => optionContinuation(o.label, o.text)),
  settingsKey: () => null,
  async score(lm, units, settings) {
    const r = await scoreContinuations(
      lm,
      units.map((u) => ({ context: u.text, continuations: u.choices })),
      settings.batch,
    );
    return r.map((s) => ({ scores: s.logprobs }));
  },
  outcome(item, raw) {
    const norm = raw.scores.map((lp, k) => lp / codePoints(optionContinuation(item.options[k]!.label, item.options[k]!.text)));
    return {
      method: 'continuation',
      scores: byLabel(item, raw.scores),
      prediction: [item.options[argmax(raw.scores)]!.label],
      scoresNorm: byLabel(item, norm),
      predictionNorm: [item.options[argmax(norm)]!.label],
    };
  },
};
