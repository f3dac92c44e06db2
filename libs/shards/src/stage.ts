import { docPhase, type SinglePhase, type StageApp } from '@apollo/stage';
import { addConvertOptions, convertConfig, type ConvertConfig } from './config';
import { convertStep } from './convert-step';
import { finalizeShards } from './finalize';
import { ParquetDocSink } from './parquet-sink';

const finalizePhase: SinglePhase<ConvertConfig> = {
  kind: 'single',
  name: 'finalize',
  run: async (task) => (await finalizeShards(task)).stats,
};

/**
 * The convert stage: `write` turns each task's documents into Parquet parts grouped by
 * language, source and kind; `finalize` names them `data/<lang>/<source>_<kind>/train-*-of-*.parquet`
 * and writes manifest.json, the dataset card and, on request, the Apollo release format.
 */
export const convertStage: StageApp<ConvertConfig> = {
  name: 'convert',
  summary: 'Write documents as Parquet shards with a manifest and a dataset card (Hugging Face layout)',
  options: addConvertOptions,
  configure: (opts, section) => convertConfig(opts, section),
  // Each write task gives every group it sees at least one shard, so tasks are sized to the
  // data: one when the input fits in a shard, at most one per worker otherwise, however many
  // input files there are (--world-size overrides).
  defaultWorldSize: (input, opts, config) => Math.min(opts.workers, Math.ceil(input.bytes / config.shardMaxBytes)),
  phases: [
    docPhase<ConvertConfig>({
      name: 'write',
      sink: (task) => ParquetDocSink.open(task),
      step: () => convertStep,
    }),
    finalizePhase,
  ],
};
