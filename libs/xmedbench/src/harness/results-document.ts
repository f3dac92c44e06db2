import { execFileSync } from 'node:child_process';
import { parseItemPath } from '@apollo/benchmark-items';
import { onnxruntimeVersion, sha256File } from '@apollo/onnx-lm';
import { promptSpecHashes } from '../prompt-spec';
import type { ScoreSummary } from '../score';
import { paperTable, sourceTable } from '../table';
import type { EvalRun } from './evaluate';
import { truncation, type ResultSet } from './samples';

/** The commit of the checkout at `cwd`, with `-dirty` when tracked files are modified; null outside git. */
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
  /** The run's options (EVAL_OPTIONS of scope run, in their order), the models' identities and what else reproduces the run. */
  config: Record<string, unknown>;
  truncation: ReturnType<typeof truncation>;
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
    (s.paper.complete ? '' : " (* average over fewer than the paper's 9 columns)") +
    '\n\n';
  return `${head}${paperTable(label, s)}\n${sourceTable(s)}`;
}

/** Where and how a run was made, beyond its options. */
export interface RunContext {
  label: string;
  /** The checkout the command runs from (for its commit). */
  repoRoot: string;
  /** Wall time of the whole command. */
  totalSeconds: number;
}

/** Builds results.json for one result set of a run. */
export async function resultsDocument(run: EvalRun, set: ResultSet, ctx: RunContext): Promise<ResultsDocument> {
  const { summary } = set;
  return {
    benchmark: 'XMedBench',
    label: ctx.label,
    createdAt: new Date().toISOString(),
    mode: run.config.mode,
    alpha: set.alpha,
    summary,
    ...(set.summaryNorm ? { summaryNorm: set.summaryNorm } : {}),
    invalidRate: summary.overall.invalidRate,
    counts: { loaded: run.loaded.counts, scored: Object.fromEntries(Object.entries(summary.bySource).map(([k, v]) => [k, v.n])) },
    config: {
      ...run.config,
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
      gitCommit: gitCommit(ctx.repoRoot),
    },
    truncation: truncation(set.samples),
    cache: run.cache,
    timings: {
      ...run.timings,
      totalSeconds: ctx.totalSeconds,
      itemsPerSecond: run.cache.scored > 0 ? run.cache.scored / run.timings.scoreSeconds : 0,
      tokensPerSecond: run.cache.scored > 0 ? run.promptTokens / run.timings.scoreSeconds : 0,
    },
  };
}
