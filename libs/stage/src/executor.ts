import { access, readFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { writeFileAtomic } from '@apollo/document';
import { StageLayout } from './layout';
import { logRecord, type Logger, type LogRecord } from './log';
import { isDocPhase, type Phase, type TaskRuntime, type TaskSpec } from './phase';
import { filesForRank, type FileAssignment } from './plan';
import { Progress } from './progress';
import type { TaskStats } from './stats';
import { statSync } from 'node:fs';

export interface PhaseRunOptions<C> {
  stage: string;
  phase: Phase<C>;
  /** Index of the phase in the stage's list, used to find the worker-side phase. */
  phaseIndex: number;
  files: string[];
  worldSize: number;
  /** How the files are split among the tasks. Default `interleaved`. */
  fileAssignment?: FileAssignment;
  /** Ranks to run (all of them by default). */
  ranks?: number[];
  output: string;
  config: C;
  runStartedAt: string;
  /** Worker threads; 0 or 1 runs tasks in this thread. */
  workers: number;
  /** Script that serves tasks when started as a worker thread (the app's own bundle). */
  workerScript?: string;
  log: Logger;
  /** Show progress (terminal line or periodic log lines). Default true. */
  showProgress?: boolean;
  /** Worker threads kept across the phases of a stage run (else each phase starts its own). */
  pool?: WorkerPool;
}

/**
 * Worker threads kept across the phases of one stage run, so that each thread starts once: it
 * loads the bundle, grows its heap (fresh memory costs a page fault per 4 KB) and warms up the
 * shared code (reading, writing) once instead of once per phase. A thread that failed or exited
 * is dropped; `close` ends the rest.
 */
export class WorkerPool {
  private idle: Worker[] = [];
  private readonly live = new Set<Worker>();

  constructor(
    private readonly script: string,
    private readonly workerData: unknown,
  ) {}

  take(): Worker {
    const idle = this.idle.pop();
    if (idle) return idle;
    const worker = new Worker(this.script, { workerData: this.workerData, stdout: false, stderr: false });
    this.live.add(worker);
    // Errors during a task reach the executor's own listener; one while idle ends the thread.
    worker.on('error', () => undefined);
    // One that exits while idle is not handed out again.
    worker.once('exit', () => {
      this.live.delete(worker);
      this.idle = this.idle.filter((w) => w !== worker);
    });
    return worker;
  }

  /** Returns a thread that finished its tasks normally. */
  give(worker: Worker): void {
    if (this.live.has(worker)) this.idle.push(worker);
  }

  /** Ends a thread that failed. */
  async discard(worker: Worker): Promise<void> {
    this.live.delete(worker);
    await worker.terminate();
  }

  async close(): Promise<void> {
    const all = [...this.live];
    this.live.clear();
    this.idle = [];
    await Promise.all(all.map((w) => w.terminate()));
  }
}

export interface PhaseRunResult {
  phase: string;
  /** Tasks run now. */
  ran: TaskStats[];
  /** Ranks skipped because a completion marker showed them finished. */
  skipped: number[];
  /** Ranks that finished with unreadable files (no completion marker). */
  incomplete: number[];
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

export async function isTaskComplete(output: string, phase: Phase<unknown>, rank: number): Promise<boolean> {
  return exists(new StageLayout(output).completionFile(phase.name, isDocPhase(phase), rank));
}

export async function readTaskStats(output: string, phase: Phase<unknown>, rank: number): Promise<TaskStats> {
  const file = new StageLayout(output).statsFile(phase.name, isDocPhase(phase), rank);
  return JSON.parse(await readFile(file, 'utf8')) as TaskStats;
}

function fileBytes(files: string[]): number {
  let total = 0;
  for (const f of files) {
    try {
      total += statSync(f).size;
    } catch {
      // unreadable files are reported by the task itself
    }
  }
  return total;
}

/** Messages between the executor and a worker thread. */
export type ToWorker = { type: 'task'; phaseIndex: number; task: TaskSpec<unknown> };
export type FromWorker =
  | { type: 'progress'; docs: number; bytes: number }
  | { type: 'plan'; units: number; unit?: string }
  | { type: 'advance'; units: number; bytes: number }
  | { type: 'log'; record: LogRecord }
  | { type: 'done'; stats: TaskStats }
  | { type: 'failed'; message: string; stack?: string };

/**
 * Runs the pending tasks of one phase: skips tasks with a completion marker, runs the rest in
 * worker threads (or in this thread), writes each task's stats, then its completion marker.
 * A task whose files could not all be read gets stats but no marker, so a relaunch redoes it.
 */
export async function runPhase<C>(opts: PhaseRunOptions<C>): Promise<PhaseRunResult> {
  const { phase, output } = opts;
  const layout = new StageLayout(output);
  const docPhase = isDocPhase(phase);
  const worldSize = phase.kind === 'single' ? 1 : opts.worldSize;
  const ranks = phase.kind === 'single' ? [0] : (opts.ranks ?? Array.from({ length: worldSize }, (_, i) => i));
  const result: PhaseRunResult = { phase: phase.name, ran: [], skipped: [], incomplete: [] };
  const pending: TaskSpec<C>[] = [];
  for (const rank of ranks) {
    if (await isTaskComplete(output, phase as Phase<unknown>, rank)) {
      result.skipped.push(rank);
      continue;
    }
    pending.push({
      stage: opts.stage,
      phase: phase.name,
      rank,
      worldSize,
      files: phase.kind === 'single' ? opts.files : filesForRank(opts.files, rank, worldSize, opts.fileAssignment),
      allFiles: opts.files,
      output,
      config: opts.config,
      runStartedAt: opts.runStartedAt,
    });
  }
  if (result.skipped.length > 0) {
    opts.log.info('skipping finished tasks', { phase: phase.name, skipped: result.skipped.length, pending: pending.length });
  }
  if (pending.length === 0) return result;

  const progress = new Progress({
    label: `${opts.stage}:${phase.name}`,
    totalBytes: phase.kind === 'single' ? 0 : fileBytes(pending.flatMap((t) => t.files)),
    totalTasks: pending.length,
    log: opts.log,
  });
  if (opts.showProgress !== false) progress.start();

  const finishTask = async (stats: TaskStats) => {
    await writeFileAtomic(layout.statsFile(phase.name, docPhase, stats.rank), JSON.stringify(stats, null, 2) + '\n');
    if (stats.fileErrors.length > 0) {
      result.incomplete.push(stats.rank);
    } else {
      await writeFileAtomic(layout.completionFile(phase.name, docPhase, stats.rank), stats.finishedAt + '\n');
    }
    result.ran.push(stats);
    progress.taskDone();
  };

  try {
    const useThreads = phase.kind === 'sharded' && opts.workers > 1 && pending.length > 1 && opts.workerScript !== undefined;
    if (!useThreads) {
      const rt: TaskRuntime = { progress: (d, b) => progress.add(d, b), plan: (u, n) => progress.plan(u, n), advance: (u, b) => progress.advance(u, b), log: opts.log };
      for (const task of pending) await finishTask(await phase.run(task, rt));
    } else {
      await runInWorkers(opts, pending, progress, finishTask);
    }
  } finally {
    progress.stop();
  }
  result.ran.sort((a, b) => a.rank - b.rank);
  return result;
}

/** What a stage's worker thread is started with (`serveWorker` in cli.ts reads it). */
export function workerDataFor(opts: { stage: string; showProgress?: boolean }): { stageWorker: string; quiet: boolean } {
  return { stageWorker: opts.stage, quiet: opts.showProgress === false };
}

async function runInWorkers<C>(
  opts: PhaseRunOptions<C>,
  pending: TaskSpec<C>[],
  progress: Progress,
  finishTask: (stats: TaskStats) => Promise<void>,
): Promise<void> {
  const queue = [...pending];
  const count = Math.min(opts.workers, queue.length);
  let failure: Error | undefined;
  const runOne = async (): Promise<void> => {
    const pool = opts.pool;
    const worker =
      pool?.take() ??
      new Worker(opts.workerScript!, {
        workerData: workerDataFor(opts),
        stdout: false,
        stderr: false,
      });
    let healthy = true;
    try {
      while (queue.length > 0 && !failure) {
        const task = queue.shift()!;
        const stats = await new Promise<TaskStats>((resolve, reject) => {
          const onMessage = (msg: FromWorker) => {
            if (msg.type === 'progress') progress.add(msg.docs, msg.bytes);
            else if (msg.type === 'plan') progress.plan(msg.units, msg.unit);
            else if (msg.type === 'advance') progress.advance(msg.units, msg.bytes);
            else if (msg.type === 'log') logRecord(opts.log, msg.record);
            else {
              worker.off('message', onMessage);
              worker.off('error', onError);
              worker.off('exit', onExit);
              if (msg.type === 'done') resolve(msg.stats);
              else reject(Object.assign(new Error(msg.message), { stack: msg.stack }));
            }
          };
          const onError = (err: Error) => reject(err);
          const onExit = (code: number) => reject(new Error(`worker thread exited with code ${code} during task ${task.rank}`));
          worker.on('message', onMessage);
          worker.once('error', onError);
          worker.once('exit', onExit);
          worker.postMessage({ type: 'task', phaseIndex: opts.phaseIndex, task } satisfies ToWorker);
        });
        await finishTask(stats);
      }
    } catch (err) {
      healthy = false;
      failure ??= err as Error;
    } finally {
      if (!pool) await worker.terminate();
      else if (healthy) pool.give(worker);
      else await pool.discard(worker);
    }
  };
  await Promise.all(Array.from({ length: count }, runOne));
  if (failure) throw failure;
}
