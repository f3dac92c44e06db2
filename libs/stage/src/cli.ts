import { availableParallelism } from 'node:os';
import { readFile } from 'node:fs/promises';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Command, InvalidArgumentError, Option } from 'commander';
import { writeFileAtomic } from '@apollo/document';
import { discardOutput } from './discard';
import { runPhase, WorkerPool, workerDataFor, type FromWorker, type PhaseRunResult, type ToWorker } from './executor';
import { stageInputs } from './inputs';
import type { FileAssignment } from './plan';
import { createLogger, type Logger } from './log';
import { isDocPhase, type Phase, type TaskSpec } from './phase';
import { configHash, inputsFingerprint, readRunRecord, runRecordMismatch, writeRunRecord, type RunRecord } from './run-record';
import { droppedTotal, mergeStats } from './stats';
import { join } from 'node:path';
import { statSync } from 'node:fs';

function totalBytes(files: string[]): number {
  let bytes = 0;
  for (const f of files) {
    try {
      bytes += statSync(f).size;
    } catch {
      // reported by the task that reads it
    }
  }
  return bytes;
}

/** A pipeline definition file (pipelines/*.json): sources for ingest, and a section per stage. */
export interface PipelineFile {
  name?: string;
  sources?: unknown[];
  stages?: Record<string, Record<string, unknown> | undefined>;
  [key: string]: unknown;
}

export interface StageOptions {
  input?: string[];
  output: string;
  config?: string;
  rank?: number;
  worldSize?: number;
  workers: number;
  phase?: string;
  overwrite?: boolean;
  restartOnChange?: boolean;
  quiet?: boolean;
  [key: string]: unknown;
}

/** An app's stage: its options, configuration and phases. The CLI and the executor do the rest. */
export interface StageApp<C> {
  name: string;
  summary: string;
  /** Adds the stage's own options. */
  options?(cmd: Command): void;
  /** Builds the (plain-data) task configuration from options and the pipeline file's section. */
  configure(opts: StageOptions, section: Record<string, unknown>, pipeline: PipelineFile | undefined): C | Promise<C>;
  /**
   * Number of tasks when --world-size is not given; default one per input file. A stage whose
   * outputs should not fragment with the input (convert's shards) can choose fewer.
   */
  defaultWorldSize?(input: { files: number; bytes: number }, opts: StageOptions, config: C): number;
  /** How input files are split among tasks (see `FileAssignment`). Default `interleaved`. */
  fileAssignment?: FileAssignment;
  /** Input files; defaults to `stageInputs(--input)`. */
  inputs?(opts: StageOptions, config: C, pipeline: PipelineFile | undefined): Promise<string[]>;
  phases: Phase<C>[];
  /** Runs after every phase has completed, e.g. to print a report. */
  after?(output: string, config: C, log: Logger): Promise<void>;
}

export function parseInteger(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}`);
    return n;
  };
}

export function parseNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number`);
    return n;
  };
}

