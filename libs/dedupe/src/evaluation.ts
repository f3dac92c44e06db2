import { readFileSync } from 'node:fs';
import { Fingerprinter } from './fingerprint';
import { bandKeyOf, shortBandKeyOf, shortBanding } from './lsh';
import { estimateJaccard } from './minhash';
import { normalizeForMatching } from './normalize';
import { shingleModeFor } from './shingles';

/** One labelled pair of the near-duplicate evaluation set (one JSON line). */
export interface EvalPair {
  lang: string;
  /** 1: near-duplicate (b is an edited copy of a); 0: a different document on the same topic. */
  label: 0 | 1;
  /** The edits that made b from a (positives), or how the negative was chosen. */
  edit: string;
  a: string;
  b: string;
  /** Where a (and b, when it was found rather than made) comes from: a dataset file and record, or a page URL. */
  origin?: string;
  /** Pairs reported apart, neither positives nor negatives: a paraphrase is not what MinHash is for. */
  category?: 'paraphrase';
}

/** The settings a pair decision depends on. */
export interface EvalSettings {
  bands: number;
  rows: number;
  threshold: number;
  shingleWords: number;
  shingleChars: number;
  seed?: number;
  /** Short documents (see DEDUPE_SETTINGS): absent or 0, none is short. */
  shortChars?: number;
  shortRows?: number;
  shortThreshold?: number;
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

/**
 * Length bands, by the characters of the pair's longer text: the short texts the dedupe stage
 * treats apart (labels, posts, answers) fall in the first two.
 */
export const LENGTH_BANDS = [
  { name: '<150', below: 150 },
  { name: '150-300', below: 300 },
  { name: '300-600', below: 600 },
  { name: '600+', below: Infinity },
] as const;

/** Longest text (characters) of a short-text pair: the first two length bands. */
export const SHORT_TEXT_CHARS = 300;

/** Least share of the longer text a copy keeps for it to count as sharing most of its text. */
export const MOST_SHARED = 0.8;

export interface EvalResult {
  settings: EvalSettings;
  overall: Scores;
  byLang: Record<string, Scores>;
  /** By the longer text's length (LENGTH_BANDS). */
  byBand: Record<string, Scores>;
  /**
   * Copies that keep at least MOST_SHARED of the longer text ('most') or less ('part'), each
   * scored with all the negatives.
   */
  byShare: { most: Scores; part: Scores };
  /** 'most' per language and per length band. */
  mostByLang: Record<string, Scores>;
  mostByBand: Record<string, Scores>;
  /** Pairs whose longer text is under SHORT_TEXT_CHARS, per language: all copies, and those sharing most of their text. */
  shortByLang: Record<string, Scores>;
  shortMostByLang: Record<string, Scores>;
  /** Recall per edit kind (positives only). */
  recallByEdit: Record<string, { found: number; total: number }>;
  /** Pairs reported apart (paraphrases): how many the stage would join. */
  apart: Record<string, { joined: number; total: number }>;
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

/** The fingerprinter the settings imply. */
export function evalFingerprinter(settings: EvalSettings): Fingerprinter {
  return new Fingerprinter({
    shingles: { words: settings.shingleWords, chars: settings.shingleChars },
    numHashes: settings.bands * settings.rows,
    seed: settings.seed ?? 42,
    shortChars: settings.shortChars ?? 0,
  });
}

/**
 * What the stage decides for two documents alone: duplicates when their matching forms are
 * equal, or when they are LSH candidates (they share a band, or, both short, a short band) and
 * their estimated Jaccard similarity reaches the threshold (the short threshold when both are
 * short).
 */
export function isDuplicatePair(fp: Fingerprinter, settings: EvalSettings, pair: Pick<EvalPair, 'a' | 'b' | 'lang'>): boolean {
  const x = fp.fingerprint(pair.a, pair.lang);
  const y = fp.fingerprint(pair.b, pair.lang);
  if (Buffer.from(x.exactHash).equals(Buffer.from(y.exactHash))) return true;
  if (x.noShingles || y.noShingles) return false;
  const similarity = estimateJaccard(x.signature, y.signature);
  const shares = (key: (s: Uint32Array, band: number) => [number, number], count: number) => {
    for (let b = 0; b < count; b++) {
      const [h1, l1] = key(x.signature, b);
      const [h2, l2] = key(y.signature, b);
      if (h1 === h2 && l1 === l2) return true;
    }
    return false;
  };
  const bothShort = x.short && y.short && settings.shortRows !== undefined && settings.shortThreshold !== undefined;
  if (similarity < (bothShort ? settings.shortThreshold! : settings.threshold)) return false;
  if (shares((s, b) => bandKeyOf(s, b, settings.rows), settings.bands)) return true;
  if (!bothShort) return false;
  const { shortBands } = shortBanding(settings.bands * settings.rows, settings.shortRows!);
  return shares((s, b) => shortBandKeyOf(s, b, settings.shortRows!), shortBands);
}

/**
 * Share of the longer text that the other keeps, in order: the longest common subsequence of
 * the two matching forms' tokens (words, or characters for Chinese) over the longer one's
 * token count. 1 for copies that differ only in what the matching form folds.
 */
export function sharedTextShare(a: string, b: string, lang: string): number {
  const tokens = (t: string): string[] => {
    const n = normalizeForMatching(t);
    if (n.length === 0) return [];
    return shingleModeFor(lang, n) === 'chars' ? [...n.replace(/ /gu, '')] : n.split(' ');
  };
  const x = tokens(a);
  const y = tokens(b);
  const longer = Math.max(x.length, y.length);
  if (longer === 0) return 1;
  let prev = new Uint32Array(y.length + 1);
  let cur = new Uint32Array(y.length + 1);
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) cur[j] = x[i - 1] === y[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    [prev, cur] = [cur, prev];
  }
  return prev[y.length]! / longer;
}

/** The length band of a pair (LENGTH_BANDS). */
export function lengthBand(pair: Pick<EvalPair, 'a' | 'b'>): string {
  const n = Math.max(pair.a.length, pair.b.length);
  return LENGTH_BANDS.find((b) => n < b.below)!.name;
}

function scores(c: Counts): Scores {
  const [tp, fp, fn, tn] = c;
  const precision = tp + fp > 0 ? tp / (tp + fp) : 1;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 1;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  const r = (x: number) => Math.round(x * 1e4) / 1e4;
  return { tp, fp, fn, tn, precision: r(precision), recall: r(recall), f1: r(f1) };
}

/** tp, fp, fn, tn. */
type Counts = [number, number, number, number];

class Tally {
  private readonly groups = new Map<string, Counts>();

