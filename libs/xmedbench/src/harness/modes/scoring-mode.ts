import type { XMedBenchItem } from '@apollo/benchmark-items';
import type { BatchOptions, Generation, LogitsModel } from '@apollo/onnx-lm';
import type { PromptTemplate } from '../../prompt-spec';

/** The run settings a mode reads. */
export interface ModeSettings {
  batch: BatchOptions;
  /** generate mode: new tokens at most, and the strings that end the text. */
  generation: { maxNewTokens: number; stop: string[] };
  /** generate mode: also read (أ) (ب) (ج)/(س) (د) as A-D. */
  arabicLetters: boolean;
}

/** One item as a mode scores it: the exact text, and the choices scored after it. */
export interface ScoringUnit {
  item: XMedBenchItem;
  text: string;
  choices: string[];
}

/** What a mode decided for one item (written to samples.jsonl). */
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

/**
 * A way of scoring items (docs/eval.md, "Scoring modes"). `Raw` is what the model gives for one
 * item; it is what the result cache keeps, so its shape is part of the cache format.
 */
export interface ScoringMode<Raw> {
  readonly name: string;
  /** What the mode does, in a line (the `--mode` help). */
  readonly summary: string;
  /** The text scored: the prompt, plus what the mode appends from the item's template. */
  scoredText(prompt: string, template: PromptTemplate): string;
  /** The choices scored after the text (letters, or whole option continuations); part of the cache key. */
  choices(item: XMedBenchItem): string[];
  /** What else the result depends on (part of the cache key); null when nothing. */
  settingsKey(settings: ModeSettings): unknown;
  /** Scores a chunk of items on one model, results in the units' order. */
  score(lm: LogitsModel, units: readonly ScoringUnit[], settings: ModeSettings): Promise<Raw[]>;
  /** The decision for one item. */
  outcome(item: XMedBenchItem, raw: Raw, settings: ModeSettings): ModeOutcome;
  /**
   * Proxy-tuning from each model's own results, so that any alpha costs no forward pass;
   * absent: the mode scores the proxy model's combined logits, once per alpha.
   */
  combine?(base: Raw, expert: Raw, antiexpert: Raw, alpha: number): Raw;
}

/** What the answer sentence says before the answer: `The correct answer is ` (empty for Arabic, whose sentence puts the answer first). */
export function answerLead(t: PromptTemplate): string {
  return t.answerSentence.slice(0, t.answerSentence.indexOf('{answer}'));
}

/** Options' labels as the choices' keys of a score table. */
export function byLabel(item: XMedBenchItem, values: readonly number[]): Record<string, number> {
  return Object.fromEntries(item.options.map((o, k) => [o.label, values[k]!]));
}
