import { join } from 'node:path';
import { JsonlWriter, type Doc } from '@apollo/document';
import { drop, filterStep, keep, StageLayout, type DocStep } from '@apollo/stage';
import type { BenchmarkItem } from './benchmark';
import { checkDocument, type DecontamAction } from './decontaminate';
import type { BenchmarkIndex } from './ngram-index';

/** Drop reason of a contaminated document. */
export const BENCHMARK_CONTAMINATION = 'benchmark_contamination';

/** One line of `decontam/hits/<rank>.jsonl`: a document that held benchmark items. */
export interface ContaminationHit {
  docId: string;
  source: string;
  lang?: string;
  kind: Doc['kind'];
  /** `dropped`, or `cut` (then `cutId` is the id of the shortened document kept). */
  action: 'dropped' | 'cut';
  cutId?: string;
  removedLines?: number;
  /** Benchmark item ids (`<source>:<n>`). */
  items: string[];
  /** Matching n-gram windows (or verbatim questions) found. */
  matchedWindows: number;
}

export function hitsFile(output: string, rank: number): string {
  return join(output, 'decontam', 'hits', `${StageLayout.rankName(rank)}.jsonl`);
}

function describeItems(items: BenchmarkItem[], numbers: number[]): string {
  const ids = numbers.map((k) => items[k]!.id);
  return ids.length <= 5 ? ids.join(', ') : `${ids.slice(0, 5).join(', ')} and ${ids.length - 5} more`;
}

/**
 * The decontamination step: every document is checked against the benchmark index; clean
 * ones pass, contaminated ones are dropped (reason `benchmark_contamination`, with the item
 * ids) or passed on shortened. The task's hits are written to `decontam/hits/<rank>.jsonl`
 * when its documents are done, for the report phase.
 */
export function decontaminationStep(index: BenchmarkIndex, action: DecontamAction, output: string): DocStep {
  let hits: JsonlWriter | undefined;
  let committed = false;
  return filterStep({
    async judge(doc, ctx) {
      hits ??= new JsonlWriter(hitsFile(output, ctx.rank));
      const v = checkDocument(doc, index, action);
      if (v.status === 'clean') return keep();
      const ids = v.items.map((k) => index.items[k]!.id);
      const hit: ContaminationHit = { docId: doc.id, source: doc.source, ...(doc.lang ? { lang: doc.lang } : {}), kind: doc.kind, action: 'dropped', items: ids, matchedWindows: v.matchedWindows };
      let judgement;
      if (v.status === 'drop') {
        ctx.count('contaminatedDropped');
        judgement = drop(BENCHMARK_CONTAMINATION, `holds benchmark items ${describeItems(index.items, v.items)}`, { benchmarkItems: ids });
      } else {
        hit.action = 'cut';
        hit.cutId = v.doc.id;
        hit.removedLines = v.removedLines;
        ctx.count('contaminatedCut');
        judgement = keep(v.doc);
      }
      hits.add(hit);
      await hits.flushIfFull();
      return judgement;
    },
    // The task's hits file is written even when it found none: the report phase reads one per task.
    async finish(ctx) {
      hits ??= new JsonlWriter(hitsFile(output, ctx.rank));
      await hits.commit();
      committed = true;
    },
    async close() {
      if (hits && !committed) await hits.abort();
    },
  });
}
