// The planted-set measurement of benchmark decontamination: every item of the bundled XMedBench dev
// split planted in four forms into real medical text of its language, and real clean medical text
// in the six languages checked for false positives. Deterministic for a seed.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeDoc } from '@apollo/document';
import {
  BenchmarkIndex,
  checkDocument,
  DEFAULT_DECONTAM_OPTIONS,
  loadBenchmarks,
  matchTokens,
  measurePlanted,
  plantedTableMarkdown,
  PLANTED_FORM_TITLES,
  PLANTED_FORMS,
  readCleanTexts,
  shingleModeFor,
  type BenchmarkItem,
  type CleanText,
  type DecontamOptions,
  type PlantedResult,
} from '@apollo/dedupe';

export interface PlantedBenchOptions {
  /** Benchmark item files or folders. Default pipelines/benchmarks/xmedbench-dev. */
  items: string[];
  /** Clean text files or folders (see `readCleanTexts`); those that do not exist are skipped and named. */
  clean: string[];
  seed: number;
  decontam: DecontamOptions;
}

export const DEFAULT_PLANTED_SEED = 20240612;

/** The default inputs, relative to the repository root; the shared data folder is read where it exists. */
export function defaultPlantedOptions(repoRoot: string, dataDir = '/work/shared/data'): PlantedBenchOptions {
  const samples = join(repoRoot, 'pipelines', 'samples');
  return {
    items: [join(repoRoot, 'pipelines', 'benchmarks', 'xmedbench-dev')],
    clean: [
      ...['en', 'zh', 'es', 'fr', 'ar', 'hi', 'apollo'].map((d) => join(samples, d)),
      join(repoRoot, 'libs', 'dedupe', 'eval', 'short-web-texts.jsonl'),
      join(dataDir, 'apollo-train-samples'),
      join(dataDir, 'apollo-rewrite-chunks'),
    ],
    seed: DEFAULT_PLANTED_SEED,
    decontam: DEFAULT_DECONTAM_OPTIONS,
  };
}

/** Per language: the longest run of tokens a clean text shares with an item's indexed text, and where. */
export type LongestRuns = Record<string, { tokens: number; origin: string; item: string }>;

/**
 * How close clean text comes to the n-gram size: runs found with n-grams of 6 words / 8
 * characters (the indexed windows: those that start in an item's question or at its first
 * option), consecutive windows of one item joined.
 */
export function longestRuns(items: BenchmarkItem[], clean: readonly CleanText[]): LongestRuns {
  const index = new BenchmarkIndex(items, { ngramWords: 6, ngramChars: 8, minVerbatimWords: 1000 });
  const out: LongestRuns = {};
  for (const c of clean) {
    const mode = shingleModeFor(c.lang, '');
    const best = (out[c.lang] ??= { tokens: 0, origin: '', item: '' });
    const runOf = new Map<number, { last: number; from: number }>();
    for (const h of index.match(matchTokens(c.text, mode), mode)) {
      for (const k of h.items) {
        const run = runOf.get(k);
        const from = run && run.last === h.start - 1 ? run.from : h.start;
        runOf.set(k, { last: h.start, from });
        const tokens = h.start - from + h.length;
        if (tokens > best.tokens) Object.assign(best, { tokens, origin: c.origin, item: items[k]!.id });
      }
    }
  }
  return out;
}

/** Time to build the index of the items repeated `copies` times (each copy's questions made distinct), and to check every clean text against it. */
export interface PlantedSpeed {
  items: number;
  buildSeconds: number;
  chars: number;
  checkSeconds: number;
}

