import { access } from 'node:fs/promises';
import { LANGS, writeFileAtomic } from '@apollo/document';
import { readRunRecord, type SinglePhase, type TaskRuntime, type TaskSpec, type TaskStats } from '@apollo/stage';
import { clusterDocuments, type ClusterStats, type Clustering } from './cluster';
import { numHashes, type DedupeConfig } from './config';
import { type DocTable, DocTableBuilder, idOf, sameExactHash, signatureOf } from './doc-table';
import { writeDuplicates, type DuplicateRecord } from './duplicates-file';
import { sourceRanks } from './keep-policy';
import { DedupeLayout, PHASE_CLUSTER } from './layout';
import { estimateJaccard } from './minhash';
import { checkSignatureParams, OTHER_LANG, readSignatureFile, readSignatureHeader, SignatureFileError } from './signature-file';

/** `clusters/summary.json`. */
export interface ClusterSummary {
  stats: ClusterStats;
  /** Documents and duplicates per language (`other` for documents without a known language). */
  byLang: Record<string, { docs: number; exactDuplicates: number; nearDuplicates: number }>;
  worldSize: number;
}

/** Loads every task's signature file into one table, checking completeness and parameters. */
export async function loadSignatures(output: string, worldSize: number, config: DedupeConfig, rt: TaskRuntime): Promise<DocTable> {
  const layout = new DedupeLayout(output);
  const builder = new DocTableBuilder(numHashes(config), sourceRanks(config.sourcePriority));
  for (let rank = 0; rank < worldSize; rank++) {
    const file = layout.signatureFile(rank);
    try {
      await access(layout.signaturesComplete(rank));
    } catch {
      throw new Error(`signatures task ${rank} of ${worldSize} has not completed (${file}); run --phase signatures for it first`);
    }
    const header = await readSignatureHeader(file);
    checkSignatureParams(file, header, {
      numHashes: numHashes(config),
      seed: config.seed,
      shingleWords: config.shingleWords,
      shingleChars: config.shingleChars,
      rank,
      worldSize,
    });
    for await (const rec of readSignatureFile(file)) {
      builder.add(rec);
      rt.progress(1, header.recordBytes);
    }
  }
  return builder.build();
}

/** The duplicate records of a clustering, in (rank, ordinal) order (the table's order). */
export function* duplicateRecords(t: DocTable, c: Clustering): Generator<DuplicateRecord> {
  for (let i = 0; i < t.count; i++) {
    const kept = c.keptOf[i]!;
    if (kept === i) continue;
    const exact = sameExactHash(t, i, kept);
    yield {
      rank: t.rank[i]!,
      ordinal: t.ordinal[i]!,
      id: idOf(t, i),
      kind: exact ? 'exact' : 'near',
      similarity: exact ? 1 : Math.round(estimateJaccard(signatureOf(t, i), signatureOf(t, kept)) * 1e4) / 1e4,
      keptRank: t.rank[kept]!,
      keptOrdinal: t.ordinal[kept]!,
      keptId: idOf(t, kept),
      clusterSize: c.clusterSize[i]!,
    };
  }
}

function summarize(t: DocTable, c: Clustering, worldSize: number): ClusterSummary {
  const byLang: ClusterSummary['byLang'] = {};
  for (let i = 0; i < t.count; i++) {
    const li = t.langIndex[i]!;
    const lang = li === OTHER_LANG ? 'other' : (LANGS[li] ?? 'other');
    const entry = (byLang[lang] ??= { docs: 0, exactDuplicates: 0, nearDuplicates: 0 });
    entry.docs++;
    const kept = c.keptOf[i]!;
    if (kept !== i) {
      if (sameExactHash(t, i, kept)) entry.exactDuplicates++;
      else entry.nearDuplicates++;
    }
  }
  return { stats: c.stats, byLang, worldSize };
}

/**
 * Reads all signature files, clusters exact and near duplicates, and writes
 * `clusters/duplicates.jsonl` (the decisions) and `clusters/summary.json`.
 */
export async function runClusterTask(task: TaskSpec<DedupeConfig>, rt: TaskRuntime): Promise<TaskStats> {
  const startedAt = new Date();
  const run = await readRunRecord(task.output);
  if (!run) throw new Error(`${task.output}: no run.json; the cluster phase needs the signatures phase's output folder`);
  const config = task.config;
  const layout = new DedupeLayout(task.output);
  let table: DocTable;
  try {
    table = await loadSignatures(task.output, run.worldSize, config, rt);
  } catch (err) {
    if (err instanceof SignatureFileError) throw new Error(`${err.message}; delete it and its completion marker, then rerun its signatures task`);
    throw err;
  }
  const clustering = clusterDocuments(table, {
    bands: config.bands,
    rows: config.rows,
    threshold: config.threshold,
    exactOnly: config.exactOnly,
  });
  await writeDuplicates(layout.duplicatesFile(), duplicateRecords(table, clustering));
  const summary = summarize(table, clustering, run.worldSize);
  await writeFileAtomic(layout.summaryFile(), JSON.stringify(summary, null, 2) + '\n');
  const s = clustering.stats;
  rt.log.info('clustered', { docs: s.docs, clusters: s.clusters, exact: s.exactDuplicates, near: s.nearDuplicates, rejectedPairs: s.rejectedPairs });
  const finished = new Date();
  return {
    stage: task.stage,
    phase: PHASE_CLUSTER,
    rank: task.rank,
    worldSize: task.worldSize,
    files: task.files,
    docsIn: s.docs,
    docsOut: s.kept,
    dropped: { ...(s.exactDuplicates ? { exact_duplicate: s.exactDuplicates } : {}), ...(s.nearDuplicates ? { near_duplicate: s.nearDuplicates } : {}) },
    bytesIn: 0,
    bytesOut: 0,
    charsIn: 0,
    charsOut: 0,
    fileErrors: [],
    startedAt: startedAt.toISOString(),
    finishedAt: finished.toISOString(),
    seconds: (finished.getTime() - startedAt.getTime()) / 1000,
    extra: { ...s },
  };
}

/** Phase 2 (single): clustering over all signature files. */
export function clusterPhase(): SinglePhase<DedupeConfig> {
  return { kind: 'single', name: PHASE_CLUSTER, run: runClusterTask };
}
