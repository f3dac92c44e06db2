import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonLines, writeFileAtomic } from '@apollo/document';
import { readRunRecord, type SinglePhase, type TaskRuntime, type TaskSpec, type TaskStats, phaseStats } from '@apollo/stage';
import type { DedupeConfig } from '../config';
import { loadBenchmarks, type BenchmarkItem } from './benchmark';
import { hitsFile, type ContaminationHit } from './step';

export const PHASE_DECONTAM_REPORT = 'decontam-report';

/** `decontam/report.json`. */
export interface DecontamReport {
  benchmarks: string[];
  ngramWords: number;
  ngramChars: number;
  action: string;
  /** Documents that held items, by what was done to them. */
  documents: { dropped: number; cut: number };
  sources: Record<
    string,
    {
      items: number;
      found: number;
      /** Documents that held items of this source, by what was done to them (a document holding items of several sources counts in each). */
      documents: { dropped: number; cut: number };
      /** Items found, each with the documents that held it. */
      foundItems: { id: string; question: string; documents: { docId: string; action: string; source: string; lang?: string }[] }[];
    }
  >;
}

export function reportFiles(output: string): { json: string; markdown: string } {
  return { json: join(output, 'decontam', 'report.json'), markdown: join(output, 'decontam', 'report.md') };
}

/** Builds the report from the benchmark items and every task's hits. */
export function buildReport(items: BenchmarkItem[], hits: ContaminationHit[], config: DedupeConfig): DecontamReport {
  const report: DecontamReport = {
    benchmarks: config.decontaminate,
    ngramWords: config.decontamNgramWords,
    ngramChars: config.decontamNgramChars,
    action: config.decontamAction,
    documents: { dropped: 0, cut: 0 },
    sources: {},
  };
  const byId = new Map(items.map((i) => [i.id, i]));
  const docsOf = new Map<string, DecontamReport['sources'][string]['foundItems'][number]['documents']>();
  for (const i of items) (report.sources[i.source] ??= { items: 0, found: 0, documents: { dropped: 0, cut: 0 }, foundItems: [] }).items++;
  for (const h of hits) {
    const action = h.action === 'cut' ? 'cut' : 'dropped';
    report.documents[action]++;
    const sources = new Set(h.items.map((id) => byId.get(id)?.source).filter((s): s is string => s !== undefined));
    for (const s of sources) report.sources[s]!.documents[action]++;
    for (const id of h.items) {
      let list = docsOf.get(id);
      if (!list) docsOf.set(id, (list = []));
      list.push({ docId: h.docId, action: h.action, source: h.source, ...(h.lang ? { lang: h.lang } : {}) });
    }
  }
  for (const [id, documents] of [...docsOf].sort((a, b) => a[0].localeCompare(b[0], 'en', { numeric: true }))) {
    const item = byId.get(id);
    if (!item) continue;
    const s = report.sources[item.source]!;
    s.found++;
    s.foundItems.push({ id, question: item.question, documents: documents.sort((a, b) => a.docId.localeCompare(b.docId)) });
  }
  return report;
}

const cell = (s: string) => s.replace(/\|/gu, '\\|').replace(/\s+/gu, ' ');

export function reportMarkdown(r: DecontamReport): string {
  const lines = [
    '# Benchmark decontamination report',
    '',
    `Benchmarks: ${r.benchmarks.map((b) => `\`${b}\``).join(', ')}; n-grams of ${r.ngramWords} words (${r.ngramChars} characters for Chinese); action \`${r.action}\`.`,
    `Documents holding benchmark items: ${r.documents.dropped} dropped, ${r.documents.cut} cut.`,
    '',
    '| source | items | found in corpus | documents dropped | documents cut |',
    '|---|---:|---:|---:|---:|',
    ...Object.entries(r.sources)
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([s, v]) => `| ${s} | ${v.items} | ${v.found} | ${v.documents.dropped} | ${v.documents.cut} |`),
    '',
  ];
  for (const [s, v] of Object.entries(r.sources).sort((a, b) => a[0].localeCompare(b[0]))) {
    if (v.found === 0) continue;
    lines.push(`## ${s}`, '', '| item | question | documents |', '|---|---|---|');
    for (const f of v.foundItems) {
      const q = f.question.length > 100 ? f.question.slice(0, 100) + '...' : f.question;
      lines.push(`| ${f.id} | ${cell(q)} | ${f.documents.map((d) => `${d.docId.slice(0, 12)} (${d.action}, ${d.source})`).join('; ')} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** Reads the hits of every filter task (all must have finished). */
async function readHits(output: string, worldSize: number): Promise<ContaminationHit[]> {
  const all: ContaminationHit[] = [];
  for (let rank = 0; rank < worldSize; rank++) {
    const file = hitsFile(output, rank);
    try {
      await access(file);
    } catch {
      throw new Error(`${file} is missing: run --phase filter for task ${rank} first`);
    }
    for await (const item of readJsonLines(file)) {
      if ('problem' in item) throw new Error(`${file}:${item.line}: ${item.problem.reason}`);
      all.push(item.value as ContaminationHit);
    }
  }
  return all;
}

async function runReportTask(task: TaskSpec<DedupeConfig>, rt: TaskRuntime): Promise<TaskStats> {
  const startedAt = new Date();
  const config = task.config;
  const extra: Record<string, number> = {};
  if (config.decontaminate.length > 0) {
    const run = await readRunRecord(task.output);
    if (!run) throw new Error(`${task.output}: no run.json`);
    const items = await loadBenchmarks(config.decontaminate);
    const report = buildReport(items, await readHits(task.output, run.worldSize), config);
    const files = reportFiles(task.output);
    await writeFileAtomic(files.json, JSON.stringify(report, null, 2) + '\n');
    await writeFileAtomic(files.markdown, reportMarkdown(report));
    extra.items = items.length;
    extra.itemsFound = Object.values(report.sources).reduce((n, s) => n + s.found, 0);
    extra.documentsDropped = report.documents.dropped;
    extra.documentsCut = report.documents.cut;
    rt.log.info('decontamination report', { file: files.markdown, ...extra });
  }
  return phaseStats(task, PHASE_DECONTAM_REPORT, startedAt, {
    extra,
  });
}

/** Phase 5 (single): the decontamination report over every filter task's hits (nothing without --decontaminate). */
export function decontamReportPhase(): SinglePhase<DedupeConfig> {
  return { kind: 'single', name: PHASE_DECONTAM_REPORT, run: runReportTask };
}

export async function readReport(output: string): Promise<DecontamReport> {
  return JSON.parse(await readFile(reportFiles(output).json, 'utf8')) as DecontamReport;
}
