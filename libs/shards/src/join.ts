import { open } from 'node:fs/promises';
import { CopyBuffers, ParquetFileWriter, PARQUET_HEADER_BYTES, type ClosedParquetFile } from './parquet/file-writer';
import { startsNewFile, type FileMetadata, type ShardRowGroup } from './shard-writer';

/** A run of consecutive row groups of one part: `rowGroups` is [first, end) by position in the part. */
export interface PartPiece {
  /** Part file, relative to the output folder. */
  from: string;
  rowGroups: [first: number, end: number];
}

/** One shard of a group as cut from its parts' row groups. */
export interface CutShard {
  pieces: PartPiece[];
  rows: number;
  characters: number;
  tokens: number;
}

/**
 * Cuts a group into shards: its parts' row groups, in the order given, go into one shard after
 * another, and a shard is closed before the row group that would take it past the cap (the
 * `ShardWriter`'s rule, `startsNewFile`). Parts that one task wrote in a row therefore come
 * back as they are, while the last part of one task and the first of the next share a shard
 * when they fit, so the number of shards does not follow the number of tasks.
 */
export function cutGroup(parts: readonly { from: string; rowGroups: readonly ShardRowGroup[] }[], shardMaxBytes: number): CutShard[] {
  const shards: CutShard[] = [];
  let current: CutShard | undefined;
  let bytes = 0;
  let groups = 0;
  for (const part of parts) {
    part.rowGroups.forEach((g, i) => {
      if (current && startsNewFile(bytes, groups, g.bytes, shardMaxBytes)) current = undefined;
      if (!current) {
        current = { pieces: [], rows: 0, characters: 0, tokens: 0 };
        shards.push(current);
        bytes = PARQUET_HEADER_BYTES;
        groups = 0;
      }
      const last = current.pieces[current.pieces.length - 1];
      if (last && last.from === part.from && last.rowGroups[1] === i) last.rowGroups[1] = i + 1;
      else current.pieces.push({ from: part.from, rowGroups: [i, i + 1] });
      current.rows += g.rows;
      current.characters += g.chars;
      current.tokens += g.tokens;
      bytes += g.bytes;
      groups++;
    });
  }
  return shards;
}

/** Where a piece's row groups are read from: the part file's path and its row groups as indexed. */
export interface PieceSource {
  path: string;
  /** Size of the part file as written (checked before copying). */
  bytes: number;
  rowGroups: readonly ShardRowGroup[];
}

/**
 * Writes one Parquet file from row groups of other files of the shard schema: their bytes are
 * copied as they are (no decoding), their footer entries moved to the new offsets, and the
 * sha256 computed on the way. A piece covering a whole part gives that part's bytes exactly.
 */
export async function joinPieces(
  path: string,
  pieces: readonly { source: PieceSource; rowGroups: [number, number] }[],
  metadata: FileMetadata,
  buffers: CopyBuffers = new CopyBuffers(),
): Promise<ClosedParquetFile> {
  const writer = await ParquetFileWriter.open(path);
  try {
    for (const { source, rowGroups } of pieces) {
      const handle = await open(source.path, 'r');
      try {
        const { size } = await handle.stat();
        if (size !== source.bytes) throw new Error(`${source.path}: ${size} bytes, its write task wrote ${source.bytes}`);
        await writer.copyRowGroups(handle, source.rowGroups.slice(rowGroups[0], rowGroups[1]), buffers);
      } finally {
        await handle.close();
      }
    }
  } catch (err) {
    await writer.abort();
    throw err;
  }
  return writer.close(metadata);
}
