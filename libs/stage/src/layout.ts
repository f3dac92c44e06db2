import { join } from 'node:path';

/**
 * Folder layout of one stage's output. The documents a stage keeps are the next stage's input.
 *
 *   <out>/run.json                 what was run: stage, inputs, world size, configuration
 *   <out>/docs/<rank>.jsonl        documents kept
 *   <out>/rejects/<rank>.jsonl     documents and records dropped, each with its reason
 *   <out>/stats/<rank>.json        per-task statistics of the document phase
 *   <out>/completions/<rank>       completion markers of the document phase
 *   <out>/<phase>/...              the same for auxiliary phases (signatures, clusters, ...)
 */
export class StageLayout {
  constructor(readonly root: string) {}

  static rankName(rank: number): string {
    return String(rank).padStart(5, '0');
  }

  runFile(): string {
    return join(this.root, 'run.json');
  }

  phaseDir(phase: string, docPhase: boolean): string {
    return docPhase ? this.root : join(this.root, phase);
  }

  docsFile(rank: number): string {
    return join(this.root, 'docs', `${StageLayout.rankName(rank)}.jsonl`);
  }

  rejectsFile(rank: number): string {
    return join(this.root, 'rejects', `${StageLayout.rankName(rank)}.jsonl`);
  }

  statsFile(phase: string, docPhase: boolean, rank: number): string {
    return join(this.phaseDir(phase, docPhase), 'stats', `${StageLayout.rankName(rank)}.json`);
  }

  completionFile(phase: string, docPhase: boolean, rank: number): string {
    return join(this.phaseDir(phase, docPhase), 'completions', StageLayout.rankName(rank));
  }
}
