import { itemMatchingText } from '@apollo/benchmark-items';
import { normalizeForMatching } from '../normalize';
import { shingleModeFor, type ShingleMode } from '../shingles';
import type { BenchmarkItem } from './benchmark';
import { matchTokens, matchTokensOfNormalized } from './match-tokens';
import { WindowKeys } from './window-keys';

/** N-gram sizes and the whole-sequence rule. */
export interface DecontamOptions {
  /** Words per n-gram for languages written with spaces. Default 13. */
  ngramWords: number;
  /** Characters per n-gram for Chinese. Default 13. */
  ngramChars: number;
  /**
   * An item shorter than one n-gram (its question and options together) is matched as a whole,
   * and so is a question shorter than one n-gram, when it has at least this many words (or 2x
   * this many characters for Chinese). Shorter sequences ("Virus is cultured in:") occur in
   * ordinary text and are not matched. Default 6.
   */
  minVerbatimWords: number;
}

export const DEFAULT_DECONTAM_OPTIONS: DecontamOptions = { ngramWords: 13, ngramChars: 13, minVerbatimWords: 6 };

/** A matched window: tokens [start, start + length) of the document matched these items. */
export interface WindowHit {
  start: number;
  length: number;
  items: number[];
  /** An n-gram that items of different content hold (stock phrasing), not evidence of one item on its own. */
  shared: boolean;
}

/** The items a document holds, and the windows that show them. */
export interface Evidence {
  items: number[];
  hits: WindowHit[];
}

interface NgramEntry {
  items: number[];
  shared: boolean;
}

/** A token sequence shorter than an n-gram that is matched whole: a short item, or a short question. */
interface WholeSequence {
  tokens: Uint32Array;
  items: number[];
}

/** What one mode's index holds. */
interface ModeIndex {
  n: number;
  /** Least tokens of a whole-sequence match. */
  min: number;
  ngrams: Map<number, NgramEntry>;
  /** Sequences shorter than n (at least `min` tokens), by the key of their first `min` tokens. */
  whole: Map<number, WholeSequence[]>;
}

function sameTokens(doc: Uint32Array, start: number, seq: Uint32Array): boolean {
  for (let k = 0; k < seq.length; k++) if (doc[start + k] !== seq[k]) return false;
  return true;
}

function pushItem(list: number[], item: number): void {
  if (list[list.length - 1] !== item) list.push(item);
}

/**
 * The benchmark items, indexed for matching documents. Per shingle mode (words, or characters
 * for Chinese) it holds the n-grams of each item's token stream (its question followed by its
 * options, labels left out: `match-tokens.ts`) that start in the question, the whole streams of
 * items shorter than one n-gram, and the whole token sequences of questions shorter than one
 * n-gram (a post that quotes only the question). Of the n-grams of options alone only the one
 * that opens the options is indexed: options are short generic answers ("细胞免疫功能正常",
 * "None of the above") or statements a textbook makes too, and a run of them in other text is
 * not a copy of the item, while the whole list from its first option is. Looking a document up costs one n-gram key per token, and one key
 * of the minimum length when whole sequences are indexed (`window-keys.ts`: each in constant time).
 *
 * Phrases that items of different content share are exam style, not one item:
 * - a whole sequence they share ("Which of the following is true", which opens longer
 *   questions too) is not matched at all;
 * - an n-gram they share ("of this patient is most likely to show which of the following
 *   findings") shows an item only together with at least half an n-gram's count of the item's
 *   other n-grams (all of them when it has fewer), a run about one and a half n-grams long. An
 *   n-gram of one item alone is enough.
 */
export class BenchmarkIndex {
  private readonly modes: Record<ShingleMode, ModeIndex>;
  readonly modeOf: ShingleMode[] = [];
  /** N-grams indexed for each item (0 for items matched whole). */
  private readonly windowsOf: number[] = [];
  /** Items that cannot be matched: shorter than the whole-sequence minimum, or shorter than an n-gram and a phrase other items hold too. */
  readonly unmatchable: number[] = [];

