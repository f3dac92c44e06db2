// End-to-end dedupe benchmark on a generated corpus: the full corpus deduplicated with bounded
// memory and published as an index, then a delta of about 1% of the corpus checked against that
// index. Wall time and peak memory come from each run's run-summary.json.
import { spawn } from 'node:child_process';
import { mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RunSummary } from '@apollo/stage';
import { generateCorpus } from './generate';

export interface DedupeScaleOptions {
  /** Corpus size in MB (10^6 bytes) of generated JSONL. */
  megabytes: number;
  /** Work folder (emptied first). */
  workDir: string;
  /** Delta size in percent of the corpus. Default 1. */
  deltaPercent?: number;
  /** The dedupe stage's --memory-mb. Default 256. */
  memoryMb?: number;
  /** Worker threads per stage run. Default 2. */
  workers?: number;
  /** Folder with the real text the generator samples sentences from. Default /work/shared/data. */
  sharedData?: string;
  /** Repository root holding dist/apps/{crawl,dedupe}/main.js. Default the working directory. */
  repoRoot?: string;
  seed?: number;
  /**
   * Also deduplicate corpus + delta from scratch and check every delta document's decision
   * against it (the equivalence stated in docs/dedupe.md). Costs one more full run. Default false.
   */
  verifyAgainstScratch?: boolean;
}

/** Delta documents by how the from-scratch run decided their cluster, and disagreements. */
export interface ScratchComparison {
  /** From scratch an old document is kept for the cluster: same decision and named document expected. */
  oldKept: number;
  /** The cluster holds no old document: the same decision expected. */
  newOnly: number;
  /** From scratch a delta document would win over old ones: dropped, naming an indexed document, expected. */
  oldMustStay: number;
  mismatches: string[];
}

export interface DedupeRunFigures {
  docs: number;
  mb: number;
  seconds: number;
  maxRssMB: number;
  kept: number;
  dropped: Record<string, number>;
}

export interface DedupeScaleReport {
  /** The corpus without the delta; planted copies are counted over corpus and delta together. */
  corpus: { mb: number; docs: number; plantedExact: number; plantedNear: number; files: number };
  delta: { mb: number; docs: number; files: number };
  memoryMb: number;
  workers: number;
  full: DedupeRunFigures;
  againstIndex: DedupeRunFigures;
  indexMB: number;
  scratch?: { figures: DedupeRunFigures; comparison: ScratchComparison };
}

interface Decision {
  kept: boolean;
  duplicateOf?: string;
  inIndex: boolean;
}

async function jsonLines(dir: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (const f of (await readdir(dir)).filter((n) => n.endsWith('.jsonl')).sort()) {
    for (const l of (await readFile(join(dir, f), 'utf8')).split('\n')) if (l.trim()) out.push(JSON.parse(l) as Record<string, unknown>);
  }
  return out;
}

/** Decision per document id of a finished run (copies share an id and a decision's meaning). */
async function decisionsOf(out: string): Promise<Map<string, Decision>> {
  const m = new Map<string, Decision>();
  for (const d of await jsonLines(join(out, 'docs'))) m.set(d.id as string, { kept: true, inIndex: false });
  for (const r of await jsonLines(join(out, 'rejects'))) {
    const id = (r.doc as { id: string }).id;
    if (!m.has(id)) m.set(id, { kept: false, duplicateOf: r.duplicateOf as string, inIndex: r.duplicateInIndex === true });
  }
  return m;
}

