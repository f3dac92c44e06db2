// Baseline for the convert stage: the plain parquetjs-lite writer, same schema and settings
// (snappy, 1,000-row groups, v1 pages), one file, no grouping, rotation, manifest or checksums.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParquetWriter } from 'parquetjs-lite';
import { readDocFile } from '@apollo/document';
import { docToRow, shardSchema, toParquetRecord } from '@apollo/shards';
import type { Baseline } from './types';

export const parquetRawBaseline: Baseline = async (docFiles, { maxBytes }) => {
  // Rows are built before the timer starts: the baseline measures the writer alone.
  const records: Record<string, unknown>[] = [];
  let bytes = 0;
  outer: for (const file of docFiles) {
    for await (const item of readDocFile(file)) {
      if (!('doc' in item)) continue;
      const doc = item.doc;
      records.push(toParquetRecord(docToRow({ ...doc, lang: doc.lang ?? doc.langHint ?? 'und' })));
      bytes += Buffer.byteLength(doc.text);
      if (bytes >= maxBytes) break outer;
    }
  }
  const dir = await mkdtemp(join(tmpdir(), 'convert-baseline-'));
  try {
    const started = process.hrtime.bigint();
    const writer = await ParquetWriter.openFile(shardSchema('SNAPPY'), join(dir, 'raw.parquet'), { rowGroupSize: 1000, useDataPageV2: false });
    for (const record of records) await writer.appendRow(record);
    await writer.close();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { name: 'parquetjs-lite raw writer', docs: records.length, bytes, seconds };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};
