import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { writeFileAtomic, type Doc } from '@apollo/document';
import type { DocSink, TaskSpec } from '@apollo/stage';
import type { ConvertConfig } from './config';
import { ConvertLayout, groupPath, type ShardGroup } from './layout';
import { docTextBytes } from './doc-line';
import { docToRow } from './row';
import { ShardWriter, type FileMetadata, type ShardRowGroup, type WrittenFile } from './shard-writer';

/** One file of a write task, as listed in `parts/<rank>/index.json`. */
export interface PartEntry {
  group: ShardGroup;
  /** Path relative to the task's parts folder. */
  file: string;
  rows: number;
  bytes: number;
  chars: number;
  tokens: number;
  /** sha256 of the file, computed while writing (absent in indexes of earlier versions). */
  sha256?: string;
  /**
   * The file's row groups (footer entries, offsets, character and token sums), so finalize can
   * join several tasks' files of a group without reading their footers. Absent in indexes of
   * earlier versions: such parts are never joined.
   */
  rowGroups?: ShardRowGroup[];
}

/** The index entry of a file a group's writer wrote into folder `key`. */
export function partEntry(group: ShardGroup, key: string, f: WrittenFile): PartEntry {
  return { group, file: `${key}/${f.name}`, rows: f.rows, bytes: f.bytes, chars: f.chars, tokens: f.tokens, sha256: f.sha256, rowGroups: f.rowGroups };
}

/**
 * Key-value metadata of every file of a group: write tasks, carried rows and joined shards
 * alike. Only what the rows are, never when they were written: the same rows give the same file.
 */
export function groupMetadata(group: ShardGroup): FileMetadata {
  return { 'apollo.lang': group.lang, 'apollo.source': group.source, 'apollo.kind': group.kind };
}

/** The ShardWriter of one group of a task (or of the rows carried from a base version). */
export function groupWriter(dir: string, group: ShardGroup, config: ConvertConfig): ShardWriter {
  const c = config;
  return new ShardWriter(
    join(dir, groupPath(group)),
    c.compression,
    { rowGroupSize: c.rowGroupSize, rowGroupMaxBytes: c.rowGroupMaxBytes, shardMaxBytes: c.shardMaxBytes },
    groupMetadata(group),
  );
}

/** `parts/<rank>/index.json`: everything a write task produced, in the order it produced it. */
export interface PartsIndex {
  rank: number;
  rows: number;
  parts: PartEntry[];
}

/**
 * `index.json` text: one part per line. Row-group entries make a part's line long (about
 * 1.5 KB per row group), and indenting them would triple that for no reader.
 */
export function partsIndexJson(index: PartsIndex): string {
  const parts = index.parts.map((p) => '  ' + JSON.stringify(p)).join(',\n');
  return `{"rank":${index.rank},"rows":${index.rows},"parts":[${parts ? `\n${parts}\n` : ''}]}\n`;
}

/** Removes what an earlier, unfinished attempt of this task left: committed or temporary parts. */
async function clearTaskParts(layout: ConvertLayout, rank: number): Promise<void> {
  const dir = layout.partsDir(rank);
  const prefix = basename(dir) + '.tmp-';
  let names: string[] = [];
  try {
    names = await readdir(layout.partsRoot());
  } catch {
    // no parts folder yet
  }
  await Promise.all([
    rm(dir, { recursive: true, force: true }),
    ...names.filter((n) => n.startsWith(prefix)).map((n) => rm(join(layout.partsRoot(), n), { recursive: true, force: true })),
  ]);
}

/**
 * The convert stage's document sink: Parquet files per (language, source, kind), written into
 * a temporary folder that becomes `parts/<rank>` on commit, so a task's parts appear all at
 * once or not at all. No JSONL copy of the corpus is written.
 */
export class ParquetDocSink implements DocSink {
  readonly name = 'parquet';
  private readonly writers = new Map<string, { group: ShardGroup; writer: ShardWriter }>();
  private readonly tmpDir: string;
  private rows = 0;

  private constructor(
    private readonly layout: ConvertLayout,
    private readonly rank: number,
    private readonly config: ConvertConfig,
  ) {
    this.tmpDir = `${layout.partsDir(rank)}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  }

  /** Opens the sink of one write task, discarding anything an interrupted attempt left behind. */
  static async open(task: TaskSpec<ConvertConfig>): Promise<ParquetDocSink> {
    const layout = new ConvertLayout(task.output);
    await clearTaskParts(layout, task.rank);
    const sink = new ParquetDocSink(layout, task.rank, task.config);
    await mkdir(sink.tmpDir, { recursive: true });
    return sink;
  }

  async write(doc: Doc): Promise<void> {
    const group: ShardGroup = { lang: doc.lang!, source: doc.source, kind: doc.kind };
    const key = groupPath(group);
    let entry = this.writers.get(key);
    if (!entry) {
      entry = { group, writer: groupWriter(this.tmpDir, group, this.config) };
      this.writers.set(key, entry);
    }
    // The reader's UTF-8 bytes of the text and its character count, when it still holds them,
    // save encoding and counting the text again.
    const text = docTextBytes(doc);
    await entry.writer.write(docToRow(doc, this.config.charsPerToken, text?.codePoints), text?.utf8);
    this.rows++;
  }

  async commit(): Promise<number> {
    const index: PartsIndex = { rank: this.rank, rows: this.rows, parts: [] };
    let bytes = 0;
    for (const [key, { group, writer }] of this.writers) {
      for (const f of await writer.close()) {
        index.parts.push(partEntry(group, key, f));
        bytes += f.bytes;
      }
    }
    await writeFileAtomic(join(this.tmpDir, 'index.json'), partsIndexJson(index));
    await rename(this.tmpDir, this.layout.partsDir(this.rank));
    return bytes;
  }

  async abort(): Promise<void> {
    await Promise.all([...this.writers.values()].map(({ writer }) => writer.abort()));
    await rm(this.tmpDir, { recursive: true, force: true });
  }
}