/** Checks the delta run's decisions against a from-scratch run over corpus + delta. */
export async function compareWithScratch(oldDocsDir: string, deltaDocsDir: string, deltaOut: string, scratchOut: string): Promise<ScratchComparison> {
  const old = new Set((await jsonLines(oldDocsDir)).map((d) => d.id as string));
  const delta = (await jsonLines(deltaDocsDir)).map((d) => d.id as string);
  const scratch = await decisionsOf(scratchOut);
  const against = await decisionsOf(deltaOut);
  const keptOf = (id: string) => (scratch.get(id)?.kept ? id : scratch.get(id)!.duplicateOf!);
  const clusterHasOld = new Set<string>();
  for (const id of old) clusterHasOld.add(keptOf(id));
  const c: ScratchComparison = { oldKept: 0, newOnly: 0, oldMustStay: 0, mismatches: [] };
  for (const id of delta) {
    const a = against.get(id)!;
    const k = keptOf(id);
    const s = scratch.get(id)!;
    if (old.has(k)) {
      c.oldKept++;
      if (a.kept || a.duplicateOf !== k) c.mismatches.push(`${id}: from scratch a duplicate of old ${k}, against the index ${JSON.stringify(a)}`);
    } else if (!clusterHasOld.has(k)) {
      c.newOnly++;
      if (a.kept !== s.kept || a.duplicateOf !== s.duplicateOf) c.mismatches.push(`${id}: from scratch ${JSON.stringify(s)}, against the index ${JSON.stringify(a)}`);
    } else {
      c.oldMustStay++;
      if (a.kept || !a.inIndex || !old.has(a.duplicateOf!)) c.mismatches.push(`${id}: expected a drop naming an indexed document, got ${JSON.stringify(a)}`);
    }
  }
  return c;
}

function run(script: string, args: string[]): Promise<void> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', fail);
    child.once('exit', (code) => (code === 0 ? ok() : fail(new Error(`${script} ${args.join(' ')} exited with ${code}`))));
  });
}

async function figures(out: string): Promise<DedupeRunFigures> {
  const summary = JSON.parse(await readFile(join(out, 'run-summary.json'), 'utf8')) as RunSummary;
  const dropped: Record<string, number> = {};
  let docs = 0;
  let bytes = 0;
  let kept = 0;
  for (const p of summary.phases) {
    for (const [k, v] of Object.entries(p.dropped)) if (p.phase === 'filter') dropped[k] = (dropped[k] ?? 0) + v;
    if (p.phase === 'signatures') {
      docs = p.docsIn;
      bytes = p.bytesIn;
    }
    if (p.phase === 'filter') kept = p.docsOut;
  }
  return { docs, mb: bytes / 1e6, seconds: summary.wallSeconds, maxRssMB: summary.maxRssMB, kept, dropped };
}

async function duMB(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? await duMB(p) : (await stat(p)).size / 1e6;
  }
  return total;
}

/**
 * Generates the corpus as 100 / deltaPercent files, so the last file is the delta (it holds
 * the generator's planted copies of earlier documents, about 4% exact and 4% near); crawls both
 * parts to JSONL documents; deduplicates the rest with --index, then the delta with --against.
 */
