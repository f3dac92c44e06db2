import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { JsonlWriter, writeFileAtomic } from '@apollo/document';
import { onnxruntimeVersion, sha256File } from '@apollo/onnx-lm';
import { paperTable, promptSpecHashes, sourceTable } from '@apollo/xmedbench';
import type { EvalRun } from './evaluate';

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

/** The Markdown report: the paper's table with this run beside it, then per-source detail. */
export function markdownReport(run: EvalRun, label: string): string {
  const s = run.summary;
  const head =
    `# XMedBench, ${label}\n\n` +
    `mode ${run.config.mode}, prompt ${run.spec.name} v${run.spec.version}, ${run.spec.shots} shots, seed ${run.config.seed}; ` +
    `${s.overall.n} items, accuracy ${(s.overall.accuracy * 100).toFixed(2)}%` +
    (s.paper.complete ? '' : ' (* average over fewer than the paper\'s 9 columns)') +
    '\n\n';
  return `${head}${paperTable(label, s)}\n${sourceTable(s)}`;
}

/** Writes results.json, samples.jsonl and table.md into `output`; returns the Markdown. */
export async function writeResults(run: EvalRun, output: string, label: string, repoRoot: string, totalSeconds: number): Promise<string> {
  const { lm, config, summary, timings } = run;
  const tokenizerFile = join(lm.files.dir, 'tokenizer.json');
  // Large exports keep weights beside the graph (ONNX external data); hash it too.
  const dataFile = [`${lm.files.modelFile}_data`, `${lm.files.modelFile}.data`].find((f) => existsSync(f));
  const tokens = run.samples.reduce((n, s) => n + s.tokens, 0);
  const results = {
    benchmark: 'XMedBench',
    label,
    createdAt: new Date().toISOString(),
    summary,
    invalidRate: summary.overall.invalidRate,
    counts: { loaded: run.loaded.counts, scored: Object.fromEntries(Object.entries(summary.bySource).map(([k, v]) => [k, v.n])) },
    config: {
      ...config,
      model: {
        dir: lm.files.dir,
        file: lm.files.modelFile,
        sha256: await sha256File(lm.files.modelFile),
        ...(dataFile ? { dataFile, dataSha256: await sha256File(dataFile) } : {}),
        tokenizerSha256: await sha256File(tokenizerFile),
        modelType: lm.files.config.model_type ?? null,
        addBos: lm.tokenizer.addBos,
        eos: lm.tokenizer.eosText,
        graphInputs: { attentionMask: lm.signature.hasAttentionMask, positionIds: lm.signature.hasPositionIds, pastKeyValues: lm.signature.past.length },
      },
      itemFiles: await Promise.all(run.loaded.files.map(async (f) => ({ ...f, sha256: await sha256File(f.file) }))),
      promptSpec: {
        name: run.spec.name,
        version: run.spec.version,
        shots: run.spec.shots,
        maxChars: run.spec.maxChars,
        referenceQuirks: run.spec.referenceQuirks,
        hashes: promptSpecHashes(run.spec, lm.tokenizer.eosText),
      },
      onnxruntime: onnxruntimeVersion(),
      node: process.version,
      gitCommit: gitCommit(repoRoot),
    },
    truncation: {
      itemsWithShotsDropped: run.samples.filter((s) => s.shotsDropped > 0).length,
      itemsOverLimit: run.samples.filter((s) => s.overLimit).length,
      continuationFallbacks: run.samples.filter((s) => s.method === 'continuation').length,
    },
    timings: {
      ...timings,
      totalSeconds,
      itemsPerSecond: run.samples.length / timings.scoreSeconds,
      tokensPerSecond: tokens / timings.scoreSeconds,
    },
  };
  await writeFileAtomic(join(output, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  const writer = new JsonlWriter(join(output, 'samples.jsonl'));
  for (const s of run.samples) await writer.write(s);
  await writer.commit();
  const md = markdownReport(run, label);
  await writeFileAtomic(join(output, 'table.md'), md);
  return md;
}
