import { join } from 'node:path';
import { StageLayout } from '@apollo/stage';

/** Phase names of the dedupe stage, in order. */
export const PHASE_SIGNATURES = 'signatures';
export const PHASE_CLUSTER = 'cluster';
export const PHASE_FILTER = 'filter';

/**
 * Files of the dedupe stage beyond the shared stage layout:
 *
 *   <out>/signatures/<rank>.sig            one signature file per signatures task
 *   <out>/signatures/{stats,completions}/  that phase's task stats and markers
 *   <out>/clusters/duplicates.jsonl        one line per dropped document, sorted by (rank, ordinal)
 *   <out>/clusters/summary.json            clustering figures
 *   <out>/cluster/{stats,completions}/     the cluster phase's stats and marker
 */
export class DedupeLayout {
  readonly stage: StageLayout;

  constructor(readonly root: string) {
    this.stage = new StageLayout(root);
  }

  signatureFile(rank: number): string {
    return join(this.stage.phaseDir(PHASE_SIGNATURES, false), `${StageLayout.rankName(rank)}.sig`);
  }

  signaturesComplete(rank: number): string {
    return this.stage.completionFile(PHASE_SIGNATURES, false, rank);
  }

  duplicatesFile(): string {
    return join(this.root, 'clusters', 'duplicates.jsonl');
  }

  summaryFile(): string {
    return join(this.root, 'clusters', 'summary.json');
  }
}
