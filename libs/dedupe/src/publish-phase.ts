import { readRunRecord, type SinglePhase, type TaskRuntime, type TaskSpec, type TaskStats, phaseStats } from '@apollo/stage';
import type { DedupeConfig } from './config';
import { publishIndex } from './corpus-index';
import { openSignatureStore } from './signature-store';

export const PHASE_PUBLISH = 'publish';

/**
 * Publishes the finished run into the index named by `index` (nothing without it). It runs
 * last, after every filter task, so only a run whose decisions were all applied is published.
 */
async function runPublishTask(task: TaskSpec<DedupeConfig>, rt: TaskRuntime): Promise<TaskStats> {
  const startedAt = new Date();
  const config = task.config;
  const extra: Record<string, number> = {};
  if (config.index) {
    const run = await readRunRecord(task.output);
    if (!run) throw new Error(`${task.output}: no run.json`);
    const store = await openSignatureStore(task.output, run.worldSize, config, false);
    try {
      const manifest = await publishIndex(task.output, run.worldSize, config, config.index, store);
      extra.indexDocs = manifest.docs;
      extra.addedDocs = store.total;
      rt.log.info('published dedupe index', { index: config.index, version: manifest.version, docs: manifest.docs, added: store.total });
    } finally {
      store.close();
    }
  }
  return phaseStats(task, PHASE_PUBLISH, startedAt, {
    extra,
  });
}

/** Phase 6 (single): publish the run as a new version of the dedupe index (`--index`). */
export function publishPhase(): SinglePhase<DedupeConfig> {
  return { kind: 'single', name: PHASE_PUBLISH, run: runPublishTask };
}
