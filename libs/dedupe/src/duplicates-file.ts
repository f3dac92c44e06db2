import { JsonlWriter, readJsonLines } from '@apollo/document';

/** One line of `clusters/duplicates.jsonl`: a document to drop and the one kept instead. */
export interface DuplicateRecord {
  /** Task and position of the dropped document in that task's input order. */
  rank: number;
  ordinal: number;
  id: string;
  kind: 'exact' | 'near';
  /** Estimated Jaccard similarity to the kept document (1 for exact duplicates). */
  similarity: number;
  keptRank: number;
  keptOrdinal: number;
  keptId: string;
  /** Documents in the cluster, the kept one included. */
  clusterSize: number;
  /**
   * The kept document is a published document of the index the run was checked against
   * (`--against`); keptRank and keptOrdinal are then its index rank and ordinal.
   */
  keptInIndex?: boolean;
}

export async function writeDuplicates(path: string, records: Iterable<DuplicateRecord> | AsyncIterable<DuplicateRecord>): Promise<number> {
  const w = new JsonlWriter(path);
  try {
    for await (const r of records) await w.write(r);
    await w.commit();
  } catch (err) {
    await w.abort();
    throw err;
  }
  return w.count;
}

function isDuplicateRecord(v: unknown): v is DuplicateRecord {
  if (v === null || typeof v !== 'object') return false;
  const r = v as Record<string, unknown>;
  return (
    Number.isInteger(r.rank) &&
    Number.isInteger(r.ordinal) &&
    typeof r.id === 'string' &&
    (r.kind === 'exact' || r.kind === 'near') &&
    typeof r.similarity === 'number' &&
    typeof r.keptId === 'string'
  );
}

/**
 * Streams the records of one task from a duplicates file, checking that they are well formed
 * and in (rank, ordinal) order, so a consumer can merge them with the task's documents.
 */
export async function* readDuplicatesForRank(path: string, rank: number): AsyncGenerator<DuplicateRecord> {
  let last = -1;
  for await (const item of readJsonLines(path)) {
    if ('problem' in item) throw new Error(`${path}:${item.line}: ${item.problem.reason}: ${item.problem.detail}`);
    if (!isDuplicateRecord(item.value)) throw new Error(`${path}:${item.line}: not a duplicate record`);
    const r = item.value;
    if (r.rank < rank) continue;
    if (r.rank > rank) return;
    if (r.ordinal <= last) throw new Error(`${path}:${item.line}: records are not sorted by ordinal`);
    last = r.ordinal;
    yield r;
  }
}

/** Streams every record of a duplicates file, checked, in file order ((rank, ordinal) order). */
export async function* readDuplicates(path: string): AsyncGenerator<DuplicateRecord> {
  for await (const item of readJsonLines(path)) {
    if ('problem' in item) throw new Error(`${path}:${item.line}: ${item.problem.reason}: ${item.problem.detail}`);
    if (!isDuplicateRecord(item.value)) throw new Error(`${path}:${item.line}: not a duplicate record`);
    yield item.value;
  }
}
