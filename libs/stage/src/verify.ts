import { readFile } from 'node:fs/promises';
import { readLines } from '@apollo/document';
import { StageLayout } from './layout';
import { readRunRecord } from './run-record';
import { droppedTotal, type TaskStats } from './stats';

/** What `verifyStage` found for one stage output folder. */
export interface StageReport {
  dir: string;
  stage: string;
  tasks: number;
  complete: number;
  docsIn: number;
  docsOut: number;
  dropped: Record<string, number>;
  problems: string[];
}

async function countLines(file: string): Promise<number> {
  let n = 0;
  for await (const line of readLines(file)) if (!('text' in line) || line.text.length > 0) n++;
  return n;
}

/**
 * Checks one stage output folder: every task complete, documents in = out + dropped for every
 * task, and the files on disk hold exactly the counted documents and rejects.
 */
export async function verifyStage(dir: string): Promise<StageReport> {
  const run = await readRunRecord(dir);
  const report: StageReport = { dir, stage: run?.stage ?? '?', tasks: run?.worldSize ?? 0, complete: 0, docsIn: 0, docsOut: 0, dropped: {}, problems: [] };
  if (!run) {
    report.problems.push(`${dir}: no run.json; not a stage output folder`);
    return report;
  }
  const layout = new StageLayout(dir);
  for (let rank = 0; rank < run.worldSize; rank++) {
    let stats: TaskStats;
    try {
      await readFile(layout.completionFile('docs', true, rank));
      stats = JSON.parse(await readFile(layout.statsFile('docs', true, rank), 'utf8')) as TaskStats;
    } catch {
      report.problems.push(`${dir}: task ${rank} is not complete`);
      continue;
    }
    report.complete++;
    const dropped = droppedTotal(stats);
    if (stats.docsIn !== stats.docsOut + dropped) {
      report.problems.push(`${dir}: task ${rank}: ${stats.docsIn} in != ${stats.docsOut} out + ${dropped} dropped`);
    }
    const [docLines, rejectLines] = await Promise.all([
      (stats.sink ?? 'jsonl') === 'jsonl' ? countLines(layout.docsFile(rank)) : Promise.resolve(stats.docsOut),
      countLines(layout.rejectsFile(rank)),
    ]);
    if (docLines !== stats.docsOut) report.problems.push(`${layout.docsFile(rank)}: ${docLines} documents on disk, stats say ${stats.docsOut}`);
    if (rejectLines !== dropped) report.problems.push(`${layout.rejectsFile(rank)}: ${rejectLines} rejects on disk, stats say ${dropped}`);
    report.docsIn += stats.docsIn;
    report.docsOut += stats.docsOut;
    for (const [k, v] of Object.entries(stats.dropped)) report.dropped[k] = (report.dropped[k] ?? 0) + v;
  }
  return report;
}

/** Verifies a chain of stage folders: each stage, and each stage's input = the previous stage's output. */
export async function verifyChain(dirs: string[]): Promise<{ ok: boolean; stages: StageReport[]; problems: string[] }> {
  const stages: StageReport[] = [];
  const problems: string[] = [];
  for (const dir of dirs) {
    const report = await verifyStage(dir);
    const prev = stages[stages.length - 1];
    if (prev && prev.docsOut !== report.docsIn) {
      problems.push(`${report.stage} read ${report.docsIn} documents but ${prev.stage} wrote ${prev.docsOut}`);
    }
    stages.push(report);
    problems.push(...report.problems);
  }
  return { ok: problems.length === 0, stages, problems };
}
