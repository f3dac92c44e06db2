// Baselines for the convert stage, one file, no grouping, rotation, manifest or checksums, on
// rows built before the timer starts: the plain parquetjs-lite writer (the stage's writer until
// docs/decisions/0003), and the stage's own ShardWriter, same schema and settings (snappy,
// 1,000-row groups, v1 pages).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParquetSchema, ParquetWriter, type ParquetFieldDefinition } from 'parquetjs-lite';
import { readDocFile } from '@apollo/document';
import { docToRow, SHARD_COLUMNS, ShardWriter, type ShardColumn, type ShardRow } from '@apollo/shards';
import type { Baseline } from './types';

/** The shard schema as parquetjs-lite declares it (what the stage wrote with it). */
function parquetjsField(column: ShardColumn): ParquetFieldDefinition {
  const statistics = column.type === 'int64' || column.type === 'float64';
  if (column.type === 'list<string>') {
    return { type: 'LIST', optional: column.nullable, fields: { list: { repeated: true, fields: { element: { type: 'UTF8', compression: 'SNAPPY', statistics: false } } } } };
  }
  const type = column.type === 'string' ? 'UTF8' : column.type === 'int64' ? 'INT64' : 'DOUBLE';
  return { type, optional: column.nullable, compression: 'SNAPPY', statistics };
}

function parquetjsSchema(): ParquetSchema {
  return new ParquetSchema(Object.fromEntries(SHARD_COLUMNS.map((c) => [c.name, parquetjsField(c)])));
}

/** parquetjs-lite's input shape: the LIST column nests its elements. */
function parquetjsRecord(row: ShardRow): Record<string, unknown> {
  if (row.turns === undefined) return row as unknown as Record<string, unknown>;
  return { ...row, turns: { list: row.turns.map((element) => ({ element })) } };
}

async function loadRows(docFiles: string[], maxBytes: number): Promise<{ rows: ShardRow[]; bytes: number }> {
  const rows: ShardRow[] = [];
  let bytes = 0;
  for (const file of docFiles) {
    for await (const item of readDocFile(file)) {
      if (!('doc' in item)) continue;
      const doc = item.doc;
      rows.push(docToRow({ ...doc, lang: doc.lang ?? doc.langHint ?? 'und' }));
      bytes += Buffer.byteLength(doc.text);
      if (bytes >= maxBytes) return { rows, bytes };
    }
  }
  return { rows, bytes };
}

async function timed(write: (dir: string) => Promise<void>): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'convert-baseline-'));
  try {
    const started = process.hrtime.bigint();
    await write(dir);
    return Number(process.hrtime.bigint() - started) / 1e9;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const parquetRawBaseline: Baseline = async (docFiles, { maxBytes }) => {
  const { rows, bytes } = await loadRows(docFiles, maxBytes);
  const records = rows.map(parquetjsRecord);
  const seconds = await timed(async (dir) => {
    const writer = await ParquetWriter.openFile(parquetjsSchema(), join(dir, 'raw.parquet'), { rowGroupSize: 1000, useDataPageV2: false });
    for (const record of records) await writer.appendRow(record);
    await writer.close();
  });
  return { name: 'parquetjs-lite raw writer', docs: rows.length, bytes, seconds };
};

export const shardWriterBaseline: Baseline = async (docFiles, { maxBytes }) => {
  const { rows, bytes } = await loadRows(docFiles, maxBytes);
  const seconds = await timed(async (dir) => {
    const writer = new ShardWriter(dir, 'SNAPPY', { rowGroupSize: 1000, rowGroupMaxBytes: 64 << 20, shardMaxBytes: 2 ** 40 });
    for (const row of rows) await writer.write(row);
    await writer.close();
  });
  return { name: 'ShardWriter (stage writer)', docs: rows.length, bytes, seconds };
};
