import { docPhase, stageInputs, type SinglePhase, type StageApp, type StageOptions } from '@apollo/stage';
import { addConvertOptions, convertConfig, type ConvertConfig } from './config';
import { convertStep } from './convert-step';
import { finalizeShards } from './finalize';
import { ParquetDocSink } from './parquet-sink';

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
 * Orders `files` so that the stage runtime's round-robin assignment (file i to task i mod
 * `worldSize`) gives each task a contiguous run of the original order: task 0 the first
 * files, task 1 the next, and so on. Finalize joins a group's rows task after task, so the
 * shards then hold the rows in input order whatever the number of tasks. Runs are as even in
 * file count as round-robin makes them (the first `n mod worldSize` tasks get one more).
 */
export function contiguousForRoundRobin<T>(files: readonly T[], worldSize: number): T[] {
  const n = files.length;
  const out: T[] = new Array<T>(n);
  let start = 0;
  for (let rank = 0; rank < Math.min(worldSize, n); rank++) {
    const count = Math.floor(n / worldSize) + (rank < n % worldSize ? 1 : 0);
    for (let k = 0; k < count; k++) out[rank + k * worldSize] = files[start + k]!;
    start += count;
  }
  return out;
}

/**
 * The convert stage: `write` turns each task's documents into Parquet parts grouped by
 * language, source and kind; `finalize` cuts and names them `data/<lang>/<source>_<kind>/train-*-of-*.parquet`
 * and writes manifest.json, the dataset card and, on request, the Apollo release format.
 */
export const convertStage: StageApp<ConvertConfig> = {
  name: 'convert',
  summary: 'Write documents as Parquet shards with a manifest and a dataset card (Hugging Face layout)',
  options: addConvertOptions,
  configure: (opts, section) => convertConfig(opts, section),
  // One task per worker, even for an input smaller than one shard: finalize joins the tasks'
  // parts of a group, so the shards do not multiply with the tasks.
  defaultWorldSize: (input, opts) => convertWorldSize(input.files, opts),
  inputs: async (opts) => {
    const files = await stageInputs(opts.input ?? []);
    return contiguousForRoundRobin(files, convertWorldSize(files.length, opts));
  },
  phases: [
    docPhase<ConvertConfig>({
      name: 'write',
      sink: (task) => ParquetDocSink.open(task),
      step: () => convertStep,
    }),
    finalizePhase,
  ],
};
