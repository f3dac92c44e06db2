import { open, type FileHandle } from 'node:fs/promises';
import type * as Hyparquet from 'hyparquet';
import type { AsyncBuffer, FileMetaData } from 'hyparquet';
import type * as HyparquetCompressors from 'hyparquet-compressors';

// Required on first use, not when the bundle loads: every worker thread of the convert stage
// loads the whole bundle, and hyparquet with its codecs (ES modules, 70-100 ms to load) only
// serve reading Parquet back (finalize, verify, versions), never the write tasks.
let hyparquet: typeof Hyparquet | undefined;
let codecs: typeof HyparquetCompressors | undefined;
const hyparquetModule = (): typeof Hyparquet => (hyparquet ??= require('hyparquet') as typeof Hyparquet);
const compressorsModule = (): typeof HyparquetCompressors => (codecs ??= require('hyparquet-compressors') as typeof HyparquetCompressors);

/** A Parquet file opened for hyparquet: reads byte ranges on demand, never the whole file. */
export interface OpenParquet {
  metadata: FileMetaData;
  file: AsyncBuffer;
  close(): Promise<void>;
}

function fileBuffer(handle: FileHandle, size: number): AsyncBuffer {
  return {
    byteLength: size,
    async slice(start: number, end = size): Promise<ArrayBuffer> {
      const buf = new Uint8Array(end - start);
      let off = 0;
      while (off < buf.length) {
        const { bytesRead } = await handle.read(buf, off, buf.length - off, start + off);
        if (bytesRead === 0) throw new Error(`unexpected end of file at byte ${start + off}`);
        off += bytesRead;
      }
      return buf.buffer;
    },
  };
}

export async function openParquet(path: string): Promise<OpenParquet> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const file = fileBuffer(handle, size);
    const metadata = await hyparquetModule().parquetMetadataAsync(file);
    return { metadata, file, close: () => handle.close() };
  } catch (err) {
    await handle.close();
    throw new Error(`${path}: not a readable Parquet file: ${(err as Error).message}`);
  }
}

/** Row count from the file footer. */
export async function parquetRowCount(path: string): Promise<number> {
  const p = await openParquet(path);
  await p.close();
  return Number(p.metadata.num_rows);
}

/**
 * Streams the rows of a Parquet file as objects (int64 columns as bigint, nulls as null or
 * absent), one row group in memory at a time.
 */
export async function* readParquetRows(path: string, columns?: string[]): AsyncGenerator<Record<string, unknown>> {
  const p = await openParquet(path);
  const { parquetReadObjects } = hyparquetModule();
  const { compressors } = compressorsModule();
  try {
    let rowStart = 0;
    for (const group of p.metadata.row_groups) {
      const rowEnd = rowStart + Number(group.num_rows);
      const rows = await parquetReadObjects({
        file: p.file,
        metadata: p.metadata,
        rowStart,
        rowEnd,
        compressors,
        ...(columns ? { columns } : {}),
      });
      yield* rows;
      rowStart = rowEnd;
    }
  } finally {
    await p.close();
  }
}
