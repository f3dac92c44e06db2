import { readFileSync } from 'node:fs';
import { Fingerprinter } from './fingerprint';
import { bandKeyOf } from './lsh';
import { estimateJaccard } from './minhash';

/** One labelled pair of the near-duplicate evaluation set (one JSON line). */
export interface EvalPair {
  lang: string;
  /** 1: near-duplicate (b is an edited copy of a); 0: a different document on the same topic. */
  label: 0 | 1;
  /** The edits that made b from a (positives), or how the negative was chosen. */
  edit: string;
  a: string;
  b: string;
}

/** The settings a pair decision depends on. */
export interface EvalSettings {
  bands: number;
  rows: number;
  threshold: number;
  shingleWords: number;
  shingleChars: number;
  seed?: number;
}

export interface Scores {
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface EvalResult {
  settings: EvalSettings;
  overall: Scores;
  byLang: Record<string, Scores>;
  /** Recall per edit kind (positives only). */
  recallByEdit: Record<string, { found: number; total: number }>;
}

/** Reads an evaluation set file (JSON lines). */
export function readEvalPairs(path: string): EvalPair[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l, i) => {
      const p = JSON.parse(l) as EvalPair;
      if (typeof p.a !== 'string' || typeof p.b !== 'string' || (p.label !== 0 && p.label !== 1)) throw new Error(`${path}:${i + 1}: not an evaluation pair`);
      return p;
    });
}

/**
 * What the stage decides for two documents alone: duplicates when their matching forms are
 * equal, or when they share a band (an LSH candidate) and their estimated Jaccard similarity
 * reaches the threshold.
 */
export function isDuplicatePair(fp: Fingerprinter, settings: EvalSettings, pair: Pick<EvalPair, 'a' | 'b' | 'lang'>): boolean {
  const x = fp.fingerprint(pair.a, pair.lang);
  const y = fp.fingerprint(pair.b, pair.lang);
  if (Buffer.from(x.exactHash).equals(Buffer.from(y.exactHash))) return true;
  if (x.noShingles || y.noShingles) return false;
  let candidate = false;
  for (let b = 0; b < settings.bands && !candidate; b++) {
    const [h1, l1] = bandKeyOf(x.signature, b, settings.rows);
    const [h2, l2] = bandKeyOf(y.signature, b, settings.rows);
    candidate = h1 === h2 && l1 === l2;
  }
  return candidate && estimateJaccard(x.signature, y.signature) >= settings.threshold;
}

function scores(tp: number, fp: number, fn: number, tn: number): Scores {
  const precision = tp + fp > 0 ? tp / (tp + fp) : 1;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 1;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  const r = (x: number) => Math.round(x * 1e4) / 1e4;
  return { tp, fp, fn, tn, precision: r(precision), recall: r(recall), f1: r(f1) };
}

/** Precision, recall and F1 of the pair decisions, per language and overall. */
export function evaluatePairs(pairs: EvalPair[], settings: EvalSettings): EvalResult {
  const fp = new Fingerprinter({ shingles: { words: settings.shingleWords, chars: settings.shingleChars }, numHashes: settings.bands * settings.rows, seed: settings.seed ?? 42 });
  const counts = new Map<string, [number, number, number, number]>();
  const all: [number, number, number, number] = [0, 0, 0, 0];
  const recallByEdit: EvalResult['recallByEdit'] = {};
  for (const p of pairs) {
    const dup = isDuplicatePair(fp, settings, p);
    const c = counts.get(p.lang) ?? [0, 0, 0, 0];
    counts.set(p.lang, c);
    const k = p.label === 1 ? (dup ? 0 : 2) : dup ? 1 : 3;
    c[k]++;
    all[k]++;
    if (p.label === 1) {
      for (const e of p.edit.split('+')) {
        const r = (recallByEdit[e] ??= { found: 0, total: 0 });
        r.total++;
        if (dup) r.found++;
      }
    }
  }
  const byLang: Record<string, Scores> = {};
  for (const [lang, c] of counts) byLang[lang] = scores(...c);
  return { settings, overall: scores(...all), byLang, recallByEdit };
}
