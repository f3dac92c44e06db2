import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonLines } from '@apollo/document';
import { writeOutputs } from './output-files';
import type { ResultsDocument } from './results-document';
import { summarizeSet, truncation, type Sample } from './samples';

/** What must agree between the parts of one split run. */
function identity(doc: ResultsDocument): string {
  const c = doc.config;
  const model = c['model'] as { sha256: string; tokenizerSha256: string };
  const spec = c['promptSpec'] as { hashes: unknown };
  return JSON.stringify([
    doc.mode,
    doc.alpha,
    model.sha256,
    model.tokenizerSha256,
    c['expertModel'] ?? null,
    c['antiexpertModel'] ?? null,
    spec.hashes,
    c['seed'],
    c['shots'],
    c['limit'],
    c['worldSize'] ?? 1,
    c['itemFiles'],
  ]);
}

async function readPart(dir: string): Promise<{ doc: ResultsDocument; samples: Sample[] }> {
  const doc = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as ResultsDocument;
  const samples: Sample[] = [];
  const file = join(dir, 'samples.jsonl');
  for await (const rec of readJsonLines(file)) {
    if ('problem' in rec) throw new Error(`${file} line ${rec.line}: ${rec.problem.detail}`);
    samples.push(rec.value as unknown as Sample);
  }
  return { doc, samples };
}

/**
 * Merges the output folders of a run split with --rank/--world-size into one: checks that the
 * parts are the same run (model, mode, prompts, items, world size) and that every rank is there
 * exactly once, puts the samples back in item order and recomputes every statistic. Returns
 * the Markdown table.
 */
export async function mergeParts(parts: readonly string[], output: string): Promise<string> {
  if (parts.length === 0) throw new Error('merge: no part folders given');
  const read = await Promise.all(parts.map(readPart));
  const first = read[0]!.doc;
  const world = (first.config['worldSize'] as number | undefined) ?? 1;
  const ranks = read.map((p) => (p.doc.config['rank'] as number | undefined) ?? 0);
  read.forEach((p, i) => {
    if (identity(p.doc) !== identity(first)) throw new Error(`merge: ${parts[i]} is not a part of the same run as ${parts[0]} (model, mode, prompts, items or world size differ)`);
  });
  const missing = Array.from({ length: world }, (_, r) => r).filter((r) => !ranks.includes(r));
  const twice = ranks.filter((r, i) => ranks.indexOf(r) !== i);
  if (missing.length > 0 || twice.length > 0 || ranks.length !== world) {
    throw new Error(`merge: world size ${world} needs ranks 0..${world - 1} once each; got ${ranks.join(', ')}`);
  }
  const samples = read.flatMap((p) => p.samples).sort((a, b) => a.index - b.index);
  samples.forEach((s, i) => {
    if (s.index !== i) throw new Error(`merge: item ${i} is missing or repeated (found index ${s.index})`);
  });
  const set = summarizeSet(first.alpha, samples);
  const sum = (key: string) => read.reduce((n, p) => n + (p.doc.timings[key] ?? 0), 0);
  const { rank: _rank, ...config } = first.config;
  const doc: ResultsDocument = {
    ...first,
    createdAt: new Date().toISOString(),
    summary: set.summary,
    ...(set.summaryNorm ? { summaryNorm: set.summaryNorm } : {}),
    invalidRate: set.summary.overall.invalidRate,
    counts: { loaded: first.counts.loaded, scored: Object.fromEntries(Object.entries(set.summary.bySource).map(([k, v]) => [k, v.n])) },
    config,
    truncation: truncation(samples),
    cache: { file: null, hits: read.reduce((n, p) => n + p.doc.cache.hits, 0), scored: read.reduce((n, p) => n + p.doc.cache.scored, 0) },
    // Machine-seconds summed over the parts (the wall time of a split run is their maximum).
    timings: { loadSeconds: sum('loadSeconds'), promptSeconds: sum('promptSeconds'), scoreSeconds: sum('scoreSeconds'), totalSeconds: sum('totalSeconds') },
    mergedFrom: [...parts],
  };
  return writeOutputs(output, doc, samples);
}
