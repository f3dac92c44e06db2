import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

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

const repoRoot = resolve(__dirname, '..', '..', '..');

/** Runs a stage app's bundle with the given arguments, output inherited; resolves to its exit code. */
export function runApp(stage: ChainStage, args: string[]): Promise<number> {
  const script = join(repoRoot, 'dist', 'apps', stage, 'main.js');
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolvePromise(code ?? (signal ? 128 : 1)));
  });
}