  add(group: string, k: 0 | 1 | 2 | 3): void {
    const c: Counts = this.groups.get(group) ?? [0, 0, 0, 0];
    this.groups.set(group, c);
    c[k]++;
  }

  scores(): Record<string, Scores> {
    const out: Record<string, Scores> = {};
    for (const [g, c] of this.groups) out[g] = scores(c);
    return out;
  }

  get(group: string): Scores {
    return scores(this.groups.get(group) ?? [0, 0, 0, 0]);
  }
}

/**
 * Precision, recall and F1 of the pair decisions: overall, per language, per length band and
 * per share of the text a copy keeps. Negatives count in every group of their language and
 * band, and in both share groups; pairs of a `category` are left out of the scores and
 * reported apart.
 */
export function evaluatePairs(pairs: EvalPair[], settings: EvalSettings): EvalResult {
  const fp = evalFingerprinter(settings);
  const all = new Tally();
  const byLang = new Tally();
  const byBand = new Tally();
  const byShare = new Tally();
  const mostByLang = new Tally();
  const mostByBand = new Tally();
  const shortByLang = new Tally();
  const shortMostByLang = new Tally();
  const recallByEdit: EvalResult['recallByEdit'] = {};
  const apart: EvalResult['apart'] = {};
  for (const p of pairs) {
    const dup = isDuplicatePair(fp, settings, p);
    if (p.category) {
      const a = (apart[p.category] ??= { joined: 0, total: 0 });
      a.total++;
      if (dup) a.joined++;
      continue;
    }
    const k = p.label === 1 ? (dup ? 0 : 2) : dup ? 1 : 3;
    const band = lengthBand(p);
    all.add('all', k);
    byLang.add(p.lang, k);
    byBand.add(band, k);
    const most = p.label === 0 || sharedTextShare(p.a, p.b, p.lang) >= MOST_SHARED;
    for (const share of p.label === 0 ? ['most', 'part'] : [most ? 'most' : 'part']) byShare.add(share, k);
    const short = Math.max(p.a.length, p.b.length) < SHORT_TEXT_CHARS;
    if (short) shortByLang.add(p.lang, k);
    if (most) {
      mostByLang.add(p.lang, k);
      mostByBand.add(band, k);
      if (short) shortMostByLang.add(p.lang, k);
    }
    if (p.label === 1) {
      for (const e of p.edit.split('+')) {
        const r = (recallByEdit[e] ??= { found: 0, total: 0 });
        r.total++;
        if (dup) r.found++;
      }
    }
  }
  return {
    settings,
    overall: all.get('all'),
    byLang: byLang.scores(),
    byBand: byBand.scores(),
    byShare: { most: byShare.get('most'), part: byShare.get('part') },
    mostByLang: mostByLang.scores(),
    mostByBand: mostByBand.scores(),
    shortByLang: shortByLang.scores(),
    shortMostByLang: shortMostByLang.scores(),
    recallByEdit,
    apart,
  };
}