export async function dedupeScaleBench(options: DedupeScaleOptions): Promise<DedupeScaleReport> {
  const work = resolve(options.workDir);
  const root = resolve(options.repoRoot ?? '.');
  const deltaPercent = options.deltaPercent ?? 1;
  const memoryMb = options.memoryMb ?? 256;
  const workers = options.workers ?? 2;
  const files = Math.max(2, Math.round(100 / deltaPercent));
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const corpus = await generateCorpus({ dir: join(work, 'raw'), targetBytes: options.megabytes * 1e6, files, seed: options.seed ?? 11, sharedData: options.sharedData ?? '/work/shared/data' });
  const deltaFile = corpus.files[corpus.files.length - 1]!;
  await mkdir(join(work, 'raw-delta'));
  await rename(deltaFile, join(work, 'raw-delta', 'delta.jsonl'));
  const crawl = join(root, 'dist', 'apps', 'crawl', 'main.js');
  const dedupe = join(root, 'dist', 'apps', 'dedupe', 'main.js');
  const common = ['--workers', String(workers), '--overwrite', '--quiet'];
  const crawlArgs = ['--format', 'jsonl', '--source', 'web', '--stage', 'pretrain'];
  await run(crawl, ['--input', join(work, 'raw'), '--output', join(work, 'crawl'), ...crawlArgs, ...common]);
  await run(crawl, ['--input', join(work, 'raw-delta'), '--output', join(work, 'crawl-delta'), ...crawlArgs, ...common]);
  const index = join(work, 'index');
  await run(dedupe, ['--input', join(work, 'crawl'), '--output', join(work, 'dedupe'), '--memory-mb', String(memoryMb), '--index', index, ...common]);
  await run(dedupe, ['--input', join(work, 'crawl-delta'), '--output', join(work, 'dedupe-delta'), '--memory-mb', String(memoryMb), '--against', index, ...common]);
  const deltaBytes = (await stat(join(work, 'raw-delta', 'delta.jsonl'))).size;
  let scratch: DedupeScaleReport['scratch'];
  if (options.verifyAgainstScratch) {
    const out = join(work, 'dedupe-scratch');
    await run(dedupe, ['--input', join(work, 'crawl'), join(work, 'crawl-delta'), '--output', out, '--memory-mb', String(memoryMb), ...common]);
    scratch = { figures: await figures(out), comparison: await compareWithScratch(join(work, 'crawl', 'docs'), join(work, 'crawl-delta', 'docs'), join(work, 'dedupe-delta'), out) };
  }
  const full = await figures(join(work, 'dedupe'));
  const againstIndex = await figures(join(work, 'dedupe-delta'));
  return {
    corpus: { mb: (corpus.bytes - deltaBytes) / 1e6, docs: full.docs, plantedExact: corpus.exactDuplicates, plantedNear: corpus.nearDuplicates, files },
    delta: { mb: deltaBytes / 1e6, docs: againstIndex.docs, files: 1 },
    memoryMb,
    workers,
    full,
    againstIndex,
    indexMB: Math.round((await duMB(index)) * 10) / 10,
    ...(scratch ? { scratch } : {}),
  };
}

/** The report as a markdown table. */
export function scaleReportMarkdown(r: DedupeScaleReport): string {
  const row = (name: string, f: DedupeRunFigures) =>
    `| ${name} | ${f.docs} | ${f.mb.toFixed(1)} | ${f.seconds.toFixed(1)} | ${(f.mb / f.seconds).toFixed(2)} | ${f.maxRssMB} | ${f.kept} | ${Object.entries(f.dropped)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')} |`;
  return [
    `Generated corpus: ${r.corpus.mb.toFixed(1)} MB, ${r.corpus.docs} documents in ${r.corpus.files} files (planted: ${r.corpus.plantedExact} exact, ${r.corpus.plantedNear} near copies); --memory-mb ${r.memoryMb}, --workers ${r.workers}; index on disk ${r.indexMB} MB.`,
    '',
    '| run | docs | MB | seconds | MB/s | peak RSS MB | kept | dropped |',
    '|---|---|---|---|---|---|---|---|',
    row('full corpus (with --index)', r.full),
    row(`delta (${r.delta.mb.toFixed(1)} MB) --against the index`, r.againstIndex),
    ...(r.scratch ? [row('corpus + delta from scratch', r.scratch.figures)] : []),
    ...(r.scratch
      ? [
          '',
          `Delta decisions against the from-scratch run: ${r.scratch.comparison.oldKept} duplicates of an old kept document (same decision and named document), ` +
            `${r.scratch.comparison.newOnly} in clusters without old documents (same decision), ${r.scratch.comparison.oldMustStay} where from scratch the delta document would be kept ` +
            `(dropped, naming the indexed document); mismatches: ${r.scratch.comparison.mismatches.length}${r.scratch.comparison.mismatches.length ? `\n${r.scratch.comparison.mismatches.slice(0, 10).join('\n')}` : ''}`,
        ]
      : []),
  ].join('\n');
}
