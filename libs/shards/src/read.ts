import { open, type FileHandle } from 'node:fs/promises';
import { parquetMetadataAsync, parquetReadObjects, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

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
    const metadata = await parquetMetadataAsync(file);
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
