import { readFile } from 'node:fs/promises';
import type { StageApp } from '@apollo/stage';
import { boilerplateLinesPhase, boilerplatePhase } from './boilerplate';
import { bucketsPhase } from './buckets-phase';
import { clusterPhase, type ClusterSummary } from './cluster-phase';
import { configureDedupe, type DedupeConfig } from './config';
import { decontamReportPhase } from './decontam/report';
import { filterPhase } from './filter-phase';
import { DedupeLayout } from './layout';
import { publishPhase } from './publish-phase';
import { DEDUPE_SETTINGS } from './settings';
import { signaturesPhase } from './signatures-phase';

/**
 * The dedupe stage: exact and MinHash-LSH near-duplicate removal within a run, in four phases
 * (signatures and sorted runs per input task, buckets per key space, one clustering, filter per
 * input task), with memory bounded by `memoryMb` per task.
 */
export const dedupeStage: StageApp<DedupeConfig> = {
  name: 'dedupe',
  summary: 'Remove exact and near-duplicate documents (MinHash LSH), keeping one per cluster by source priority',
  settings: DEDUPE_SETTINGS,
  configure: (settings) => configureDedupe(settings),
  phases: [boilerplateLinesPhase(), boilerplatePhase(), signaturesPhase(), bucketsPhase(), clusterPhase(), filterPhase(), decontamReportPhase(), publishPhase()],
  async after(output, _config, log) {
    const summary = JSON.parse(await readFile(new DedupeLayout(output).summaryFile(), 'utf8')) as ClusterSummary;
    const s = summary.stats;
    log.info('dedupe summary', {
      docs: s.docs,
      kept: s.kept,
      exactDuplicates: s.exactDuplicates,
      nearDuplicates: s.nearDuplicates,
      clusters: s.clusters,
      largestCluster: s.largestCluster,
      noShingles: s.noShingles,
    });
  },
};
