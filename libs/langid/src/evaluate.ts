import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LangidConfig } from './config';
import type { LanguageDetector } from './detector';
import { judgeText, LANGID_DROP_REASONS, type LangidDropReason, type Verdict } from './judge';

/** One labelled text of the evaluation set (libs/langid/data/eval-set.jsonl). */
export interface EvalItem {
  text: string;
  /** ISO 639-1 code, `hi-Latn` for Hindi in Latin letters, or `und` for junk (numbers, code, drug strengths). */
  lang: string;
  length: 'short' | 'long';
  /**
   * Where the text comes from: `handwritten`, a file and record of the shared data, or the
   * address of the public page or repository file it was taken from.
   */
  origin: string;
  /**
   * The drop reason the stage must give, for texts that are dropped whatever their language:
   * `not_prose` (link lists, menus), `romanized_hindi`. Such texts count apart from the
   * per-language accuracy.
   */
  expect?: LangidDropReason;
}

/** Path of the committed evaluation set. */
export const EVAL_SET_PATH = join(__dirname, '..', 'data', 'eval-set.jsonl');

/** Reads the evaluation set (a few hundred KB: read whole, it is not a corpus). */
export function readEvalSet(path: string = EVAL_SET_PATH): EvalItem[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line, i) => {
      const item = JSON.parse(line) as EvalItem;
      if (typeof item.text !== 'string' || typeof item.lang !== 'string' || (item.length !== 'short' && item.length !== 'long')) {
        throw new Error(`${path}:${i + 1}: not an evaluation item`);
      }
      if (item.expect !== undefined && !(LANGID_DROP_REASONS as readonly string[]).includes(item.expect)) {
        throw new Error(`${path}:${i + 1}: "expect" must be a drop reason (${LANGID_DROP_REASONS.join(', ')}), not ${JSON.stringify(item.expect)}`);
      }
      return item;
    });
}

export interface Tally {
  n: number;
  correct: number;
}

/** Accuracy of the stage decision on a labelled set. */
export interface AccuracyReport {
  detector: string;
  /** Per target language: texts kept with the right language, short and long separately. */
  targets: Record<string, { short: Tally; long: Tally }>;
  /** All target texts. */
  overall: Tally;
  /** Texts in other languages and junk: `correct` counts those dropped. */
  others: Tally;
  /** Why other-language texts were dropped, or `kept_<lang>` when they were wrongly kept. */
  othersOutcome: Record<string, number>;
  /** Other-language and junk texts that were kept, with the language they were kept as. */
  othersKept: { item: EvalItem; lang: string }[];
  /** Other-language texts by language (`und` for junk): `correct` counts those dropped. */
  othersByLang: Record<string, Tally>;
  /** Texts with an expected drop reason, by that reason: `correct` counts those dropped with it. */
  expected: Record<string, Tally>;
  /** Target texts that were not kept with their language, and texts not dropped with their expected reason. */
  errors: { item: EvalItem; verdict: Verdict }[];
}

const bump = (t: Tally, ok: boolean) => {
  t.n++;
  if (ok) t.correct++;
};

/** Runs the full stage decision (sampling, detection, rules, thresholds) on every labelled text. */
export function evaluateAccuracy(items: EvalItem[], detector: LanguageDetector, config: LangidConfig): AccuracyReport {
  const report: AccuracyReport = {
    detector: detector.name,
    targets: {},
    overall: { n: 0, correct: 0 },
    others: { n: 0, correct: 0 },
    othersOutcome: {},
    othersKept: [],
    othersByLang: {},
    expected: {},
    errors: [],
  };
  for (const lang of config.languages) report.targets[lang] = { short: { n: 0, correct: 0 }, long: { n: 0, correct: 0 } };
  for (const item of items) {
    const verdict = judgeText(item.text, detector, config);
    if (item.expect) {
      const ok = !verdict.keep && verdict.reason === item.expect;
      bump((report.expected[item.expect] ??= { n: 0, correct: 0 }), ok);
      if (!ok) report.errors.push({ item, verdict });
      continue;
    }
    const target = report.targets[item.lang];
    if (target) {
      const ok = verdict.keep && verdict.lang === item.lang;
      bump(target[item.length], ok);
      bump(report.overall, ok);
      if (!ok) report.errors.push({ item, verdict });
    } else {
      bump(report.others, !verdict.keep);
      bump((report.othersByLang[item.lang] ??= { n: 0, correct: 0 }), !verdict.keep);
      const key = verdict.keep ? `kept_${verdict.lang}` : verdict.reason;
      report.othersOutcome[key] = (report.othersOutcome[key] ?? 0) + 1;
      if (verdict.keep) report.othersKept.push({ item, lang: verdict.lang });
    }
  }
  return report;
}

