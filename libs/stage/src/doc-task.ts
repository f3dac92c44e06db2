import { rm, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type Doc, type DocItem, JsonlWriter, readDocFile, type RecordProblem } from '@apollo/document';
import { StageLayout } from './layout';
import type { ShardedPhase, TaskRuntime, TaskSpec } from './phase';
import { droppedTotal, finishStats, startStats, type TaskStats } from './stats';

/** What a step can do besides yielding documents: drop one, with a reason. */
export interface StepContext {
  rank: number;
  worldSize: number;
  /** Drops a document: it goes to the rejects output with the reason and is counted under it. */
  drop(doc: Doc, reason: string, detail?: string, extra?: Record<string, unknown>): void;
  /** Adds to a phase-specific counter in the task's stats. */
  count(name: string, n?: number): void;
}

/**
 * A pipeline step: takes a stream of documents and yields the ones it keeps (possibly changed).
 * Every document it takes must be either yielded or dropped through `ctx.drop`.
 */
export type DocStep = (docs: AsyncIterable<Doc>, ctx: StepContext) => AsyncIterable<Doc>;

/** A reader turns one input file into documents and record problems. */
export type DocReader = (file: string) => AsyncIterable<DocItem>;

/** A rejected record as written to `rejects/<rank>.jsonl`. */
export interface RejectRecord {
  reason: string;
  detail?: string;
  stage: string;
  at?: RecordProblem['at'] | Doc['provenance'];
  doc?: Doc;
  [key: string]: unknown;
}

/** Removes the `.tmp-*` files an interrupted atomic write of `file` left beside it. */
export async function removeStaleTemporaries(file: string): Promise<void> {
  const dir = dirname(file);
  const prefix = basename(file) + '.tmp-';
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  await Promise.all(names.filter((n) => n.startsWith(prefix)).map((n) => rm(join(dir, n), { force: true })));
}

/**
 * Where a doc phase puts the documents it keeps. The default writes `docs/<rank>.jsonl` for the
 * next stage; a final stage (convert) writes its own format instead.
 */
export interface DocSink {
  /** Short name recorded in the task stats (`jsonl` for the default). */
  readonly name: string;
  write(doc: Doc): Promise<void>;
  /** Makes the output visible atomically; returns bytes written. */
  commit(): Promise<number>;
  /** Removes partial output. */
  abort(): Promise<void>;
}

class JsonlDocSink implements DocSink {
  readonly name = 'jsonl';
  private readonly writer: JsonlWriter;
  constructor(path: string) {
    this.writer = new JsonlWriter(path);
  }
  async write(doc: Doc): Promise<void> {
    this.writer.addDoc(doc);
    await this.writer.flushIfFull();
  }
  async commit(): Promise<number> {
    await this.writer.commit();
    return this.writer.bytes;
  }
  abort(): Promise<void> {
    return this.writer.abort();
  }
}

export interface DocPhaseOptions<C> {
  name?: string;
  /** Where kept documents go; default `docs/<rank>.jsonl`. */
  sink?: (task: TaskSpec<C>) => DocSink | Promise<DocSink>;
  /** Reads an input file; by default the JSONL document format written by other stages. */
  read?: (task: TaskSpec<C>) => DocReader;
  /** Builds the step for a task (may load models or indexes once per task). */
  step(task: TaskSpec<C>, rt: TaskRuntime): Promise<DocStep> | DocStep;
}

/** Builds a sharded phase that reads documents, runs a step, and writes kept and dropped ones. */
export function docPhase<C>(options: DocPhaseOptions<C>): ShardedPhase<C> {
  return {
    kind: 'sharded',
    name: options.name ?? 'docs',
    docPhase: true,
    run: (task, rt) => runDocTask(task, rt, options),
  };
}

export class ConservationError extends Error {}

/** Throws unless the task's documents in = documents out + documents dropped. */
export function assertConserved(task: { stage: string; rank: number }, stats: TaskStats): void {
  const dropped = droppedTotal(stats);
  if (stats.docsIn !== stats.docsOut + dropped) {
    throw new ConservationError(`${task.stage} task ${task.rank}: ${stats.docsIn} documents in, but ${stats.docsOut} out + ${dropped} dropped`);
  }
}

export async function runDocTask<C>(task: TaskSpec<C>, rt: TaskRuntime, options: DocPhaseOptions<C>): Promise<TaskStats> {
  const layout = new StageLayout(task.output);
  const startedAt = new Date();
  const docsFile = layout.docsFile(task.rank);
  const rejectsFile = layout.rejectsFile(task.rank);
  await Promise.all([removeStaleTemporaries(docsFile), removeStaleTemporaries(rejectsFile)]);
  const out: DocSink = options.sink ? await options.sink(task) : new JsonlDocSink(docsFile);
  const rejects = new JsonlWriter(rejectsFile);
  const stats: TaskStats = startStats(task, options.name ?? 'docs', startedAt, { files: task.files, extra: {}, sink: out.name });
  const countDrop = (reason: string) => {
    stats.dropped[reason] = (stats.dropped[reason] ?? 0) + 1;
  };
  const ctx: StepContext = {
    rank: task.rank,
    worldSize: task.worldSize,
    drop(doc, reason, detail, extra) {
      countDrop(reason);
      rejects.add({ reason, ...(detail ? { detail } : {}), stage: task.stage, at: doc.provenance, ...extra, doc } satisfies RejectRecord);
    },
    count(name, n = 1) {
      stats.extra![name] = (stats.extra![name] ?? 0) + n;
    },
  };
  // The text of a document a step leaves unchanged is written back as it was read (`RawText`).
  const read = options.read ? options.read(task) : (file: string) => readDocFile(file, { rawText: true });

  async function* source(): AsyncGenerator<Doc> {
    for (const file of task.files) {
      try {
        const info = await stat(file);
        if (!info.isFile()) throw new Error('not a regular file');
      } catch (err) {
        stats.fileErrors.push({ file, reason: (err as Error).message });
        rt.log.error('cannot read input file', { file, reason: (err as Error).message });
        continue;
      }
      try {
        for await (const item of read(file)) {
          stats.docsIn++;
          stats.bytesIn += item.bytes;
          rt.progress(1, item.bytes);
          if ('problem' in item) {
            countDrop(item.problem.reason);
            rejects.add({ reason: item.problem.reason, detail: item.problem.detail, stage: task.stage, at: item.problem.at } satisfies RejectRecord);
            continue;
          }
          stats.charsIn += item.doc.text.length;
          yield item.doc;
        }
      } catch (err) {
        stats.fileErrors.push({ file, reason: (err as Error).message });
        rt.log.error('input file failed while reading', { file, reason: (err as Error).message });
      }
    }
  }

  return commitTask(task, stats, out, rejects, async () => {
    const step = await options.step(task, rt);
    for await (const doc of step(source(), ctx)) {
      stats.docsOut++;
      stats.charsOut += doc.text.length;
      await out.write(doc);
      await rejects.flushIfFull();
    }
  });
}

/**
 * Runs a task's work, then checks the conservation law and makes its documents and rejects
 * visible (atomic renames); if anything fails, both partial outputs are removed.
 */
export async function commitTask(
  task: { stage: string; rank: number },
  stats: TaskStats,
  out: Pick<DocSink, 'commit' | 'abort'>,
  rejects: JsonlWriter,
  work: () => Promise<void>,
): Promise<TaskStats> {
  try {
    await work();
    assertConserved(task, stats);
    stats.bytesOut = await out.commit();
    await rejects.commit();
  } catch (err) {
    await Promise.all([out.abort(), rejects.abort()]);
    throw err;
  }
  return finishStats(stats);
}
