import { SOURCES, type BenchmarkSource } from '@apollo/benchmark-items';

/** The paper's 9 averaged sources, in its column order. */
export const PAPER_SOURCES: readonly BenchmarkSource[] = SOURCES.filter((s) => s.paperColumn !== undefined);

/** A row of the Apollo paper's XMedBench table: accuracy in % per averaged source, and the average. */
export interface PaperRow {
  model: string;
  /** Per source key (the 9 averaged sources), accuracy in %. */
  scores: Record<string, number>;
  average: number;
}

// Columns: USMLE, MedMCQA, MMLU-en, MCMLE, CMMLU, FrenchMedMCQA, HEAD-QA, MMLU-ar, MMLU-hi | Avg.
const RAW: [string, number[], number][] = [
  ['Apollo-0.5B', [32.99, 37.82, 45.87, 56.57, 42.08, 27.41, 36.67, 31.89, 25.9], 37.47],
  ['Apollo-1.8B', [42.18, 44.99, 49.12, 72.3, 53.56, 38.01, 42.15, 34.74, 25.62], 44.74],
  ['Apollo-2B', [38.33, 42.0, 52.89, 46.76, 36.76, 38.32, 41.28, 31.62, 31.5], 39.94],
  ['Apollo-6B', [56.25, 57.53, 68.65, 85.52, 72.62, 51.71, 58.47, 33.46, 33.61], 57.54],
  ['Apollo-7B', [56.0, 58.21, 71.86, 72.36, 59.04, 60.44, 63.73, 41.82, 45.55], 58.78],
  ['GPT-3.5', [61.98, 56.51, 72.94, 58.73, 50.41, 68.54, 71.48, 39.7, 39.94], 57.8],
  ['GPT-4', [79.1, 70.4, 86.0, 65.72, 65.72, 89.72, 85.05, 56.43, 62.17], 73.37],
];

/** The paper's rows (arXiv 2403.03640), for the comparison table. */
export const PAPER_ROWS: readonly PaperRow[] = RAW.map(([model, values, average]) => ({
  model,
  scores: Object.fromEntries(PAPER_SOURCES.map((s, i) => [s.key, values[i]!])),
  average,
}));
