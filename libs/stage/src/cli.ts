import { availableParallelism } from 'node:os';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Command, InvalidArgumentError, Option } from 'commander';
import { writeFileAtomic } from '@apollo/document';
import { discardOutput } from './discard';
import { runPhase, WorkerPool, workerDataFor, type FromWorker, type PhaseRunResult, type ToWorker } from './executor';
import { listStageInputs } from './inputs';
import type { FileAssignment } from './plan';
import { createLogger, type Logger } from './log';
import { lockScope, OutputLock } from './output-lock';
import { isDocPhase, type Phase, type TaskSpec } from './phase';
import { loadPipelineFile, type PipelineCatalog, type PipelineFile } from './pipeline-file';
import { configHash, inputsFingerprint, readRunRecord, runRecordMismatch, writeRunRecord, type RunRecord } from './run-record';
import { addSettingOptions, flaggedSettings, resolveSettings, type SettingsSpec } from './settings';
import { droppedTotal, mergeStats } from './stats';

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

export interface StageOptions {
  input?: string[];
  output: string;
  config?: string;
  rank?: number;
  worldSize?: number;
  workers: number;
  phase?: string;
  /** Globs of files in --input folders to leave out. */
  ignore?: string[];
  overwrite?: boolean;
  restartOnChange?: boolean;
  quiet?: boolean;
  [key: string]: unknown;
}

/** What a stage's `configure` gets besides its resolved settings. */
export interface ConfigureContext {
  opts: StageOptions;
  pipeline: PipelineFile | undefined;
}

/**
 * An app's stage: its settings, configuration and phases. The CLI and the executor do the rest.
 * `S` is the settings as declared and resolved (command line over the pipeline file's section
 * over the defaults); `C` the plain-data task configuration built from them (the same by default).
 */
export interface StageApp<C, S = C> {
  name: string;
  summary: string;
  /** The stage's settings: its command-line options, its pipeline section's keys, their defaults. */
  settings: SettingsSpec<S>;
  /** Adds command-line options that are not settings of a pipeline file (e.g. ad-hoc input descriptions). */
  options?(cmd: Command): void;
  /** Builds the task configuration from the resolved settings (paths pinned, cross-checks); default: the settings. */
  configure?(settings: S, ctx: ConfigureContext): C | Promise<C>;
  /**
   * Number of tasks when --world-size is not given; default one per input file. A stage whose
   * outputs should not fragment with the input (convert's shards) can choose fewer.
   */
  defaultWorldSize?(input: { files: number; bytes: number }, opts: StageOptions, config: C): number;
  /** How input files are split among tasks (see `FileAssignment`). Default `interleaved`. */
  fileAssignment?: FileAssignment;
  /** Input files; defaults to the document files of `--input` (`listStageInputs`). */
  inputs?(opts: StageOptions, config: C, pipeline: PipelineFile | undefined): Promise<string[]>;
  phases: Phase<C>[];
  /** Runs after every phase has completed, e.g. to print a report. */
  after?(output: string, config: C, log: Logger): Promise<void>;
}

