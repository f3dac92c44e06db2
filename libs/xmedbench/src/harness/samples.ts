import type { Language } from '@apollo/benchmark-items';
import { summarize, type ScoreSummary } from '../score';
import type { ModeOutcome } from './modes/scoring-mode';

/** One scored item, as written to samples.jsonl. */
export interface Sample extends ModeOutcome {
  /** Position in the whole (limited) item list: parts of a split run merge back in this order. */
  index: number;
  id: string;
  source: string;
  language: string;
  promptHash: string;
  promptChars: number;
  tokens: number;
  shotIds: string[];
  shotsDropped: number;
  overLimit: boolean;
  gold: string[];
  correct: boolean;
  /** continuation mode: whether `predictionNorm` is right (`acc_norm`). */
  correctNorm?: boolean;
  /** Proxy-tuning strength of this result set. */
  alpha?: number;
}

/** Scores of one result set (one per alpha in a proxy sweep). */
export interface ResultSet {
  alpha: number | null;
  samples: Sample[];
  summary: ScoreSummary;
  /** continuation mode: the same summary from length-normalized predictions (`acc_norm`). */
  summaryNorm?: ScoreSummary;
}

/** Summaries of a set of samples (also used when merging the parts of a split run). */
export function summarizeSet(alpha: number | null, samples: Sample[]): ResultSet {
  const outcome = (s: Sample, norm: boolean) => ({
    source: s.source,
    language: s.language as Language,
    gold: s.gold,
    prediction: norm ? (s.predictionNorm ?? null) : s.prediction,
  });
  const summary = summarize(samples.map((s) => outcome(s, false)));
  const hasNorm = samples.length > 0 && samples.every((s) => s.predictionNorm !== undefined);
  return { alpha, samples, summary, ...(hasNorm ? { summaryNorm: summarize(samples.map((s) => outcome(s, true))) } : {}) };
}

/** Counts of the ways prompts and scoring fell short of the plan. */
export function truncation(samples: readonly Sample[]): { itemsWithShotsDropped: number; itemsOverLimit: number; continuationFallbacks: number } {
  return {
    itemsWithShotsDropped: samples.filter((s) => s.shotsDropped > 0).length,
    itemsOverLimit: samples.filter((s) => s.overLimit).length,
    continuationFallbacks: samples.filter((s) => s.method === 'continuation' && s.scoresNorm === undefined).length,
  };
}
