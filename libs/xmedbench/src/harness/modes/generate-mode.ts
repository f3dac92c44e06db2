import { sourceInfo } from '@apollo/benchmark-items';
import { generateGreedy, type Generation } from '@apollo/onnx-lm';
import { extractAnswer, extractAnswerSet } from '../../extract';
import type { ScoringMode } from './scoring-mode';

type GenerateRaw = { text: string; finish: Generation['finish']; generatedTokens: number };

/**
 * Greedy generation after `Assistant:`, then the reference's extraction rules (letter sets for
 * sources whose items may have several answers: elsewhere an acronym like `(CAD)` must not become
 * one). A letter that names no option of the item counts as invalid (no answer), as does text
 * with no letter at all.
 */
export const GENERATE_MODE: ScoringMode<GenerateRaw> = {
  name: 'generate',
  summary: 'generate (greedy, then extraction)',
  scoredText: (prompt) => prompt,
  choices: (item) => item.options.map((o) => o.label),
  settingsKey: (settings) => settings.generation,
  async score(lm, units, settings) {
    const g = await generateGreedy(
      lm,
      units.map((u) => u.text),
      settings.generation,
    );
    return g.map((x) => ({ text: x.text, finish: x.finish, generatedTokens: x.tokens }));
  },
  outcome(item, raw, settings) {
    const letters = new Set(item.options.map((o) => o.label));
    const options = { arabicLetters: settings.arabicLetters };
    let found: string[] | null;
    if (sourceInfo(item.source)?.multiAnswer) found = extractAnswerSet(raw.text, options);
    else {
      const one = extractAnswer(raw.text, options);
      found = one === null ? null : [one];
    }
    const prediction = found && found.every((l) => letters.has(l)) ? found : null;
    return { method: 'generate', prediction, generated: raw.text, finish: raw.finish, generatedTokens: raw.generatedTokens };
  },
};
