import { access } from 'node:fs/promises';
import { docId, readDocFile } from '@apollo/document';
import { loadBoilerplate, type BoilerplateSet } from './boilerplate';
import { docPhase, drop, filterStep, keep, pipe, type DocStep, type ShardedPhase, type TaskSpec } from '@apollo/stage';
import type { DedupeConfig } from './config';
import { changedCountError, changedIdError, duplicateDrop } from './duplicate-drop';
import { readDuplicatesForRank, type DuplicateRecord } from './duplicates-file';
import { DedupeLayout, PHASE_FILTER } from './layout';
import { SourceLineSink, type SourceLines } from './raw-lines';
import { readSignatureHeader, releaseHeldSignatureFiles, type SignatureFileHeader } from './signature-file';
import { runCopyFilterTask } from './filter-copy';
import { usableLinePlan, type LinePlan } from './line-plan';
import { loadBenchmarks } from './decontam/benchmark';
import { BenchmarkIndex } from './decontam/ngram-index';
import { decontaminationStep } from './decontam/step';

export { EXACT_DUPLICATE, NEAR_DUPLICATE } from './duplicate-drop';

/**
 * The filter step for one task: its documents arrive in the same order as in the signatures
 * phase, so the n-th document has ordinal n; the task's duplicate records (sorted by ordinal)
 * are merged with that stream, holding one record in memory at a time. A document count or id
 * that disagrees with the signature file means the input changed between phases: the task
 * fails instead of dropping the wrong documents.
 */
export function duplicateFilter(records: AsyncIterator<DuplicateRecord>, expectedDocs: number, source: string): DocStep {
  let next: IteratorResult<DuplicateRecord> | undefined;
  let ordinal = 0;
  return filterStep({
    async judge(doc, ctx) {
      next ??= await records.next();
      const here = ordinal++;
      if (!next.done && next.value.ordinal < here) throw new Error(`${source}: record for ordinal ${next.value.ordinal} is out of order`);
      if (next.done || next.value.ordinal !== here) return keep();
      const dup = next.value;
      if (dup.id !== doc.id) throw changedIdError(source, here, ctx.rank, doc.id, dup);
      next = await records.next();
      const { reason, detail, extra } = duplicateDrop(dup);
      return drop(reason, detail, extra);
    },
    async finish(ctx) {
      next ??= await records.next();
      if (ordinal !== expectedDocs || !next.done) throw changedCountError(source, ctx.rank, ordinal, expectedDocs);
    },
  });
}

async function filterPhaseStep(task: TaskSpec<DedupeConfig>): Promise<DocStep> {
  const layout = new DedupeLayout(task.output);
  const duplicates = layout.duplicatesFile();
  try {
    await access(duplicates);
  } catch {
    throw new Error(`${duplicates} is missing: run --phase cluster (after every signatures task) before --phase filter`);
  }
  const header = await readSignatureHeader(layout.signatureFile(task.rank));
  const dedupe = duplicateFilter(readDuplicatesForRank(duplicates, task.rank), header.count, duplicates);
  const config = task.config;
  const kept = config.boilerplateStrip && config.boilerplateMinDocs > 0 ? pipe(dedupe, boilerplateStripStep(await loadBoilerplate(task.output, config))) : dedupe;
  if (config.decontaminate.length === 0) return kept;
  // Kept documents only: a dropped duplicate's text lives on in the document kept for it.
  const index = new BenchmarkIndex(await loadBenchmarks(config.decontaminate), {
    ngramWords: config.decontamNgramWords,
    ngramChars: config.decontamNgramChars,
    minVerbatimWords: config.decontamMinVerbatimWords,
  });
  return pipe(kept, decontaminationStep(index, config.decontamAction, task.output));
}

/** Drop reason of a text document made only of boilerplate lines. */
export const BOILERPLATE_ONLY = 'boilerplate_only';

/**
 * Removes the site's boilerplate lines from kept text documents (the id follows the new text;
 * QA documents are left whole). A document with nothing left is dropped.
 */
export function boilerplateStripStep(set: BoilerplateSet): DocStep {
  return filterStep((doc) => {
    if (doc.kind !== 'text') return keep();
    const { text, removed } = set.strip(doc);
    if (removed === 0) return keep();
    if (text.length === 0) return drop(BOILERPLATE_ONLY, `all ${removed} lines are boilerplate of the document's site`);
    return keep({ ...doc, text, id: docId(doc.kind, text), meta: { ...doc.meta, boilerplateFrom: doc.id, boilerplateRemovedLines: removed } });
  });
}

/**
 * Phase 4 (sharded, the document phase): drops the documents listed in the duplicates file,
 * then, with `decontaminate` set, drops or cuts the kept documents that hold benchmark items.
 * In the default configuration (no decontamination, no boilerplate stripping) a task whose
 * input files are the ones its signatures task read decides each line by the signatures
 * task's line plan without parsing it (filter-copy.ts); otherwise it reads every document,
 * copying kept documents as the lines they were read as where that gives the same bytes
 * (`readDocFile`'s `lines` option and raw-lines.ts).
 */
export function filterPhase(): ShardedPhase<DedupeConfig> {
  const lines: SourceLines = new WeakMap();
  const full = docPhase<DedupeConfig>({
    name: PHASE_FILTER,
    step: filterPhaseStep,
    read: () => (file) => readDocFile(file, { lines }),
    sink: (task) => new SourceLineSink(new DedupeLayout(task.output).stage.docsFile(task.rank), lines),
  });
  return {
    ...full,
    async run(task, rt) {
      // The signatures the buckets tasks held on this thread are of no use from here on.
      releaseHeldSignatureFiles();
      const copy = await copyFilterInputs(task);
      if ('reason' in copy) {
        if (copy.reason !== undefined) rt.log.info('filter reads every document', { rank: task.rank, reason: copy.reason });
        return full.run(task, rt);
      }
      return runCopyFilterTask(task, rt, copy.plan, copy.expectedDocs, readDuplicatesForRank(copy.duplicates, task.rank), copy.duplicates);
    },
  };
}

/**
 * What the copying filter needs, or why the task takes the full path (undefined: the
 * configuration needs every document; errors such as a missing duplicates file are left to the
 * full path to report).
 */
async function copyFilterInputs(
  task: TaskSpec<DedupeConfig>,
): Promise<{ plan: LinePlan; expectedDocs: number; duplicates: string } | { reason: string | undefined }> {
  const config = task.config;
  if (config.decontaminate.length > 0 || (config.boilerplateStrip && config.boilerplateMinDocs > 0)) return { reason: undefined };
  const layout = new DedupeLayout(task.output);
  const duplicates = layout.duplicatesFile();
  let header: SignatureFileHeader;
  try {
    await access(duplicates);
    header = await readSignatureHeader(layout.signatureFile(task.rank));
  } catch {
    return { reason: undefined };
  }
  const usable = await usableLinePlan(layout.linePlan(task.rank), task.files, Buffer.from(header.checksum).toString('hex'));
  if ('reason' in usable) return usable;
  return { plan: usable.plan, expectedDocs: header.count, duplicates };
}
