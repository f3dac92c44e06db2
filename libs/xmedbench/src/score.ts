import { LANGUAGES, SOURCES, type Language } from '@apollo/benchmark-items';
import { PAPER_SOURCES } from './paper';

/** One item's outcome. `prediction` null means no valid answer could be read. */
export interface ItemOutcome {
  source: string;
  language: Language;
  gold: readonly string[];
  prediction: readonly string[] | null;
}

/** A multi-answer gold is matched only by the same set of letters. */
export function isCorrect(gold: readonly string[], prediction: readonly string[] | null): boolean {
  if (!prediction) return false;
  const p = new Set(prediction);
  const g = new Set(gold);
  return p.size === g.size && [...g].every((l) => p.has(l));
}

/** Accuracy over n items with its uncertainty. Fractions in [0, 1]. */
export interface AccuracyStat {
  n: number;
  correct: number;
  accuracy: number;
  /** sqrt(p(1-p)/(n-1)), as the standard harness reports it; null when n < 2. */
  stderr: number | null;
  /** Normal-approximation 95% interval p +- 1.96 stderr, clipped to [0, 1]; null when n < 2. */
  ci95: [number, number] | null;
  /** Items with no valid answer, and their share. */
  invalid: number;
  invalidRate: number;
}

export function accuracyStat(correct: number, n: number, invalid = 0): AccuracyStat {
  const p = n > 0 ? correct / n : 0;
  const stderr = n >= 2 ? Math.sqrt((p * (1 - p)) / (n - 1)) : null;
  const ci95: [number, number] | null = stderr === null ? null : [Math.max(0, p - 1.96 * stderr), Math.min(1, p + 1.96 * stderr)];
  return { n, correct, accuracy: p, stderr, ci95, invalid, invalidRate: n > 0 ? invalid / n : 0 };
}

export interface LanguageScore {
  /** Pooled over the language's items. */
  micro: AccuracyStat;
  /** Unweighted mean of the language's source accuracies. */
  macro: number;
  sources: string[];
}

export interface PaperAverage {
  /** Unweighted mean over the averaged sources present; null when none is. */
  average: number | null;
  /** Whether all 9 of the paper's columns were scored (else the average is not comparable). */
  complete: boolean;
  /** Accuracy per paper column title (null when the source was not scored). */
  columns: Record<string, number | null>;
}

export interface ScoreSummary {
  /** Every source that had items, zero-correct ones included. */
  bySource: Record<string, AccuracyStat>;
  byLanguage: Partial<Record<Language, LanguageScore>>;
  overall: AccuracyStat;
  paper: PaperAverage;
}

function tally(outcomes: readonly ItemOutcome[]): AccuracyStat {
  let correct = 0;
  let invalid = 0;
  for (const o of outcomes) {
    if (isCorrect(o.gold, o.prediction)) correct++;
    if (o.prediction === null) invalid++;
  }
  return accuracyStat(correct, outcomes.length, invalid);
}

/** Source keys in a stable order: the known table's order first, then others alphabetically. */
function sourceOrder(keys: Iterable<string>): string[] {
  const known = SOURCES.map((s) => s.key);
  return [...keys].sort((a, b) => {
    const ia = known.indexOf(a);
    const ib = known.indexOf(b);
    if (ia !== -1 || ib !== -1) return (ia === -1 ? Infinity : ia) - (ib === -1 ? Infinity : ib);
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

export function summarize(outcomes: readonly ItemOutcome[]): ScoreSummary {
  const groups = new Map<string, ItemOutcome[]>();
  for (const o of outcomes) {
    const g = groups.get(o.source);
    if (g) g.push(o);
    else groups.set(o.source, [o]);
  }
  const bySource: Record<string, AccuracyStat> = {};
  for (const key of sourceOrder(groups.keys())) bySource[key] = tally(groups.get(key)!);

  const byLanguage: Partial<Record<Language, LanguageScore>> = {};
  for (const lang of LANGUAGES) {
    const mine = outcomes.filter((o) => o.language === lang);
    if (mine.length === 0) continue;
    const sources = sourceOrder(new Set(mine.map((o) => o.source)));
    const macro = sources.reduce((s, k) => s + tally(mine.filter((o) => o.source === k)).accuracy, 0) / sources.length;
    byLanguage[lang] = { micro: tally(mine), macro, sources };
  }

  const columns: Record<string, number | null> = {};
  const present: number[] = [];
  for (const s of PAPER_SOURCES) {
    const stat = bySource[s.key];
    columns[s.paperColumn!] = stat ? stat.accuracy : null;
    if (stat) present.push(stat.accuracy);
  }
  const paper: PaperAverage = {
    average: present.length > 0 ? present.reduce((a, b) => a + b, 0) / present.length : null,
    complete: present.length === PAPER_SOURCES.length,
    columns,
  };
  return { bySource, byLanguage, overall: tally(outcomes), paper };
}
