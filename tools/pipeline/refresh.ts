// `pipeline refresh`: one corpus version from a web crawl. Crawls the registry files (the crawl
// state persists across runs, so a second run is a conditional-request refresh), runs langid and
// dedupe on what the crawl produced (new and changed pages only), then convert with the previous
// version as its base and the crawl's delta, so the new version = base - removed + added.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { parseInteger } from '@apollo/stage';
import type { Manifest } from '@apollo/shards';
import { CHAIN, runApp, stageArgs, stageDir, type ChainStage } from './chain';

/** Options of `pipeline refresh`. */
export interface RefreshOptions {
  /** Crawler registry files (pipelines/sources/*.json). Required. */
  sources: string[];
  /** Previous version: its convert output folder (or the output root holding `convert/`). Default none: version 1. */
  base?: string;
  /** Output root: crawl, langid, dedupe and convert folders go under it. Required. */
  output: string;
  /** Pipeline definition for the stages' settings. Default pipelines/apollo-corpus.json. */
  pipeline: string;
  /** Crawl state folder, shared across refreshes. Default: the pipeline's stages.crawl.crawler.stateDir, else output/crawl-state. */
  stateDir?: string;
  /** Allow hosts on private or loopback addresses (tests, intranets). Default false. */
  allowPrivateHosts?: boolean;
  /** Worker threads per stage. Default: all cores. */
  workers: number;
  quiet?: boolean;
}

/** The base's convert folder: the folder itself when it holds manifest.json, else `<dir>/convert`. */
export function baseConvertDir(dir: string): string {
  if (existsSync(join(dir, 'manifest.json'))) return resolve(dir);
  const nested = join(dir, 'convert');
  if (existsSync(join(nested, 'manifest.json'))) return resolve(nested);
  throw new Error(`--base ${dir}: no manifest.json there or in its convert/ folder; give a finished corpus version`);
}

/** Arguments of each stage of a refresh, in order. */
export function refreshPlan(opts: RefreshOptions): { stage: ChainStage; args: string[] }[] {
  const root = opts.output;
  const common = ['--workers', String(opts.workers), ...(opts.quiet ? ['--quiet'] : [])];
  const base = opts.base === undefined ? undefined : baseConvertDir(opts.base);
  if (base !== undefined && base === resolve(stageDir(root, 'convert'))) {
    throw new Error(`--base ${opts.base} is this refresh's own convert folder; give a new --output for each version`);
  }
  // No --restart-on-change for the crawl: rerunning the same --output resumes that crawl run,
  // while a changed registry or setting must not silently wipe a crawl half done.
  const crawl = [
    '--config', opts.pipeline, '--output', stageDir(root, 'crawl'),
    ...(opts.stateDir ? ['--state-dir', opts.stateDir] : []),
    ...(opts.allowPrivateHosts ? ['--allow-private-hosts'] : []),
    ...common,
    '--sources', ...opts.sources,
  ];
  const convertExtra = ['--crawl-delta', stageDir(root, 'crawl'), ...(base ? ['--base', base] : []), ...common];
  return CHAIN.map((stage) => ({
    stage,
    args: stage === 'crawl' ? crawl : stageArgs(stage, opts.pipeline, root, stage === 'convert' ? convertExtra : common),
  }));
}

/** Why a refresh stopped at a stage, and what to do about it. */
export function stoppedMessage(stage: ChainStage, code: number, output: string): string {
  if (code === 2) {
    // An incomplete crawl (site down, robots.txt unavailable) has already moved the crawl state
    // on: its changes reach a version only by finishing this same run.
    return (
      `pipeline refresh: stage ${stage} is incomplete (exit code 2; see ${join(stageDir(output, stage), 'stats')}): ` +
      `no version was published, later stages not run. Rerun this command with the same --output to finish it ` +
      `(what was fetched is kept, what failed is fetched again) before building the next version.\n`
    );
  }
  return `pipeline refresh: stage ${stage} ended with exit code ${code}: no version was published, later stages not run\n`;
}

/**
 * Runs the refresh; returns the exit code (the first failing stage's, or 0). A version is
 * published only by convert, the last stage, which runs only once every stage before it is
 * complete: a stage that exits 2 (incomplete) or 1 stops the refresh with no manifest written.
 */
export async function runRefresh(opts: RefreshOptions): Promise<number> {
  for (const { stage, args } of refreshPlan(opts)) {
    const code = await runApp(stage, args);
    if (code !== 0) {
      process.stderr.write(stoppedMessage(stage, code, opts.output));
      return code;
    }
  }
  const convertDir = stageDir(opts.output, 'convert');
  const manifest = JSON.parse(await readFile(join(convertDir, 'manifest.json'), 'utf8')) as Manifest;
  const v = manifest.version;
  process.stdout.write(
    v
      ? `pipeline refresh: version ${v.number} in ${convertDir}: ${manifest.totals.documents} documents ` +
          `(${v.added} added, ${v.removed} removed, ${v.carried} carried over${v.base ? ` from ${v.base.manifest}` : ''})\n`
      : `pipeline refresh: ${manifest.totals.documents} documents in ${convertDir}\n`,
  );
  return 0;
}

/** Registers `refresh` on the pipeline command line. */
export function addRefreshCommand(program: Command): void {
  program
    .command('refresh')
    .description('make a new corpus version from a web crawl: crawl (refresh) -> langid -> dedupe -> convert --base --crawl-delta')
    .requiredOption('--sources <files...>', 'crawler registry files (pipelines/sources/*.json)')
    .requiredOption('-o, --output <dir>', 'output root of this version (crawl/, langid/, dedupe/, convert/ under it)')
    .option('--base <dir>', 'previous version: its convert folder or output root (none: build version 1)')
    .option('-p, --pipeline <file>', 'pipeline definition (stage settings)', 'pipelines/apollo-corpus.json')
    .option('--state-dir <dir>', "crawl state shared across refreshes (default: the pipeline's crawler.stateDir, else output/crawl-state)")
    .option('--allow-private-hosts', 'allow hosts on private or loopback addresses (tests, intranets)')
    .option('--workers <n>', 'worker threads per stage', parseInteger('--workers', 1), availableParallelism())
    .option('-q, --quiet', 'no progress output')
    .action(async (opts: RefreshOptions) => {
      process.exitCode = await runRefresh(opts);
    });
}