/** Resolves a stage's settings (`resolveSettings`) and builds its task configuration. */
export async function configureStage<C, S>(app: StageApp<C, S>, opts: StageOptions, pipeline: PipelineFile | undefined): Promise<C> {
  const settings = resolveSettings(app.settings, {
    cli: (attribute) => opts[attribute],
    section: pipeline?.stages[app.name],
    sectionPath: `stages.${app.name}`,
    ...(pipeline?.file !== undefined ? { file: pipeline.file } : {}),
  });
  return app.configure ? app.configure(settings, { opts, pipeline }) : (settings as unknown as C);
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

/** Outcome of a stage run: 0 complete, 2 incomplete (unreadable files or unfinished tasks). */
export interface StageRunOutcome {
  exitCode: 0 | 2;
  phases: PhaseRunResult[];
}

/**
 * Runs a stage's phases: checks the configuration and the inputs, takes the output folder's lock,
 * records or checks run.json, then runs each phase over the pending tasks and writes
 * run-summary.json. With `rank` set only that task of each sharded phase runs, and single
 * phases run only when named with `phase` (how a cluster scheduler drives a stage, one task per job).
 */
export async function runStage<C, S = C>(
  app: StageApp<C, S>,
  opts: StageOptions,
  pipeline: PipelineFile | undefined,
  log: Logger,
  workerScript?: string,
): Promise<StageRunOutcome> {
  const started = Date.now();
  const config = await configureStage(app, opts, pipeline);
  let files: string[];
  if (app.inputs) {
    files = await app.inputs(opts, config, pipeline);
  } else {
    const listing = await listStageInputs(opts.input ?? [], opts.ignore ?? []);
    if (listing.ignored.length > 0) log.info('input files left out by --ignore', { count: listing.ignored.length, first: listing.ignored.slice(0, 5) });
    files = listing.files;
  }
  if (files.length === 0) throw new Error(`${app.name}: no input files found in ${(opts.input ?? []).join(', ') || '(none given)'}`);
  const worldSize =
    opts.worldSize ??
    Math.max(1, Math.min(files.length, app.defaultWorldSize?.({ files: files.length, bytes: totalBytes(files) }, opts, config) ?? files.length));
  if (opts.rank !== undefined && opts.rank >= worldSize) throw new Error(`--rank ${opts.rank} is outside --world-size ${worldSize}`);
  if (opts.phase !== undefined && !app.phases.some((p) => p.name === opts.phase)) {
    throw new Error(`--phase ${opts.phase}: ${app.name} has no such phase (${app.phases.map((p) => p.name).join(', ')})`);
  }
  const scope = lockScope(opts);
  if (scope !== 'run' && (opts.overwrite || opts.restartOnChange)) {
    throw new Error(`--overwrite and --restart-on-change discard the whole output folder: not with --rank or --phase (other tasks may be using it)`);
  }

  const current: RunRecord = {
    stage: app.name,
    inputs: files,
    worldSize,
    configHash: configHash(config),
    inputsFingerprint: await inputsFingerprint(files),
    config,
    startedAt: new Date().toISOString(),
  };
  // Nothing is written before the lock is held: a second run into the same folder refuses here.
  const lock = await OutputLock.acquire(opts.output, scope);
  // Old output is renamed aside and deleted while the run goes on (see `discardOutput`).
  const discarding: Promise<void>[] = [];
  // The run's result does not depend on the old copy being gone: a failed deletion is reported.
  const discard = async () => {
    const { deleted } = await discardOutput(opts.output);
    discarding.push(deleted.catch((err: Error) => log.warn('could not delete the previous output set aside', { output: opts.output, reason: err.message })));
  };
  try {
    if (opts.overwrite) await discard();
    let stored = await readRunRecord(opts.output);
    if (stored && opts.restartOnChange && runRecordMismatch(stored, current).length > 0) {
      log.warn('output folder holds another run; starting over', { output: opts.output, why: runRecordMismatch(stored, current).join('; ') });
      await discard();
      stored = undefined;
    }
    const outcome = await runStagePhases(app, opts, config, files, worldSize, current, stored, log, workerScript);
    await writeFileAtomic(join(opts.output, 'run-summary.json'), JSON.stringify(runSummary(app, outcome, opts, started), null, 2) + '\n');
    return outcome;
  } finally {
    await Promise.all(discarding);
    await lock.release();
  }
}

async function runStagePhases<C, S>(
  app: StageApp<C, S>,
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

function describe<C, S>(app: StageApp<C, S>, outcome: StageRunOutcome): string {
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

function runSummary<C, S>(app: StageApp<C, S>, outcome: StageRunOutcome, opts: StageOptions, started: number): RunSummary {
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
function serveWorker<C, S>(app: StageApp<C, S>): void {
  const port = parentPort!;
  // Log records go to the main thread, which prints them above its progress line.
  const log = createLogger(
    { stage: app.name, thread: 'worker' },
    { quiet: (workerData as { quiet?: boolean }).quiet === true, forward: (record) => port.postMessage({ type: 'log', record } satisfies FromWorker) },
  );
  port.on('message', async (msg: ToWorker) => {
    const phase = app.phases[msg.phaseIndex];
    let docs = 0;
    let bytes = 0;
    let units = 0;
    let unitBytes = 0;
    let last = Date.now();
    const flush = () => {
      if (docs > 0 || bytes > 0) port.postMessage({ type: 'progress', docs, bytes } satisfies FromWorker);
      if (units > 0 || unitBytes > 0) port.postMessage({ type: 'advance', units, bytes: unitBytes } satisfies FromWorker);
      docs = bytes = units = unitBytes = 0;
      last = Date.now();
    };
    const maybeFlush = () => {
      if (Date.now() - last > 200) flush();
    };
    try {
      if (!phase) throw new Error(`no phase ${msg.phaseIndex} in stage ${app.name}`);
      const stats = await phase.run(msg.task as TaskSpec<C>, {
        progress(d, b) {
          docs += d;
          bytes += b;
          maybeFlush();
        },
        plan(n, unit) {
          port.postMessage({ type: 'plan', units: n, ...(unit !== undefined ? { unit } : {}) } satisfies FromWorker);
        },
        advance(n, b = 0) {
          units += n;
          unitBytes += b;
          maybeFlush();
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

/** Builds the command line of a stage app: the shared options, the stage's settings, its own options. */
export function stageCommand<C, S>(app: StageApp<C, S>): Command {
  const cmd = new Command(app.name)
    .description(app.summary)
    .option('-i, --input <paths...>', 'input files or folders (a previous stage output folder, or document files: .jsonl, .ndjson, .json arrays, and their .gz)')
    .option('--ignore <patterns...>', "files in --input folders to leave out, as globs ('*.md', 'notes/**'); any other file that is not a document file is an error")
    .requiredOption('-o, --output <dir>', 'output folder for this stage')
    .option('-c, --config <file>', 'pipeline definition (JSON); its stages.<name> section sets defaults; the whole file is checked before the run starts')
    .option('--rank <n>', 'run only this task (with --world-size), as one job of a cluster run', parseInteger('--rank', 0))
    .option('--world-size <n>', 'number of tasks the input files are split into (default: one per input file)', parseInteger('--world-size', 1))
    .addOption(
      new Option('--workers <n>', 'worker threads running tasks in parallel').default(availableParallelism(), 'all cores').argParser(parseInteger('--workers', 1)),
    )
    .option('--phase <name>', `run only this phase (${app.phases.map((p) => p.name).join(', ')})`)
    .option('--overwrite', 'discard the output folder and start over')
    .option('--restart-on-change', 'start over if the output folder was made with other inputs or configuration; resume otherwise')
    .option('-q, --quiet', 'print errors only (no progress, no summary)');
  addSettingOptions(cmd, app.settings);
  app.options?.(cmd);
  return cmd;
}

/**
 * The options as the stage runtime takes them: command-line values only where the command
 * line gave them (so a pipeline file's setting is not hidden by a flag's implicit value).
 */
function givenOptions<S>(cmd: Command, spec: SettingsSpec<S>): StageOptions {
  const opts = cmd.opts<StageOptions>();
  for (const { setting } of flaggedSettings(spec)) {
    const attribute = new Option(setting.flag!).attributeName();
    if (cmd.getOptionValueSource(attribute) !== 'cli') delete opts[attribute];
  }
  return opts;
}

/**
 * Entry point of a stage app. In the main thread: parses the command line, checks the pipeline
 * file whole against the catalog (every stage's settings) before anything runs, runs the stage,
 * prints a summary and sets the exit code (0 complete, 2 incomplete, 1 error). In a worker
 * thread: serves tasks.
 */
export function runStageCli<C, S>(app: StageApp<C, S>, script: string, catalog?: PipelineCatalog): void {
  if (!isMainThread && (workerData as { stageWorker?: string } | undefined)?.stageWorker === app.name) {
    serveWorker(app);
    return;
  }
  const cmd = stageCommand(app);
  cmd.action(async () => {
    const opts = givenOptions(cmd, app.settings);
    const log = createLogger({ stage: app.name }, { quiet: opts.quiet === true });
    try {
      const pipeline = opts.config ? await loadPipelineFile(opts.config, catalog) : undefined;
      const outcome = await runStage(app, opts, pipeline, log, script);
      if (!opts.quiet) process.stdout.write(describe(app, outcome) + '\n');
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