export async function loadPipelineFile(path: string): Promise<PipelineFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`${path}: cannot read pipeline file: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as PipelineFile;
  } catch (err) {
    throw new Error(`${path}: pipeline file is not valid JSON: ${(err as Error).message}`);
  }
}

/** Outcome of a stage run: 0 complete, 2 incomplete (unreadable files or unfinished tasks). */
export interface StageRunOutcome {
  exitCode: 0 | 2;
  phases: PhaseRunResult[];
}

/**
 * Runs a stage's phases: records or checks run.json, then each phase over the pending tasks.
 * With `rank` set only that task of each sharded phase runs, and single phases run only when
 * named with `phase` (how a cluster scheduler drives a stage, one task per job).
 */
export async function runStage<C>(
  app: StageApp<C>,
  opts: StageOptions,
  pipeline: PipelineFile | undefined,
  log: Logger,
  workerScript?: string,
): Promise<StageRunOutcome> {
  const section = pipeline?.stages?.[app.name] ?? {};
  const config = await app.configure(opts, section, pipeline);
  const files = app.inputs ? await app.inputs(opts, config, pipeline) : await stageInputs(opts.input ?? []);
  if (files.length === 0) throw new Error(`${app.name}: no input files found in ${(opts.input ?? []).join(', ') || '(none given)'}`);
  const worldSize =
    opts.worldSize ??
    Math.max(1, Math.min(files.length, app.defaultWorldSize?.({ files: files.length, bytes: totalBytes(files) }, opts, config) ?? files.length));
  if (opts.rank !== undefined && opts.rank >= worldSize) throw new Error(`--rank ${opts.rank} is outside --world-size ${worldSize}`);

  const current: RunRecord = {
    stage: app.name,
    inputs: files,
    worldSize,
    configHash: configHash(config),
    inputsFingerprint: await inputsFingerprint(files),
    config,
    startedAt: new Date().toISOString(),
  };
  // Old output is renamed aside and deleted while the run goes on (see `discardOutput`).
  const discarding: Promise<void>[] = [];
  // The run's result does not depend on the old copy being gone: a failed deletion is reported.
  const discard = async () => {
    const { deleted } = await discardOutput(opts.output);
    discarding.push(deleted.catch((err: Error) => log.warn('could not delete the previous output set aside', { output: opts.output, reason: err.message })));
  };
  if (opts.overwrite) await discard();
  let stored = await readRunRecord(opts.output);
  if (stored && opts.restartOnChange && runRecordMismatch(stored, current).length > 0) {
    log.warn('output folder holds another run; starting over', { output: opts.output, why: runRecordMismatch(stored, current).join('; ') });
    await discard();
    stored = undefined;
  }
  try {
    return await runStagePhases(app, opts, config, files, worldSize, current, stored, log, workerScript);
  } finally {
    await Promise.all(discarding);
  }
}

async function runStagePhases<C>(
  app: StageApp<C>,
  opts: StageOptions,
  config: C,
  files: string[],
  worldSize: number,
  current: RunRecord,
  stored: RunRecord | undefined,
  log: Logger,
  workerScript: string | undefined,
): Promise<StageRunOutcome> {
  if (stored) {
    const problems = runRecordMismatch(stored, current);
    if (problems.length > 0) {
      throw new Error(
        `${opts.output} holds another run: ${problems.join('; ')}. Use a new --output folder, or --overwrite to discard it.`,
      );
    }
    current.startedAt = stored.startedAt;
  } else {
    await writeRunRecord(opts.output, current);
  }

  const results: PhaseRunResult[] = [];
  let incomplete = false;
  const pool = workerScript !== undefined && opts.workers > 1 ? new WorkerPool(workerScript, workerDataFor({ stage: app.name, showProgress: !opts.quiet })) : undefined;
  try {
    for (let i = 0; i < app.phases.length; i++) {
      const phase = app.phases[i]!;
      if (opts.phase !== undefined && opts.phase !== phase.name) continue;
      if (phase.kind === 'single' && opts.rank !== undefined && opts.phase === undefined) continue;
      if (incomplete) break;
      const result = await runPhase({
        stage: app.name,
        phase,
        phaseIndex: i,
        files,
        worldSize,
        ...(app.fileAssignment ? { fileAssignment: app.fileAssignment } : {}),
        ...(opts.rank !== undefined ? { ranks: [opts.rank] } : {}),
        output: opts.output,
        config,
        runStartedAt: current.startedAt,
        workers: opts.workers,
        ...(workerScript ? { workerScript } : {}),
        ...(pool ? { pool } : {}),
        log,
        showProgress: !opts.quiet,
      });
      results.push(result);
      if (result.incomplete.length > 0) {
        incomplete = true;
        log.error('tasks could not read all their files; rerun after fixing them', { phase: phase.name, ranks: result.incomplete });
      }
    }
  } finally {
    await pool?.close();
  }
  const all = opts.rank === undefined && opts.phase === undefined;
  if (!incomplete && all && app.after) await app.after(opts.output, config, log);
  return { exitCode: incomplete ? 2 : 0, phases: results };
}

function describe(app: StageApp<unknown>, outcome: StageRunOutcome): string {
  const lines: string[] = [];
  for (const r of outcome.phases) {
    if (r.ran.length === 0) {
      lines.push(`${app.name}:${r.phase}: nothing to do (${r.skipped.length} tasks already complete)`);
      continue;
    }
    const m = mergeStats(r.ran);
    const drops = Object.entries(m.dropped)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    lines.push(
      `${app.name}:${r.phase}: ${r.ran.length} tasks run, ${r.skipped.length} skipped; ${m.docsIn} in, ${m.docsOut} out, ` +
        `${droppedTotal(m)} dropped${drops ? ` (${drops})` : ''}; ${(m.bytesIn / 1e6).toFixed(2)} MB in ${m.seconds.toFixed(1)} s`,
    );
  }
  return lines.join('\n');
}

/** Machine-readable summary of one invocation (`run-summary.json`), read by the benchmark. */
export interface RunSummary {
  stage: string;
  exitCode: number;
  workers: number;
  wallSeconds: number;
  /** Peak resident memory of the process, threads included, in MB. */
  maxRssMB: number;
  phases: {
    phase: string;
    /** The phase whose documents are the stage's output (its counts are the stage's). */
    docPhase: boolean;
    ran: number;
    skipped: number;
    docsIn: number;
    docsOut: number;
    dropped: Record<string, number>;
    bytesIn: number;
    charsIn: number;
  }[];
}

function runSummary(app: StageApp<unknown>, outcome: StageRunOutcome, opts: StageOptions, started: number): RunSummary {
  return {
    stage: app.name,
    exitCode: outcome.exitCode,
    workers: opts.workers,
    wallSeconds: (Date.now() - started) / 1000,
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    phases: outcome.phases.map((r) => {
      const m = mergeStats(r.ran);
      const phase = app.phases.find((p) => p.name === r.phase);
      return { phase: r.phase, docPhase: phase !== undefined && isDocPhase(phase), ran: r.ran.length, skipped: r.skipped.length, docsIn: m.docsIn, docsOut: m.docsOut, dropped: m.dropped, bytesIn: m.bytesIn, charsIn: m.charsIn };
    }),
  };
}

/** Serves tasks when this script runs as a worker thread of the executor. */
function serveWorker<C>(app: StageApp<C>): void {
  const port = parentPort!;
  const log = createLogger({ stage: app.name, thread: 'worker' }, { quiet: (workerData as { quiet?: boolean }).quiet === true });
  port.on('message', async (msg: ToWorker) => {
    const phase = app.phases[msg.phaseIndex];
    let docs = 0;
    let bytes = 0;
    let last = Date.now();
    const flush = () => {
      port.postMessage({ type: 'progress', docs, bytes } satisfies FromWorker);
      docs = 0;
      bytes = 0;
      last = Date.now();
    };
    try {
      if (!phase) throw new Error(`no phase ${msg.phaseIndex} in stage ${app.name}`);
      const stats = await phase.run(msg.task as TaskSpec<C>, {
        progress(d, b) {
          docs += d;
          bytes += b;
          if (Date.now() - last > 200) flush();
        },
        log,
      });
      flush();
      port.postMessage({ type: 'done', stats } satisfies FromWorker);
    } catch (err) {
      port.postMessage({ type: 'failed', message: (err as Error).message, stack: (err as Error).stack } satisfies FromWorker);
    }
  });
}

/** Builds the command line of a stage app (shared options plus the stage's own). */
export function stageCommand(app: StageApp<unknown>): Command {
  const cmd = new Command(app.name)
    .description(app.summary)
    .option('-i, --input <paths...>', 'input files or folders (a previous stage output folder, or JSONL files)')
    .requiredOption('-o, --output <dir>', 'output folder for this stage')
    .option('-c, --config <file>', 'pipeline definition (JSON); its stages.<name> section sets defaults')
    .option('--rank <n>', 'run only this task (with --world-size), as one job of a cluster run', parseInteger('--rank', 0))
    .option('--world-size <n>', 'number of tasks the input files are split into (default: one per input file)', parseInteger('--world-size', 1))
    .addOption(
      new Option('--workers <n>', 'worker threads running tasks in parallel').default(availableParallelism(), 'all cores').argParser(parseInteger('--workers', 1)),
    )
    .option('--phase <name>', `run only this phase (${app.phases.map((p) => p.name).join(', ')})`)
    .option('--overwrite', 'discard the output folder and start over')
    .option('--restart-on-change', 'start over if the output folder was made with other inputs or configuration; resume otherwise')
    .option('-q, --quiet', 'no progress output');
  app.options?.(cmd);
  return cmd;
}

/**
 * Entry point of a stage app. In the main thread: parses the command line, runs the stage,
 * prints a summary and sets the exit code. In a worker thread: serves tasks.
 */
export function runStageCli<C>(app: StageApp<C>, script: string): void {
  if (!isMainThread && (workerData as { stageWorker?: string } | undefined)?.stageWorker === app.name) {
    serveWorker(app);
    return;
  }
  const cmd = stageCommand(app as StageApp<unknown>);
  cmd.action(async (opts: StageOptions) => {
    const log = createLogger({ stage: app.name }, { quiet: opts.quiet === true });
    try {
      const pipeline = opts.config ? await loadPipelineFile(opts.config) : undefined;
      const started = Date.now();
      const outcome = await runStage(app, opts, pipeline, log, script);
      const text = describe(app as StageApp<unknown>, outcome);
      process.stdout.write(text + '\n');
      await writeFileAtomic(join(opts.output, 'run-summary.json'), JSON.stringify(runSummary(app as StageApp<unknown>, outcome, opts, started), null, 2) + '\n');
      process.exitCode = outcome.exitCode;
    } catch (err) {
      log.error((err as Error).message);
      process.exitCode = 1;
    }
  });
  cmd.parseAsync(process.argv).catch((err: Error) => {
    process.stderr.write(`${app.name}: ${err.message}\n`);
    process.exitCode = 1;
  });
}