/**
 * Picks per-language thresholds from the scores: for each target language, the highest
 * threshold (on a 0.05 grid) that still keeps `keep` (e.g. 0.99) of the target texts the
 * detector gets right with no threshold. Junk and other languages detected as a target
 * language then fall under it where their scores are lower than those of real text.
 */
export function calibrateThresholds(items: EvalItem[], detector: LanguageDetector, config: LangidConfig, keep = 0.99): Record<string, number> {
  const open: LangidConfig = { ...config, thresholds: {}, defaultThreshold: 0 };
  const scores: Record<string, number[]> = {};
  for (const item of items) {
    if (!config.languages.includes(item.lang) || item.expect) continue;
    const v = judgeText(item.text, detector, open);
    if (v.keep && v.lang === item.lang) (scores[item.lang] ??= []).push(v.score);
  }
  const out: Record<string, number> = {};
  for (const lang of config.languages) {
    const s = (scores[lang] ?? []).sort((a, b) => a - b);
    if (s.length === 0) continue;
    const allowedLoss = Math.floor(s.length * (1 - keep));
    // The score at that rank, rounded down to the grid so the rank itself still passes.
    out[lang] = Math.floor(s[allowedLoss]! * 20) / 20;
  }
  return out;
}

/** Documents of about `bytes` UTF-8 bytes, built by joining texts of one target language. */
export function fixedSizeDocs(items: EvalItem[], languages: readonly string[], bytes = 1000): string[] {
  const docs: string[] = [];
  const encoder = new TextEncoder();
  for (const lang of languages) {
    let current = '';
    for (const item of items) {
      if (item.lang !== lang || item.expect) continue;
      current = current ? `${current}\n${item.text}` : item.text;
      if (encoder.encode(current).length >= bytes) {
        // Cut at a character boundary under the byte budget.
        let cut = current;
        while (encoder.encode(cut).length > bytes) cut = cut.slice(0, Math.max(1, Math.floor(cut.length * 0.95)));
        docs.push(cut);
        current = '';
      }
    }
  }
  return docs;
}

export interface SpeedReport {
  docs: number;
  bytes: number;
  seconds: number;
  docsPerSecond: number;
  mbPerSecond: number;
}

/** Runs `fn` over the documents in rounds until `minSeconds` have passed (one core, this thread). */
export function measureSpeed(docs: string[], fn: (text: string) => unknown, minSeconds = 2): SpeedReport {
  const encoder = new TextEncoder();
  const roundBytes = docs.reduce((n, d) => n + encoder.encode(d).length, 0);
  for (const d of docs.slice(0, 20)) fn(d); // warm up the JIT and WebAssembly tiers
  let n = 0;
  let bytes = 0;
  const start = process.hrtime.bigint();
  let seconds = 0;
  do {
    for (const d of docs) fn(d);
    n += docs.length;
    bytes += roundBytes;
    seconds = Number(process.hrtime.bigint() - start) / 1e9;
  } while (seconds < minSeconds);
  return { docs: n, bytes, seconds, docsPerSecond: n / seconds, mbPerSecond: bytes / 1e6 / seconds };
}

const pct = (t: Tally) => (t.n === 0 ? '-' : `${((100 * t.correct) / t.n).toFixed(1)}% (${t.correct}/${t.n})`);

/** A Markdown table of accuracy reports, one column per detector. */
export function accuracyTable(reports: AccuracyReport[]): string {
  const head = `| | ${reports.map((r) => r.detector).join(' | ')} |\n|---|${reports.map(() => '---').join('|')}|`;
  const rows: string[] = [];
  const langs = Object.keys(reports[0]?.targets ?? {});
  for (const lang of langs) {
    for (const length of ['short', 'long'] as const) {
      rows.push(`| ${lang} ${length} | ${reports.map((r) => pct(r.targets[lang]![length])).join(' | ')} |`);
    }
  }
  rows.push(`| **all targets** | ${reports.map((r) => `**${pct(r.overall)}**`).join(' | ')} |`);
  rows.push(`| other languages + junk rejected | ${reports.map((r) => pct(r.others)).join(' | ')} |`);
  const reasons = [...new Set(reports.flatMap((r) => Object.keys(r.expected)))].sort();
  for (const reason of reasons) {
    rows.push(`| dropped as ${reason} | ${reports.map((r) => pct(r.expected[reason] ?? { n: 0, correct: 0 })).join(' | ')} |`);
  }
  return [head, ...rows].join('\n');
}
