import { sha256Hex } from './hash';
import type { DocKind } from './document';

/**
 * Normalization used for document identity: Unicode NFKC, whitespace runs collapsed to one
 * space, trimmed. Case and punctuation are kept: two texts that differ only there are still
 * different documents (the dedupe stage has its own, stronger normalization for matching).
 */
export function normalizeForId(text: string): string {
  // NFKC leaves ASCII unchanged: skip it (about half the cost) when there is nothing else. On
  // text already in NFKC, V8 returns the input after ICU's quick check, without copying it.
  const nfkc = NON_ASCII.test(text) ? text.normalize('NFKC') : text;
  return collapseWhitespace(nfkc);
}

const NON_ASCII = /[^\u0000-\u007f]/; // eslint-disable-line no-control-regex -- the ASCII range starts at NUL

/**
 * `text.replace(/\s+/gu, ' ').trim()`, skipped when it would change nothing: the replacement
 * rebuilds the whole string and was most of normalizeForId's time, yet almost every document is
 * already folded. It changes nothing exactly when every `\s` char is a U+0020 with no other `\s`
 * next to it (UNFOLDED finds any other) and, `trim` removing the same `\s` set, none is at either end.
 */
function collapseWhitespace(text: string): string {
  const unfolded = UNFOLDED.test(text) || text.charCodeAt(0) === SPACE || text.charCodeAt(text.length - 1) === SPACE;
  return unfolded ? text.replace(/\s+/gu, ' ').trim() : text;
}

const SPACE = 0x20;
const UNFOLDED = /[^\S ]| {2}/u; // a `\s` char other than U+0020, or two U+0020 in a row

/** Stable document id: the first 128 bits of sha256 over kind and normalized text, in hex. */
export function docId(kind: DocKind, text: string): string {
  return sha256Hex(`${kind}\u0000${normalizeForId(text)}`).slice(0, 32);
}

/** Text of a QA document: its turns separated by blank lines. */
export function joinTurns(turns: readonly string[]): string {
  return turns.join('\n\n');
}
