import { CONTINUATION_MODE } from './continuation-mode';
import { GENERATE_MODE } from './generate-mode';
import { LETTER_MODE } from './letter-mode';
import type { ScoringMode } from './scoring-mode';

/** The scoring modes, by the name `--mode` takes; the first is the default. */
export const SCORING_MODES = {
  letter: LETTER_MODE,
  continuation: CONTINUATION_MODE,
  generate: GENERATE_MODE,
} as const;

export type EvalMode = keyof typeof SCORING_MODES;
export const MODE_NAMES = Object.keys(SCORING_MODES) as EvalMode[];

export function scoringMode(name: EvalMode): ScoringMode<unknown> {
  return SCORING_MODES[name];
}
