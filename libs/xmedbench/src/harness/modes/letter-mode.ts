import { argmax, combineLetterScores, scoreLetterChoices, type LetterChoiceScore } from '@apollo/onnx-lm';
import { answerPrefix } from '../../prompt';
import { byLabel, type ScoringMode } from './scoring-mode';

type LetterRaw = Pick<LetterChoiceScore, 'scores' | 'method'>;

/** The log-prob of each option letter as the next token after `... The correct answer is (`. */
export const LETTER_MODE: ScoringMode<LetterRaw> = {
  name: 'letter',
  summary: 'letter (next-token log-prob of each option letter)',
  scoredText: (prompt, template) => prompt + answerPrefix(template),
  choices: (item) => item.options.map((o) => o.label),
  settingsKey: () => null,
  async score(lm, units, settings) {
    const r = await scoreLetterChoices(
      lm,
      units.map((u) => ({ context: u.text, letters: u.choices })),
      settings.batch,
    );
    return r.map((s) => ({ scores: s.scores, method: s.method }));
  },
  outcome(item, raw) {
    return { method: raw.method, scores: byLabel(item, raw.scores), prediction: [item.options[argmax(raw.scores)]!.label] };
  },
  combine(base, expert, antiexpert, alpha) {
    const method = base.method === 'letter' && expert.method === 'letter' && antiexpert.method === 'letter' ? 'letter' : 'continuation';
    return { method, scores: combineLetterScores(base.scores, expert.scores, antiexpert.scores, alpha) };
  },
};
