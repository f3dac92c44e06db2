import { itemMatchingText } from '@apollo/benchmark-items';
import { normalizeForMatching } from '../normalize';
import { murmur3Words } from '../murmur3';
import { shingleModeFor, tokenHashes, type ShingleMode } from '../shingles';
import type { BenchmarkItem } from './benchmark';

/** N-gram sizes and the verbatim rule. */
export interface DecontamOptions {
  /** Words per n-gram for languages written with spaces. Default 13. */
  ngramWords: number;
  /** Characters per n-gram for Chinese. Default 13. */
  ngramChars: number;
  /**
   * Questions shorter than one n-gram are matched verbatim (their whole token sequence) when
   * they have at least this many words (or 2x this many characters for Chinese); shorter
   * questions ("Which is true?") occur in ordinary text and are not matched. Default 6.
   */
  minVerbatimWords: number;
}

export const DEFAULT_DECONTAM_OPTIONS: DecontamOptions = { ngramWords: 13, ngramChars: 13, minVerbatimWords: 6 };

const SEED_A = 0x3c6ef372;
const SEED_B = 0xa54ff53a;

/**
 * A 53-bit key for a token window: two murmur3 lanes (a safe JS integer, so a Map can hold it).
 * With about 2 million item n-grams, a chance collision with some corpus n-gram is expected
 * about once per 4 billion document n-grams.
 */
function windowKey(tokens: Uint32Array, start: number, n: number): number {
  return murmur3Words(tokens, start, n, SEED_A) * 0x200000 + (murmur3Words(tokens, start, n, SEED_B) & 0x1fffff);
}

/** Tokens of a text in a mode, after matching normalization. */
export function matchTokens(text: string, mode: ShingleMode): Uint32Array {
  return tokenHashes(normalizeForMatching(text), mode);
}

/** A matched window: tokens [start, start + length) of the document matched these items. */
export interface WindowHit {
  start: number;
  length: number;
  items: number[];
}

/**
 * The n-grams of all benchmark items, per shingle mode (word n-grams and character n-grams),
 * plus the whole token sequences of questions shorter than an n-gram. Each key maps to the
 * item numbers that contain it.
 */
export class BenchmarkIndex {
  private readonly ngrams: Record<ShingleMode, Map<number, number[]>> = { words: new Map(), chars: new Map() };
  /** Short questions by token length, per mode. */
  private readonly verbatim: Record<ShingleMode, Map<number, Map<number, number[]>>> = { words: new Map(), chars: new Map() };
  readonly modeOf: ShingleMode[] = [];

  constructor(
    readonly items: BenchmarkItem[],
    readonly options: DecontamOptions = DEFAULT_DECONTAM_OPTIONS,
  ) {
    items.forEach((item, k) => this.addItem(item, k));
  }

  size(mode: ShingleMode): number {
    return this.ngrams[mode].size;
  }

  n(mode: ShingleMode): number {
    return mode === 'words' ? this.options.ngramWords : this.options.ngramChars;
  }

  private static push(map: Map<number, number[]>, key: number, item: number): void {
    const list = map.get(key);
    if (!list) map.set(key, [item]);
    else if (list[list.length - 1] !== item) list.push(item);
  }

  private addItem(item: BenchmarkItem, k: number): void {
    const questionNorm = normalizeForMatching(item.question);
    const mode = shingleModeFor(undefined, questionNorm);
    this.modeOf.push(mode);
    const n = this.n(mode);
    // The question followed by its options, as a document reproducing the item would hold them.
    const stream = matchTokens(itemMatchingText(item), mode);
    for (let i = 0; i + n <= stream.length; i++) BenchmarkIndex.push(this.ngrams[mode], windowKey(stream, i, n), k);
    const q = tokenHashes(questionNorm, mode);
    const min = mode === 'words' ? this.options.minVerbatimWords : 2 * this.options.minVerbatimWords;
    if (q.length < n && q.length >= min) {
      let byKey = this.verbatim[mode].get(q.length);
      if (!byKey) this.verbatim[mode].set(q.length, (byKey = new Map()));
      BenchmarkIndex.push(byKey, windowKey(q, 0, q.length), k);
    }
  }

  /** The windows of a token sequence that match some item, in order of position. */
  match(tokens: Uint32Array, mode: ShingleMode): WindowHit[] {
    const hits: WindowHit[] = [];
    const n = this.n(mode);
    const grams = this.ngrams[mode];
    if (grams.size > 0) {
      for (let i = 0; i + n <= tokens.length; i++) {
        const items = grams.get(windowKey(tokens, i, n));
        if (items) hits.push({ start: i, length: n, items });
      }
    }
    for (const [len, byKey] of this.verbatim[mode]) {
      for (let i = 0; i + len <= tokens.length; i++) {
        const items = byKey.get(windowKey(tokens, i, len));
        if (items) hits.push({ start: i, length: len, items });
      }
    }
    return hits.sort((a, b) => a.start - b.start);
  }
}