export function measureSpeed(items: BenchmarkItem[], clean: readonly CleanText[], options: DecontamOptions, copies: number): PlantedSpeed {
  const many = Array.from({ length: copies }, (_, c) => items.map((i) => ({ ...i, id: `${i.id}~${c}`, question: `${i.question} ${c}` }))).flat();
  let t = performance.now();
  const index = new BenchmarkIndex(many, options);
  const buildSeconds = (performance.now() - t) / 1000;
  const docs = clean.map((c, i) => {
    const made = makeDoc({ kind: 'text', text: c.text, source: 'web', stage: 'pretrain', provenance: { file: c.origin } }, { file: c.origin, record: i });
    if (!made.ok) throw new Error(`${c.origin}: ${made.problem.detail}`);
    return { ...made.value, lang: c.lang };
  });
  // The faster of two passes: the first also pays for compiling the matching code.
  let checkSeconds = Infinity;
  for (let pass = 0; pass < 2; pass++) {
    t = performance.now();
    for (const d of docs) checkDocument(d, index, 'drop');
    checkSeconds = Math.min(checkSeconds, (performance.now() - t) / 1000);
  }
  return { items: many.length, buildSeconds, chars: clean.reduce((n, c) => n + c.text.length, 0), checkSeconds };
}

export async function runPlantedBench(o: PlantedBenchOptions): Promise<{ result: PlantedResult; runs: LongestRuns; speed: PlantedSpeed; skipped: string[] }> {
  const skipped = o.clean.filter((p) => !existsSync(p));
  const items = await loadBenchmarks(o.items);
  const clean = readCleanTexts(o.clean.filter((p) => existsSync(p)));
  // About the size of the full XMedBench test sets (22k items).
  const speed = measureSpeed(items, clean, o.decontam, Math.max(1, Math.round(22_000 / items.length)));
  return { result: measurePlanted(items, clean, o.seed, o.decontam), runs: longestRuns(items, clean), speed, skipped };
}

/** The table, then what was missed and what was flagged. */
export function plantedReport(result: PlantedResult, runs: LongestRuns, speed: PlantedSpeed, skipped: readonly string[], details: boolean): string {
  const o = result.options;
  const lines = [
    `Planted set (seed ${result.seed}): n-grams of ${o.ngramWords} words / ${o.ngramChars} characters, whole-sequence minimum ${o.minVerbatimWords} words / ${2 * o.minVerbatimWords} characters.`,
    '',
    plantedTableMarkdown(result),
    ...PLANTED_FORMS.map((f) => `- ${f}: ${PLANTED_FORM_TITLES[f]}`),
    '',
  ];
  lines.push(
    `Longest run of an item's text in clean text (words; characters for zh): ${Object.entries(runs)
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([lang, r]) => `${lang} ${r.tokens}`)
      .join(', ')}.`,
    '',
  );
  lines.push(
    `Speed: an index of ${speed.items} items built in ${speed.buildSeconds.toFixed(2)} s; the clean texts checked at ${(speed.chars / 1e6 / speed.checkSeconds).toFixed(1)} million characters/s (one core).`,
    '',
  );
  if (skipped.length > 0) lines.push(`Clean text paths not found (skipped): ${skipped.join(', ')}`, '');
  const unmatchable = Object.entries(result.sources).filter(([, s]) => s.unmatchable > 0);
  if (unmatchable.length > 0) lines.push(`Items that cannot be matched: ${unmatchable.map(([k, s]) => `${k} ${s.unmatchable}`).join(', ')}.`, '');
  const sources = Object.entries(result.sources).sort((a, b) => a[0].localeCompare(b[0]));
  lines.push(`Questions matched alone (an n-gram long, or a whole sequence of at least the minimum that no other item shares): ${sources.map(([k, s]) => `${k} ${s.questionMatched}/${s.items}`).join(', ')}.`, '');
  if (details) {
    for (const [source, s] of Object.entries(result.sources)) {
      for (const f of PLANTED_FORMS) if (s.missed[f].length > 0) lines.push(`missed ${source} ${f}: ${s.missed[f].join(', ')}`);
    }
    for (const [lang, c] of Object.entries(result.clean)) for (const x of c.flagged) lines.push(`flagged ${lang} ${x.origin}: ${x.items.join(', ')}`);
    for (const [lang, r] of Object.entries(runs)) if (r.tokens > 0) lines.push(`longest run ${lang}: ${r.tokens} tokens, ${r.origin} and ${r.item}`);
    for (const h of result.sharedPhrases) lines.push(`item ${h.item} matched ${h.others.join(', ')}`);
    for (const h of result.otherItemHits) lines.push(`planted ${h.planted} (${h.form}) also matched ${h.others.join(', ')}`);
  }
  return lines.join('\n');
}
