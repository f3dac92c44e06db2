import type { DuplicateRecord } from './duplicates-file';

/** Drop reasons of the filter phase. */
export const EXACT_DUPLICATE = 'exact_duplicate';
export const NEAR_DUPLICATE = 'near_duplicate';

/** What the filter records for a dropped duplicate: the same in both of its paths. */
export function duplicateDrop(dup: DuplicateRecord): { reason: string; detail: string; extra: Record<string, unknown> } {
  const where = dup.keptInIndex ? ' in the index' : '';
  return {
    reason: dup.kind === 'exact' ? EXACT_DUPLICATE : NEAR_DUPLICATE,
    detail: `duplicate of ${dup.keptId}${where} (similarity ${dup.similarity})`,
    extra: {
      duplicateOf: dup.keptId,
      similarity: dup.similarity,
      ...(dup.keptInIndex ? { duplicateInIndex: true } : {}),
    },
  };
}

/** The error of a document whose id is not the one the clusters name. */
export function changedIdError(source: string, ordinal: number, rank: number, id: string, dup: DuplicateRecord): Error {
  return new Error(`${source}: document ${ordinal} of task ${rank} has id ${id}, but the clusters name ${dup.id}; the input changed since the signatures phase`);
}

/** The error of a task that read another number of documents than the signatures phase. */
export function changedCountError(source: string, rank: number, read: number, expected: number): Error {
  return new Error(`${source}: task ${rank} read ${read} documents, the signatures phase saw ${expected}; the input changed since then`);
}
