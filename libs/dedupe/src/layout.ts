import { join } from 'node:path';
import { StageLayout } from '@apollo/stage';

/** Phase names of the dedupe stage, in order. */
export const PHASE_SIGNATURES = 'signatures';
export const PHASE_BUCKETS = 'buckets';
export const PHASE_CLUSTER = 'cluster';
export const PHASE_FILTER = 'filter';

/** Name of the exact-hash key space (the others are `band-00`, `band-01`, ...). */
export const EXACT_SPACE = 'exact';

/** Key spaces of a run: one per band, then the exact hashes. */
export function keySpaces(bands: number): string[] {
  return [...Array.from({ length: bands }, (_, b) => `band-${String(b).padStart(2, '0')}`), EXACT_SPACE];
}

/** The key spaces task `rank` of `worldSize` works on in the buckets phase: index mod worldSize == rank. */
export function spacesForRank(spaces: readonly string[], rank: number, worldSize: number): string[] {
  return spaces.filter((_, i) => i % worldSize === rank);
}

/**
 * Files of the dedupe stage beyond the shared stage layout:
 *
 *   <out>/signatures/<rank>.sig              one signature file per signatures task
 *   <out>/signatures/<rank>.runs.json        that task's sorted runs per key space (manifest)
 *   <out>/signatures/<rank>.lines.json       what that task saw of its input lines (line-plan.ts)
 *   <out>/signatures/{stats,completions}/    that phase's task stats and markers
 *   <out>/buckets/runs/<space>/<rank>-<seq>.run   sorted runs of bucket entries
 *   <out>/buckets/<space>.edges              pairs joined in one key space (verified near pairs, or copy -> representative)
 *   <out>/buckets/<space>.json               what made them, and figures; written last: the space's completion marker
 *   <out>/buckets/tmp/<space>/               intermediate runs of multi-pass merges
 *   <out>/buckets/{stats,completions}/       the buckets phase's task stats and markers
 *   <out>/clusters/duplicates.jsonl          one line per dropped document, sorted by (rank, ordinal)
 *   <out>/clusters/summary.json              clustering figures
 *   <out>/cluster/{stats,completions}/       the cluster phase's stats and marker
 */
export class DedupeLayout {
  readonly stage: StageLayout;

  constructor(readonly root: string) {
    this.stage = new StageLayout(root);
  }

  signatureFile(rank: number): string {
    return join(this.stage.phaseDir(PHASE_SIGNATURES, false), `${StageLayout.rankName(rank)}.sig`);
  }

  runsManifest(rank: number): string {
    return join(this.stage.phaseDir(PHASE_SIGNATURES, false), `${StageLayout.rankName(rank)}.runs.json`);
  }

  linePlan(rank: number): string {
    return join(this.stage.phaseDir(PHASE_SIGNATURES, false), `${StageLayout.rankName(rank)}.lines.json`);
  }

  signaturesComplete(rank: number): string {
    return this.stage.completionFile(PHASE_SIGNATURES, false, rank);
  }

  runsDir(space: string): string {
    return join(this.root, PHASE_BUCKETS, 'runs', space);
  }

  runFile(space: string, rank: number, seq: number): string {
    return join(this.runsDir(space), `${StageLayout.rankName(rank)}-${String(seq).padStart(5, '0')}.run`);
  }

  edgesFile(space: string): string {
    return join(this.root, PHASE_BUCKETS, `${space}.edges`);
  }

  spaceMeta(space: string): string {
    return join(this.root, PHASE_BUCKETS, `${space}.json`);
  }

  mergeTmpDir(space: string): string {
    return join(this.root, PHASE_BUCKETS, 'tmp', space);
  }

  duplicatesFile(): string {
    return join(this.root, 'clusters', 'duplicates.jsonl');
  }

  summaryFile(): string {
    return join(this.root, 'clusters', 'summary.json');
  }
}