  constructor(
    readonly items: BenchmarkItem[],
    readonly options: DecontamOptions = DEFAULT_DECONTAM_OPTIONS,
  ) {
    const mode = (n: number, min: number): ModeIndex => ({ n, min: Math.min(min, n), ngrams: new Map(), whole: new Map() });
    this.modes = { words: mode(options.ngramWords, options.minVerbatimWords), chars: mode(options.ngramChars, 2 * options.minVerbatimWords) };
    const streams = items.map((item, k) => this.addItem(item, k));
    const contentOf = items.map((item) => itemMatchingText(item));
    this.markSharedNgrams(contentOf);
    this.dropSharedSequences(streams, contentOf);
  }

  size(mode: ShingleMode): number {
    return this.modes[mode].ngrams.size;
  }

  n(mode: ShingleMode): number {
    return this.modes[mode].n;
  }

  /** The shingle mode of an item: by its language, else by the script of its question. */
  static itemMode(item: Pick<BenchmarkItem, 'language' | 'question'>): ShingleMode {
    return shingleModeFor(item.language, item.language ? '' : normalizeForMatching(item.question));
  }

  /** Whether the item's question alone is matched: it is an n-gram long, or a whole sequence no other item shares. */
  questionMatched(k: number): boolean {
    const mode = this.modeOf[k]!;
    const index = this.modes[mode];
    const q = matchTokensOfNormalized(normalizeForMatching(this.items[k]!.question), mode);
    if (q.length >= index.n) return this.evidence(this.match(q, mode)).items.includes(k);
    if (q.length < index.min) return false;
    return [...this.wholeHits(index, q)].some((w) => w.items.includes(k) && w.tokens.length === q.length);
  }

  private addWhole(index: ModeIndex, seq: Uint32Array, k: number): void {
    const key = new WindowKeys(seq).key(0, index.min);
    let list = index.whole.get(key);
    if (!list) index.whole.set(key, (list = []));
    const same = list.find((w) => w.tokens.length === seq.length && sameTokens(w.tokens, 0, seq));
    if (same) pushItem(same.items, k);
    else list.push({ tokens: seq, items: [k] });
  }

  /** Indexes one item; returns its token stream. */
  private addItem(item: BenchmarkItem, k: number): Uint32Array {
    const mode = BenchmarkIndex.itemMode(item);
    this.modeOf.push(mode);
    const index = this.modes[mode];
    const { n, min } = index;
    const stream = matchTokens(itemMatchingText(item), mode);
    // The question is the start of the stream (a line break parts it from the options).
    const question = matchTokensOfNormalized(normalizeForMatching(item.question), mode);
    if (stream.length >= n) {
      // Windows that start in the question or at the first option (found after an "Options:"
      // line too); an item without a question is its options.
      const starts = Math.min(question.length > 0 ? question.length + 1 : Infinity, stream.length - n + 1);
      const keys = new WindowKeys(stream);
      for (let i = 0; i < starts; i++) {
        const key = keys.key(i, n);
        const entry = index.ngrams.get(key);
        if (!entry) index.ngrams.set(key, { items: [k], shared: false });
        else pushItem(entry.items, k);
      }
      this.windowsOf.push(starts);
    } else {
      this.windowsOf.push(0);
      if (stream.length >= min) this.addWhole(index, stream, k);
    }
    // A question of n tokens or more is already in the n-grams.
    if (question.length >= min && question.length < n && question.length < stream.length) this.addWhole(index, question, k);
    return stream;
  }

  /** Marks the n-grams held by items of more than one content (the same question and options read twice count once). */
  private markSharedNgrams(contentOf: readonly string[]): void {
    for (const index of Object.values(this.modes)) {
      for (const entry of index.ngrams.values()) {
        if (entry.items.length < 2) continue;
        const first = contentOf[entry.items[0]!];
        entry.shared = entry.items.some((k) => contentOf[k] !== first);
      }
    }
  }

