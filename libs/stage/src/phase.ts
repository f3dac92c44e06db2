import type { Logger } from './log';
import type { TaskStats } from './stats';

/** Everything a task needs; plain data, so it can be sent to a worker thread. */
export interface TaskSpec<C> {
  stage: string;
  phase: string;
  rank: number;
  worldSize: number;
  /** The input files this task processes. */
  files: string[];
  /** All input files of the stage, in order (phases such as clustering need them). */
  allFiles: string[];
  /** The stage's output folder. */
  output: string;
  config: C;
  /** Time of the first launch of this stage run (ISO-8601); stable across relaunches. */
  runStartedAt: string;
}

export interface TaskRuntime {
  /** Reports processed documents and input bytes (deltas) for progress display. */
  progress(docs: number, bytes: number): void;
  /**
   * Adds units of work the task expects to do (e.g. pages a crawl plans to fetch), for tasks
   * whose input bytes say nothing about their work; the ETA then follows these units. A
   * negative count gives back what will not be done.
   */
  plan?(units: number, unit?: string): void;
  /** Reports units of planned work done, with the bytes they brought. */
  advance?(units: number, bytes?: number): void;
  log: Logger;
}

/** A phase run as `worldSize` tasks over the input files. */
export interface ShardedPhase<C> {
  kind: 'sharded';
  name: string;
  /** The phase whose kept documents are the stage's output; the conservation law is checked on it. */
  docPhase: boolean;
  run(task: TaskSpec<C>, rt: TaskRuntime): Promise<TaskStats>;
}

/** A phase run once, after every task of the phases before it has finished (clustering, finalizing). */
export interface SinglePhase<C> {
  kind: 'single';
  name: string;
  run(task: TaskSpec<C>, rt: TaskRuntime): Promise<TaskStats>;
}

export type Phase<C> = ShardedPhase<C> | SinglePhase<C>;

export function isDocPhase<C>(phase: Phase<C>): boolean {
  return phase.kind === 'sharded' && phase.docPhase;
}
