import { sha256Hex } from './hash';
import type { DocKind } from './document';

/**
 * Normalization used for document identity: Unicode NFKC, whitespace runs collapsed to one
 * space, trimmed. Case and punctuation are kept: two texts that differ only there are still
 * different documents (the dedupe stage has its own, stronger normalization for matching).
 */
export function normalizeForId(text: string): string {
  // NFKC leaves ASCII unchanged: skip it (about half the cost) when there is nothing else.
  const nfkc = NON_ASCII.test(text) ? text.normalize('NFKC') : text;
  return nfkc.replace(/\s+/gu, ' ').trim();
}

const NON_ASCII = /[^\u0000-\u007f]/; // eslint-disable-line no-control-regex -- the ASCII range starts at NUL

/** Stable document id: the first 128 bits of sha256 over kind and normalized text, in hex. */
export function docId(kind: DocKind, text: string): string {
  return sha256Hex(`${kind}\u0000${normalizeForId(text)}`).slice(0, 32);
}

/** Text of a QA document: its turns separated by blank lines. */
export function joinTurns(turns: readonly string[]): string {
  return turns.join('\n\n');
}
