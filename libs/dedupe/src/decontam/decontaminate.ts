import { docId, type Doc } from '@apollo/document';
import { normalizeForMatching } from '../normalize';
import { shingleModeFor } from '../shingles';
import { matchTokensOfNormalized } from './match-tokens';
import type { BenchmarkIndex } from './ngram-index';

/** What happens to a contaminated document: dropped whole, or the matching paragraphs cut out. */
export type DecontamAction = 'drop' | 'cut';

export type DecontamVerdict =
  | { status: 'clean' }
  | { status: 'drop'; items: number[]; matchedWindows: number; why: 'action' | 'qa' | 'too_little_left' }
  | { status: 'cut'; items: number[]; matchedWindows: number; doc: Doc; removedLines: number };

/**
 * Checks one document against the index. The text is matched line by line (lines are the
 * unit a cut removes) but as one token stream, so an item spread over several lines, as exam
 * text usually is, still matches. In `cut` mode the lines touched by a matching window are
 * removed; the document is dropped instead when what is left has fewer tokens than one n-gram.
 * Question/answer documents (exam QA for SFT) are always dropped whole: they form the
 * "duplicate" split, the others the "clean" one.
 */
export function checkDocument(doc: Doc, index: BenchmarkIndex, action: DecontamAction): DecontamVerdict {
  const lines = doc.text.split('\n');
  const mode = shingleModeFor(doc.lang, doc.lang === undefined ? normalizeForMatching(doc.text) : '');
  const perLine = lines.map((l) => matchTokensOfNormalized(normalizeForMatching(l), mode));
  let total = 0;
  for (const t of perLine) total += t.length;
  const tokens = new Uint32Array(total);
  const lineOf = new Uint32Array(total);
  let p = 0;
  perLine.forEach((t, li) => {
    tokens.set(t, p);
    lineOf.fill(li, p, p + t.length);
    p += t.length;
  });
  const { items, hits } = index.evidence(index.match(tokens, mode));
  if (items.length === 0) return { status: 'clean' };
  if (doc.kind === 'qa') return { status: 'drop', items, matchedWindows: hits.length, why: 'qa' };
  if (action === 'drop') return { status: 'drop', items, matchedWindows: hits.length, why: 'action' };
  const removed = new Set<number>();
  for (const h of hits) for (let i = h.start; i < h.start + h.length; i++) removed.add(lineOf[i]!);
  let left = 0;
  perLine.forEach((t, li) => {
    if (!removed.has(li)) left += t.length;
  });
  if (left < index.n(mode)) return { status: 'drop', items, matchedWindows: hits.length, why: 'too_little_left' };
  const text = lines
    .filter((_, li) => !removed.has(li))
    .join('\n')
    .replace(/\n{3,}/gu, '\n\n')
    .trim();
  const cut: Doc = { ...doc, text, id: docId(doc.kind, text), meta: { ...doc.meta, decontamCutFrom: doc.id, decontamRemovedLines: removed.size } };
  return { status: 'cut', items, matchedWindows: hits.length, doc: cut, removedLines: removed.size };
}
