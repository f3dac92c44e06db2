// The corpus pipeline runner: runs the stage apps in order (for scheduled jobs and scripts
// that do not use Nx), verifies a finished run, and reports what it holds.
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { PIPELINE_CATALOG } from '@apollo/pipeline-config';
import { loadPipelineFile, parseInteger, pipelineJsonSchema, settingsMarkdown, verifyChain } from '@apollo/stage';
import { writeFileAtomic } from '@apollo/document';
import { verifyShards } from '@apollo/shards';
import { CHAIN, runApp, stageArgs, stageDir, type ChainStage } from './chain';
import { addRefreshCommand } from './refresh';

/**
 * Checks the whole pipeline file (every stage's section, the sources) before anything runs, and
 * gives the output root: `--output`, else the file's `output` (relative to the file), else
 * output/<name>.
 */
async function outputRoot(pipelineFile: string, given: string | undefined): Promise<string> {
  const pipeline = await loadPipelineFile(pipelineFile, PIPELINE_CATALOG);
  if (given) return given;
  return pipeline.output ?? join('output', pipeline.name ?? 'corpus');
}

const program = new Command('pipeline').description('Run, verify and report the corpus pipeline (crawl -> langid -> dedupe -> convert)');

program
  .command('run')
  .description('run every stage in order; finished tasks of an interrupted run are kept, the rest redone')
  .option('-p, --pipeline <file>', 'pipeline definition', 'pipelines/apollo-corpus.json')
  .option('-o, --output <dir>', 'output root (default: the pipeline file\'s "output")')
  .option('--from <stage>', `first stage to run (${CHAIN.join(', ')})`, 'crawl')
  .option('--workers <n>', 'worker threads per stage', parseInteger('--workers', 1), availableParallelism())
  .option('-q, --quiet', 'print errors only')
  .action(async (opts: { pipeline: string; output?: string; from: string; workers: number; quiet?: boolean }) => {
    const root = await outputRoot(opts.pipeline, opts.output);
    const start = CHAIN.indexOf(opts.from as ChainStage);
    if (start < 0) throw new Error(`--from must be one of ${CHAIN.join(', ')}`);
    for (const stage of CHAIN.slice(start)) {
      const extra = ['--workers', String(opts.workers), ...(opts.quiet ? ['--quiet'] : [])];
      const code = await runApp(stage, stageArgs(stage, opts.pipeline, root, extra));
      if (code !== 0) {
        process.stderr.write(`pipeline: stage ${stage} ended with exit code ${code}; later stages not run\n`);
        process.exitCode = code;
        return;
      }
    }
    if (!opts.quiet) process.stdout.write(`pipeline: all stages complete; shards in ${stageDir(root, 'convert')}/data\n`);
  });

program
  .command('verify')
  .description('check the conservation law for every stage and task, and the shard checksums')
  .option('-p, --pipeline <file>', 'pipeline definition', 'pipelines/apollo-corpus.json')
  .option('-o, --output <dir>', 'output root (default: the pipeline file\'s "output")')
  .action(async (opts: { pipeline: string; output?: string }) => {
    const root = await outputRoot(opts.pipeline, opts.output);
    const chain = await verifyChain(CHAIN.map((s) => stageDir(root, s)));
    const lines: string[] = [];
    for (const s of chain.stages) {
      const dropped = Object.values(s.dropped).reduce((a, b) => a + b, 0);
      const ok = s.docsIn === s.docsOut + dropped ? 'holds' : 'BROKEN';
      lines.push(`${s.stage.padEnd(8)} tasks ${s.complete}/${s.tasks}  in ${s.docsIn} = out ${s.docsOut} + dropped ${dropped}  ${ok}`);
    }
    const shards = await verifyShards(stageDir(root, 'convert'));
    lines.push(`shards   ${shards.shards} files, ${shards.rows} rows, sha256 and row counts ${shards.problems.length === 0 ? 'match the manifest' : 'DO NOT MATCH'}`);
    const problems = [...chain.problems, ...shards.problems];
    lines.push(problems.length === 0 ? 'verify: conservation law and checksums hold' : `verify: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
    process.stdout.write(lines.join('\n') + '\n');
    process.exitCode = problems.length === 0 ? 0 : 1;
  });

program
  .command('report')
  .description('print what the finished corpus holds, per language and source')
  .option('-p, --pipeline <file>', 'pipeline definition', 'pipelines/apollo-corpus.json')
  .option('-o, --output <dir>', 'output root (default: the pipeline file\'s "output")')
  .action(async (opts: { pipeline: string; output?: string }) => {
    const root = await outputRoot(opts.pipeline, opts.output);
    const manifestPath = join(stageDir(root, 'convert'), 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { totals?: { byLanguage?: Record<string, { documents: number; characters: number; tokens: number }> }; shards?: unknown[] };
    const rows = Object.entries(manifest.totals?.byLanguage ?? {}).map(
      ([lang, t]) => `${lang.padEnd(4)} ${String(t.documents).padStart(8)} docs ${String(t.characters).padStart(12)} chars ${String(t.tokens).padStart(10)} tokens`,
    );
    process.stdout.write(`corpus in ${stageDir(root, 'convert')} (${manifest.shards?.length ?? 0} shards)\n${rows.join('\n')}\n`);
  });

program
  .command('check')
  .description('check a pipeline file whole (every stage section, the sources, input paths) without running anything')
  .option('-p, --pipeline <file>', 'pipeline definition', 'pipelines/apollo-corpus.json')
  .action(async (opts: { pipeline: string }) => {
    const pipeline = await loadPipelineFile(opts.pipeline, PIPELINE_CATALOG);
    const sections = Object.keys(pipeline.stages);
    process.stdout.write(
      `${opts.pipeline}: valid (${pipeline.sources?.length ?? 0} sources; settings for ${sections.length > 0 ? sections.join(', ') : 'no stage'}; output ${pipeline.output ?? '(default)'})\n`,
    );
  });

program
  .command('schema')
  .description('print the JSON Schema of pipeline files (every stage\'s settings with defaults and descriptions), for editors')
  .option('--write <file>', 'write it to this file instead')
  .action(async (opts: { write?: string }) => {
    const text = JSON.stringify(pipelineJsonSchema(PIPELINE_CATALOG), null, 2) + '\n';
    if (opts.write) await writeFileAtomic(resolve(opts.write), text);
    else process.stdout.write(text);
  });

program
  .command('settings')
  .description("print a stage's settings (pipeline key, flag, default, description) as a Markdown table")
  .argument('<stage>', Object.keys(PIPELINE_CATALOG.stages).join(', '))
  .action((stage: string) => {
    const spec = PIPELINE_CATALOG.stages[stage];
    if (!spec) throw new Error(`no stage "${stage}" (stages: ${Object.keys(PIPELINE_CATALOG.stages).join(', ')})`);
    process.stdout.write(settingsMarkdown(spec) + '\n');
  });

addRefreshCommand(program);

program.parseAsync(process.argv).catch((err: Error) => {
  process.stderr.write(`pipeline: ${err.message}\n`);
  process.exitCode = 1;
});
