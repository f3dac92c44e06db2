import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { JsonlWriter, writeFileAtomic } from '@apollo/document';
import { onnxruntimeVersion, sha256File } from '@apollo/onnx-lm';
import { paperTable, parseItemPath, promptSpecHashes, sourceTable, type ScoreSummary } from '@apollo/xmedbench';
import type { EvalRun, ResultSet, Sample } from './evaluate';
import { htmlReport } from './report-html';

/** The commit of the checkout the app runs from, with `-dirty` when files are modified; null outside git. */
export function gitCommit(cwd: string): string | null {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    return dirty ? `${head}-dirty` : head;
  } catch {
    return null;
  }
}

/** results.json: everything about one result set, and how it was made. */
export interface ResultsDocument {
  benchmark: 'XMedBench';
  label: string;
  createdAt: string;
  mode: string;
  alpha: number | null;
  summary: ScoreSummary;
  summaryNorm?: ScoreSummary;
  invalidRate: number;
  counts: { loaded: Record<string, number>; scored: Record<string, number> };
  config: Record<string, unknown>;
  truncation: { itemsWithShotsDropped: number; itemsOverLimit: number; continuationFallbacks: number };
  cache: EvalRun['cache'];
  timings: Record<string, number>;
  /** Set by `merge`: the parts this result was assembled from. */
  mergedFrom?: string[];
}

/** The Markdown report: the paper's table with this run beside it, then per-source detail. */
export function markdownReport(doc: Pick<ResultsDocument, 'summary' | 'summaryNorm' | 'mode' | 'alpha' | 'config'>, label: string): string {
  const s = doc.summary;
  const spec = doc.config['promptSpec'] as { name: string; version: number; shots: number };
  const head =
    `# XMedBench, ${label}\n\n` +
    `mode ${doc.mode}${doc.alpha !== null ? `, proxy alpha ${doc.alpha}` : ''}, prompt ${spec.name} v${spec.version}, ${spec.shots} shots, seed ${String(doc.config['seed'])}; ` +
    `${s.overall.n} items, accuracy ${(s.overall.accuracy * 100).toFixed(2)}%` +
    (doc.summaryNorm ? `, acc_norm ${(doc.summaryNorm.overall.accuracy * 100).toFixed(2)}%` : '') +
    (s.paper.complete ? '' : ' (* average over fewer than the paper\'s 9 columns)') +
    '\n\n';
  return `${head}${paperTable(label, s)}\n${sourceTable(s)}`;
}

/** Builds results.json for one result set of a run. */
export async function resultsDocument(run: EvalRun, set: ResultSet, label: string, repoRoot: string, totalSeconds: number): Promise<ResultsDocument> {
  const { config } = run;
  const { summary } = set;
  // The cache path is where this run kept its results, not a setting of the run.
  const { cacheFile: _cache, ...options } = config;
  return {
    benchmark: 'XMedBench',
    label,
    createdAt: new Date().toISOString(),
    mode: config.mode,
    alpha: set.alpha,
    summary,
    ...(set.summaryNorm ? { summaryNorm: set.summaryNorm } : {}),
    invalidRate: summary.overall.invalidRate,
    counts: { loaded: run.loaded.counts, scored: Object.fromEntries(Object.entries(summary.bySource).map(([k, v]) => [k, v.n])) },
    config: {
      ...options,
      model: run.models.base,
      ...(run.models.expert ? { expertModel: run.models.expert, antiexpertModel: run.models.antiexpert } : {}),
      itemFiles: await Promise.all(run.loaded.files.map(async (f) => ({ ...f, sha256: await sha256File(parseItemPath(f.file).path) }))),
      promptSpec: {
        name: run.spec.name,
        version: run.spec.version,
        shots: run.spec.shots,
        maxChars: run.spec.maxChars,
        referenceQuirks: run.spec.referenceQuirks,
        hashes: promptSpecHashes(run.spec, run.models.base.eos),
      },
      onnxruntime: onnxruntimeVersion(),
      node: process.version,
      gitCommit: gitCommit(repoRoot),
    },
    truncation: truncation(set.samples),
    cache: run.cache,
    timings: {
      ...run.timings,
      totalSeconds,
      itemsPerSecond: run.cache.scored > 0 ? run.cache.scored / run.timings.scoreSeconds : 0,
      tokensPerSecond: run.cache.scored > 0 ? run.promptTokens / run.timings.scoreSeconds : 0,
    },
  };
}

export function truncation(samples: readonly Sample[]): ResultsDocument['truncation'] {
  return {
    itemsWithShotsDropped: samples.filter((s) => s.shotsDropped > 0).length,
    itemsOverLimit: samples.filter((s) => s.overLimit).length,
    continuationFallbacks: samples.filter((s) => s.method === 'continuation' && s.scoresNorm === undefined).length,
  };
}

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
export async function writeResults(run: EvalRun, output: string, label: string, repoRoot: string, totalSeconds: number): Promise<string> {
  let md = '';
  for (const set of run.sets) {
    const doc = await resultsDocument(run, set, set.alpha !== null && run.sets.length > 1 ? `${label} a=${set.alpha}` : label, repoRoot, totalSeconds);
    md += await writeOutputs(setDir(output, run, set), doc, set.samples);
  }
  if (run.sets.length > 1) {
    const sweep = run.sets.map((s) => ({ alpha: s.alpha, overall: s.summary.overall.accuracy, paperAverage: s.summary.paper.average, dir: setDir(output, run, s) }));
    await writeFileAtomic(join(output, 'sweep.json'), JSON.stringify(sweep, null, 2) + '\n');
  }
  return md;
}
