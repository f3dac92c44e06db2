import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { readRunRecord, StageLayout, type TaskStats } from '@apollo/stage';
import { sha256File } from './finalize';
import { ConvertLayout } from './layout';
import type { Manifest } from './manifest';
import { parquetRowCount } from './read';

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
    if (report.rows !== report.docsOut) problems.push(`shards hold ${report.rows} rows, the write phase kept ${report.docsOut} documents`);
  }
  report.ok = problems.length === 0;
  return report;
}
