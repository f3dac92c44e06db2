import { docPhase, type SinglePhase, type StageApp, type StageOptions } from '@apollo/stage';
import type { ConvertConfig } from './config';
import { convertStep } from './convert-step';
import { readDocsWithText } from './doc-line';
import { finalizeShards } from './finalize';
import { ParquetDocSink } from './parquet-sink';
import { CONVERT_SETTINGS } from './settings';

const finalizePhase: SinglePhase<ConvertConfig> = {
  kind: 'single',
  name: 'finalize',
  run: async (task) => (await finalizeShards(task)).stats,
};

/** The world size the stage runtime will choose: `--world-size`, else one task per worker (at most one per file). */
export function convertWorldSize(files: number, opts: Pick<StageOptions, 'worldSize' | 'workers'>): number {
  return opts.worldSize ?? Math.max(1, Math.min(files, opts.workers));
}

/**
 * The convert stage: `write` turns each task's documents into Parquet parts grouped by
 * language, source and kind; `finalize` cuts and names them `data/<lang>/<source>_<kind>/train-*-of-*.parquet`
 * and writes manifest.json, the dataset card and, on request, the Apollo release format.
 */
export const convertStage: StageApp<ConvertConfig> = {
  name: 'convert',
  summary: 'Write documents as Parquet shards with a manifest and a dataset card (Hugging Face layout)',
  settings: CONVERT_SETTINGS,
  // One task per worker, even for an input smaller than one shard: finalize joins the tasks'
  // parts of a group, so the shards do not multiply with the tasks.
  defaultWorldSize: (input, opts) => convertWorldSize(input.files, opts),
  // Finalize joins a group's parts task after task: with runs of consecutive files per task,
  // the shards hold the rows in input order whatever the number of tasks.
  fileAssignment: 'contiguous',
  phases: [
    docPhase<ConvertConfig>({
      name: 'write',
      sink: (task) => ParquetDocSink.open(task),
      // The documents as the default reader gives them, with their texts' UTF-8 bytes for the sink.
      read: () => (file) => readDocsWithText(file),
      step: () => convertStep,
    }),
    finalizePhase,
  ],
};
