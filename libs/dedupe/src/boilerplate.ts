import { createHash } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { readDocFile, writeFileAtomic, type Doc } from '@apollo/document';
import { StageLayout, finishStats, readRunRecord, startStats, type ShardedPhase, type SinglePhase, type TaskRuntime, type TaskSpec, type TaskStats } from '@apollo/stage';
import { memoryBytes, type DedupeConfig } from './config';
import { mergeRuns, SortBuffer } from './external-sort';
import { normalizeForMatching } from './normalize';
import { RunFileReader, RunFileWriter, readRunHeader } from './run-file';

/**
 * Boilerplate lines: a line (compared on its matching form) found in at least
 * `boilerplateMinDocs` documents of one site is navigation, a footer, a disclaimer or a cookie
 * notice, not content. Such lines make unrelated pages of one site look alike, and hide
 * duplicates copied to a site with other boilerplate, so they are left out of the matching form.
 *
 * Counting is an external sort like the bucket runs: the `boilerplate-lines` phase writes one
 * 16-byte record (site hash, line hash; each line counted once per document) per line into
 * sorted runs; the `boilerplate` phase merges them, counts equal records and writes the
 * (site, line) pairs that reach the count to `boilerplate/lines.run`, which is small (one
 * record per boilerplate line) and loaded by the signatures and filter tasks.
 */
export const PHASE_BOILERPLATE_LINES = 'boilerplate-lines';
export const PHASE_BOILERPLATE = 'boilerplate';
export const LINE_RECORD_BYTES = 16;

/** The site of a document: the host of its URL, else its configured source id; undefined: no site, nothing removed. */
export function siteOf(doc: Doc): string | undefined {
  const url = doc.provenance.url;
  if (url) {
    try {
      return `host:${new URL(url).host.toLowerCase()}`;
    } catch {
      // not a URL: fall back to the source id
    }
  }
  return doc.provenance.sourceId ? `source:${doc.provenance.sourceId}` : undefined;
}

function hash8(text: string): Buffer {
  return createHash('sha256').update(text).digest().subarray(0, 8);
}

/** Site hash followed by line hash: the record and the lookup key (as latin1 string). */
function lineRecord(site: Buffer, normalizedLine: string, out: Buffer, offset: number): void {
  site.copy(out, offset);
  hash8(normalizedLine).copy(out, offset + 8);
}

/** Matching forms of a text's distinct non-empty lines, with the line numbers holding them. */
function distinctLines(text: string, foldChinese: boolean): Map<string, number[]> {
  const out = new Map<string, number[]>();
  text.split('\n').forEach((line, i) => {
    const n = normalizeForMatching(line, { foldChinese });
    if (n.length === 0) return;
    const list = out.get(n);
    if (list) list.push(i);
    else out.set(n, [i]);
  });
  return out;
}

/** The boilerplate (site, line) pairs of a run, for lookups. */
export class BoilerplateSet {
  constructor(
    private readonly keys: Set<string>,
    private readonly foldChinese: boolean,
  ) {}

  get size(): number {
    return this.keys.size;
  }

  /** Line numbers of a document's text that are boilerplate of its site. */
  linesOf(doc: Doc): Set<number> {
    const removed = new Set<number>();
    if (this.keys.size === 0) return removed;
    const site = siteOf(doc);
    if (site === undefined) return removed;
    const siteHash = hash8(site);
    const key = Buffer.alloc(LINE_RECORD_BYTES);
    for (const [line, numbers] of distinctLines(doc.text, this.foldChinese)) {
      lineRecord(siteHash, line, key, 0);
      if (this.keys.has(key.toString('latin1'))) for (const i of numbers) removed.add(i);
    }
    return removed;
  }

  /** The text without its boilerplate lines (the text itself when it has none). */
  strip(doc: Doc): { text: string; removed: number } {
    const removed = this.linesOf(doc);
    if (removed.size === 0) return { text: doc.text, removed: 0 };
    const text = doc.text
      .split('\n')
      .filter((_, i) => !removed.has(i))
      .join('\n')
      .replace(/\n{3,}/gu, '\n\n')
      .trim();
    return { text, removed: removed.size };
  }
}

function linesDir(output: string): string {
  return join(output, PHASE_BOILERPLATE, 'runs');
}

function linesManifest(output: string, rank: number): string {
  return join(output, PHASE_BOILERPLATE, `${StageLayout.rankName(rank)}.runs.json`);
}

/** `boilerplate/lines.run`: the (site, line) pairs found in enough documents, sorted. */
export function boilerplateFile(output: string): string {
  return join(output, PHASE_BOILERPLATE, 'lines.run');
}

/** Loads the run's boilerplate set (empty when the setting is off). */
export async function loadBoilerplate(output: string, config: DedupeConfig): Promise<BoilerplateSet> {
  const keys = new Set<string>();
  if (config.boilerplateMinDocs > 0) {
    const path = boilerplateFile(output);
    if (!existsSync(path)) throw new Error(`${path} is missing: run --phase boilerplate-lines (every rank), then --phase boilerplate, before the signatures phase`);
    const r = new RunFileReader(path, LINE_RECORD_BYTES);
    try {
      while (r.next()) keys.add(r.current.toString('latin1', r.offset, r.offset + LINE_RECORD_BYTES));
    } finally {
      r.close();
    }
  }
  return new BoilerplateSet(keys, config.foldChinese);
}

