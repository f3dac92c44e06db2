import { join } from 'node:path';

/** The corpus stages, in order; each reads the previous one's output folder. */
export const CHAIN = ['crawl', 'langid', 'dedupe', 'convert'] as const;
export type ChainStage = (typeof CHAIN)[number];

/** Output folder of a stage under a pipeline's output root. */
export function stageDir(root: string, stage: ChainStage): string {
  return join(root, stage);
}

/** Command-line arguments that run one stage of the chain as its app would be run by hand. */
export function stageArgs(stage: ChainStage, pipelineFile: string, root: string, extra: string[] = []): string[] {
  const args = ['--config', pipelineFile, '--output', stageDir(root, stage), '--restart-on-change', ...extra];
  const i = CHAIN.indexOf(stage);
  if (i > 0) args.push('--input', stageDir(root, CHAIN[i - 1]!));
  return args;
}