  /**
   * Removes the whole sequences found in items of more than one content: in another item's
   * stream, or as the question of items whose options differ.
   */
  private dropSharedSequences(streams: readonly Uint32Array[], contentOf: readonly string[]): void {
    const holders = new Map<WholeSequence, Set<string>>();
    for (const index of Object.values(this.modes)) for (const list of index.whole.values()) for (const w of list) holders.set(w, new Set(w.items.map((k) => contentOf[k]!)));
    streams.forEach((stream, k) => {
      const index = this.modes[this.modeOf[k]!];
      if (index.whole.size === 0) return;
      for (const hit of this.wholeHits(index, stream)) holders.get(hit)!.add(contentOf[k]!);
    });
    for (const index of Object.values(this.modes)) {
      for (const [key, list] of index.whole) {
        const kept = list.filter((w) => holders.get(w)!.size === 1);
        if (kept.length === 0) index.whole.delete(key);
        else if (kept.length < list.length) index.whole.set(key, kept);
      }
    }
    streams.forEach((stream, k) => {
      const index = this.modes[this.modeOf[k]!];
      if (stream.length >= index.n) return;
      if (![...this.wholeHits(index, stream)].some((w) => w.tokens.length === stream.length && w.items.includes(k))) this.unmatchable.push(k);
    });
  }

  /** The whole sequences that occur in a token sequence. */
  private *wholeHits(index: ModeIndex, tokens: Uint32Array): Generator<WholeSequence> {
    const keys = new WindowKeys(tokens);
    for (let i = 0; i + index.min <= tokens.length; i++) {
      const candidates = index.whole.get(keys.key(i, index.min));
      if (!candidates) continue;
      for (const w of candidates) if (i + w.tokens.length <= tokens.length && sameTokens(tokens, i, w.tokens)) yield w;
    }
  }

  /** Every window of a token sequence that matches some item (n-grams and whole sequences), in order of position. */
  match(tokens: Uint32Array, mode: ShingleMode): WindowHit[] {
    const hits: WindowHit[] = [];
    const { n, min, ngrams, whole } = this.modes[mode];
    const lookNgrams = ngrams.size > 0;
    const lookWhole = whole.size > 0;
    const keys = new WindowKeys(tokens);
    for (let i = 0; i + min <= tokens.length; i++) {
      if (lookNgrams && i + n <= tokens.length) {
        const entry = ngrams.get(keys.key(i, n));
        if (entry) hits.push({ start: i, length: n, items: entry.items, shared: entry.shared });
      }
      if (!lookWhole) continue;
      const candidates = whole.get(keys.key(i, min));
      if (!candidates) continue;
      for (const w of candidates) {
        if (i + w.tokens.length <= tokens.length && sameTokens(tokens, i, w.tokens)) hits.push({ start: i, length: w.tokens.length, items: w.items, shared: false });
      }
    }
    return hits;
  }

  /** The items that matched windows show (see the class comment), sorted, and the windows that show them. */
  evidence(hits: readonly WindowHit[]): Evidence {
    const shown = new Set<number>();
    const sharedCount = new Map<number, number>();
    for (const h of hits) {
      for (const k of h.items) {
        if (!h.shared) shown.add(k);
        else sharedCount.set(k, (sharedCount.get(k) ?? 0) + 1);
      }
    }
    for (const [k, count] of sharedCount) {
      const n = this.modes[this.modeOf[k]!].n;
      if (count >= Math.min(Math.ceil(n / 2), this.windowsOf[k]!)) shown.add(k);
    }
    if (shown.size === 0) return { items: [], hits: [] };
    return { items: [...shown].sort((a, b) => a - b), hits: hits.filter((h) => h.items.some((k) => shown.has(k))) };
  }
}
