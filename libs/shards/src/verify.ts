import { readdir, readFile, stat } from 'node:fs/promises';
import { readJsonLines } from '@apollo/document';
import { join, relative, sep } from 'node:path';
import { readRunRecord, StageLayout, type TaskStats } from '@apollo/stage';
import { sha256File } from './finalize';
import { ConvertLayout } from './layout';
import type { Manifest } from './manifest';
import { parquetRowCount, readParquetRows } from './read';

/** What `verifyShards` found. */
export interface ShardsReport {
  dir: string;
  ok: boolean;
  shards: number;
  rows: number;
  bytes: number;
  /** Documents the write phase says it kept (sum of docsOut over its tasks). */
  docsOut: number;
  problems: string[];
}

async function parquetFilesUnder(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch {
    return [];
  }
  return entries.filter((e) => e.isFile() && e.name.endsWith('.parquet')).map((e) => join(e.parentPath, e.name));
}

/**
 * Checks a convert output folder against its manifest: every listed shard exists with the
 * listed size, sha256 and row count (read from its Parquet footer), no unlisted Parquet file
 * lies under data/, the manifest's totals add up, and the shards hold exactly the documents
 * the write phase kept.
 */
export async function verifyShards(outputDir: string): Promise<ShardsReport> {
  const layout = new ConvertLayout(outputDir);
  const report: ShardsReport = { dir: outputDir, ok: false, shards: 0, rows: 0, bytes: 0, docsOut: 0, problems: [] };
  const problems = report.problems;
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(layout.manifestFile(), 'utf8')) as Manifest;
  } catch (err) {
    problems.push(`${layout.manifestFile()}: cannot read the manifest (${(err as Error).message}); has finalize run?`);
    return report;
  }
  const listed = new Set<string>();
  for (const s of manifest.shards) {
    listed.add(s.path);
    const path = join(outputDir, s.path);
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch {
      problems.push(`${s.path}: listed in the manifest but missing`);
      continue;
    }
    report.shards++;
    report.bytes += size;
    if (size !== s.bytes) problems.push(`${s.path}: ${size} bytes, manifest says ${s.bytes}`);
    const sha256 = await sha256File(path);
    if (sha256 !== s.sha256) problems.push(`${s.path}: sha256 ${sha256} differs from the manifest's ${s.sha256}`);
    try {
      const rows = await parquetRowCount(path);
      if (rows !== s.rows) problems.push(`${s.path}: ${rows} rows in the footer, manifest says ${s.rows}`);
      report.rows += rows;
    } catch (err) {
      problems.push(`${s.path}: ${(err as Error).message}`);
    }
  }
  for (const file of await parquetFilesUnder(layout.dataRoot())) {
    const rel = relative(outputDir, file).split(sep).join('/');
    if (!listed.has(rel)) problems.push(`${rel}: Parquet file not listed in the manifest`);
  }
  const listedRows = manifest.shards.reduce((n, s) => n + s.rows, 0);
  if (manifest.totals.documents !== listedRows) {
    problems.push(`manifest totals say ${manifest.totals.documents} documents, its shards list ${listedRows}`);
  }
  if (manifest.totals.shards !== manifest.shards.length) {
    problems.push(`manifest totals say ${manifest.totals.shards} shards, it lists ${manifest.shards.length}`);
  }
  const run = await readRunRecord(outputDir);
  if (!run) {
    problems.push(`${outputDir}: no run.json`);
  } else {
    const stageLayout = new StageLayout(outputDir);
    for (let rank = 0; rank < run.worldSize; rank++) {
      try {
        const stats = JSON.parse(await readFile(stageLayout.statsFile('write', true, rank), 'utf8')) as TaskStats;
        report.docsOut += stats.docsOut;
      } catch {
        problems.push(`write task ${rank} has no stats; the write phase is not complete`);
      }
    }
    // A version's shards also hold the rows carried from its base; the write phase counts only this run's documents.
    const carried = manifest.version?.carried ?? 0;
    if (report.rows !== report.docsOut + carried) {
      problems.push(`shards hold ${report.rows} rows, the write phase kept ${report.docsOut} documents` + (carried ? ` and ${carried} were carried from the base` : ''));
    }
  }
  if (manifest.version) problems.push(...(await verifyVersion(outputDir, manifest, listedRows)));
  report.ok = problems.length === 0;
  return report;
}

async function readChanges(outputDir: string, rel: string, problems: string[]): Promise<{ id: string; reason: string }[]> {
  const out: { id: string; reason: string }[] = [];
  try {
    for await (const item of readJsonLines(join(outputDir, rel))) {
      if ('problem' in item) problems.push(`${rel}:${item.line}: ${item.problem.detail}`);
      else out.push(item.value as { id: string; reason: string });
    }
  } catch (err) {
    problems.push(`${rel}: cannot read (${(err as Error).message})`);
  }
  return out;
}

/**
 * Checks a version block: base rows = carried + removed, rows = carried + added, the change
 * lists hold as many lines as counted and match their sha256, no removed id is in the shards
 * (unless this version adds it again) and every added id is. Holds the two id lists in memory
 * (a refresh's changes), and streams only the `id` column of the shards.
 */
async function verifyVersion(outputDir: string, manifest: Manifest, rows: number): Promise<string[]> {
  const v = manifest.version!;
  const problems: string[] = [];
  if (v.carried + v.added !== rows) problems.push(`version: carried ${v.carried} + added ${v.added} != ${rows} rows`);
  if (v.base && v.base.documents !== v.carried + v.removed) {
    problems.push(`version: base had ${v.base.documents} rows, but carried ${v.carried} + removed ${v.removed} = ${v.carried + v.removed}`);
  }
  if (!v.base && (v.carried !== 0 || v.removed !== 0)) problems.push('version: no base, yet rows were carried or removed');
  const byReason = Object.values(v.removedByReason).reduce((a, b) => a + (b ?? 0), 0);
  if (byReason !== v.removed) problems.push(`version: removals by reason add up to ${byReason}, not ${v.removed}`);
  for (const [which, sha] of [[v.changes.added, v.changes.addedSha256], [v.changes.removed, v.changes.removedSha256]] as const) {
    try {
      const actual = await sha256File(join(outputDir, which));
      if (actual !== sha) problems.push(`${which}: sha256 ${actual} differs from the manifest's ${sha}`);
    } catch {
      problems.push(`${which}: listed in the version block but missing`);
    }
  }
  const added = await readChanges(outputDir, v.changes.added, problems);
  const removed = await readChanges(outputDir, v.changes.removed, problems);
  if (added.length !== v.added) problems.push(`${v.changes.added}: ${added.length} entries, the version block says ${v.added}`);
  if (removed.length !== v.removed) problems.push(`${v.changes.removed}: ${removed.length} entries, the version block says ${v.removed}`);
  const addedIds = new Set(added.map((e) => e.id));
  const gone = new Set(removed.map((e) => e.id).filter((id) => !addedIds.has(id)));
  const found = new Set<string>();
  for (const s of manifest.shards) {
    try {
      for await (const row of readParquetRows(join(outputDir, s.path), ['id'])) {
        const id = String(row.id);
        if (gone.has(id)) problems.push(`${s.path}: holds ${id}, which ${v.changes.removed} lists as removed`);
        if (addedIds.has(id)) found.add(id);
      }
    } catch {
      // unreadable shards are reported above
    }
  }
  if (found.size !== addedIds.size) problems.push(`version: ${addedIds.size - found.size} added ids are not in the shards`);
  return problems;
}
