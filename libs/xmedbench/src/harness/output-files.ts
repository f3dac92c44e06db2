import { join } from 'node:path';
import { JsonlWriter, writeFileAtomic } from '@apollo/document';
import type { EvalRun } from './evaluate';
import { htmlReport } from './report-html';
import { markdownReport, resultsDocument, type ResultsDocument, type RunContext } from './results-document';
import type { ResultSet, Sample } from './samples';

/** Writes results.json, samples.jsonl, table.md and report.html into `dir`; returns the Markdown. */
export async function writeOutputs(dir: string, doc: ResultsDocument, samples: readonly Sample[]): Promise<string> {
  await writeFileAtomic(join(dir, 'results.json'), JSON.stringify(doc, null, 2) + '\n');
  const writer = new JsonlWriter(join(dir, 'samples.jsonl'));
  for (const s of samples) await writer.write(s);
  await writer.commit();
  const md = markdownReport(doc, doc.label);
  await writeFileAtomic(join(dir, 'table.md'), md);
  await writeFileAtomic(join(dir, 'report.html'), htmlReport(doc));
  return md;
}

/** Folder of one result set: the output folder itself, or `alpha-<a>/` in a proxy sweep. */
export function setDir(output: string, run: EvalRun, set: ResultSet): string {
  return run.sets.length > 1 ? join(output, `alpha-${set.alpha}`) : output;
}

/**
 * Writes every result set of a run. A proxy sweep also gets sweep.json (per alpha: overall
 * accuracy and the paper's average) in the output folder. Returns the Markdown printed.
 */
export async function writeResults(run: EvalRun, output: string, ctx: RunContext): Promise<string> {
  let md = '';
  for (const set of run.sets) {
    const label = set.alpha !== null && run.sets.length > 1 ? `${ctx.label} a=${set.alpha}` : ctx.label;
    const doc = await resultsDocument(run, set, { ...ctx, label });
    md += await writeOutputs(setDir(output, run, set), doc, set.samples);
  }
  if (run.sets.length > 1) {
    const sweep = run.sets.map((s) => ({ alpha: s.alpha, overall: s.summary.overall.accuracy, paperAverage: s.summary.paper.average, dir: setDir(output, run, s) }));
    await writeFileAtomic(join(output, 'sweep.json'), JSON.stringify(sweep, null, 2) + '\n');
  }
  return md;
}