/** Phase task: sorted runs of (site, line) records of the task's documents. */
async function runLinesTask(task: TaskSpec<DedupeConfig>, rt: TaskRuntime): Promise<TaskStats> {
  const startedAt = new Date();
  const stats = startStats(task, PHASE_BOILERPLATE_LINES, startedAt, { extra: {} });
  const config = task.config;
  if (config.boilerplateMinDocs === 0) return finishStats(stats);
  const prefix = `${StageLayout.rankName(task.rank)}-`;
  const dir = linesDir(task.output);
  if (existsSync(dir)) for (const n of readdirSync(dir)) if (n.startsWith(prefix)) rmSync(join(dir, n), { force: true });
  const buffer = new SortBuffer(LINE_RECORD_BYTES, memoryBytes(config));
  const runs: { file: string; count: number; checksum: string }[] = [];
  const spill = () => {
    const path = join(dir, `${prefix}${String(runs.length).padStart(5, '0')}.run`);
    const info = buffer.spill(path);
    runs.push({ file: basename(path), count: info.count, checksum: info.checksum });
  };
  for (const file of task.files) {
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a regular file');
      for await (const item of readDocFile(file)) {
        stats.docsIn++;
        stats.bytesIn += item.bytes;
        rt.progress(1, item.bytes);
        if ('problem' in item) continue;
        const site = siteOf(item.doc);
        if (site === undefined) continue;
        const siteHash = hash8(site);
        for (const line of distinctLines(item.doc.text, config.foldChinese).keys()) {
          if (buffer.full) spill();
          const slot = buffer.slot();
          lineRecord(siteHash, line, slot.buf, slot.offset);
        }
      }
    } catch (err) {
      stats.fileErrors.push({ file, reason: (err as Error).message });
    }
  }
  if (stats.fileErrors.length === 0) {
    if (buffer.count > 0) spill();
    await writeFileAtomic(linesManifest(task.output, task.rank), JSON.stringify({ rank: task.rank, runs }, null, 1) + '\n');
  }
  stats.extra = { runs: runs.length };
  return finishStats(stats);
}

/** Phase task: merges every rank's line runs and keeps the pairs found in enough documents. */
async function runBoilerplateTask(task: TaskSpec<DedupeConfig>, rt: TaskRuntime): Promise<TaskStats> {
  const startedAt = new Date();
  const stats = startStats(task, PHASE_BOILERPLATE, startedAt, { extra: {} });
  const config = task.config;
  if (config.boilerplateMinDocs === 0) return finishStats(stats);
  const run = await readRunRecord(task.output);
  if (!run) throw new Error(`${task.output}: no run.json`);
  const files: string[] = [];
  for (let rank = 0; rank < run.worldSize; rank++) {
    const path = linesManifest(task.output, rank);
    let manifest: { runs: { file: string; count: number; checksum: string }[] };
    try {
      manifest = JSON.parse(await readFile(path, 'utf8')) as typeof manifest;
    } catch {
      throw new Error(`${path} is missing: run --phase boilerplate-lines for task ${rank} first`);
    }
    for (const r of manifest.runs) {
      const file = join(linesDir(task.output), r.file);
      const info = readRunHeader(file, LINE_RECORD_BYTES);
      if (info.count !== r.count || info.checksum !== r.checksum) throw new Error(`${file} does not match ${path}; rerun boilerplate-lines task ${rank}`);
      files.push(file);
    }
  }
  const out = new RunFileWriter(boilerplateFile(task.output), LINE_RECORD_BYTES);
  const prev = Buffer.alloc(LINE_RECORD_BYTES);
  let count = 0;
  let lines = 0;
  const close = () => {
    if (count >= config.boilerplateMinDocs) {
      out.add(prev);
      lines++;
    }
  };
  try {
    const tmpDir = join(task.output, PHASE_BOILERPLATE, 'tmp');
    mergeRuns(files, LINE_RECORD_BYTES, { memoryBytes: memoryBytes(config), tmpDir }, (buf, off) => {
      if (count > 0 && buf.compare(prev, 0, LINE_RECORD_BYTES, off, off + LINE_RECORD_BYTES) === 0) {
        count++;
        return;
      }
      if (count > 0) close();
      buf.copy(prev, 0, off, off + LINE_RECORD_BYTES);
      count = 1;
    });
    if (count > 0) close();
    rmSync(tmpDir, { recursive: true, force: true });
    out.commit();
  } catch (err) {
    out.abort();
    throw err;
  }
  rt.log.info('boilerplate lines', { lines, minDocs: config.boilerplateMinDocs });
  stats.extra = { boilerplateLines: lines };
  return finishStats(stats);
}

/** Phase 1 (sharded): (site, line) records in sorted runs; nothing when boilerplateMinDocs is 0. */
export function boilerplateLinesPhase(): ShardedPhase<DedupeConfig> {
  return { kind: 'sharded', name: PHASE_BOILERPLATE_LINES, docPhase: false, run: runLinesTask };
}

/** Phase 2 (single): the boilerplate set; nothing when boilerplateMinDocs is 0. */
export function boilerplatePhase(): SinglePhase<DedupeConfig> {
  return { kind: 'single', name: PHASE_BOILERPLATE, run: runBoilerplateTask };
}
