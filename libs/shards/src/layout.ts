import { join } from 'node:path';
import type { DocKind, SourceType } from '@apollo/document';
import { StageLayout } from '@apollo/stage';

/** The documents that share a shard folder: one language, one source type, one kind. */
export interface ShardGroup {
  lang: string;
  source: SourceType;
  kind: DocKind;
}

/** `<lang>/<source>_<kind>`: the group's folder under `data/` (and under a task's parts). */
export function groupPath(g: ShardGroup): string {
  return `${g.lang}/${g.source}_${g.kind}`;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Orders groups by language, source, kind (code-unit order, independent of the locale). */
export function compareGroups(a: ShardGroup, b: ShardGroup): number {
  return cmp(a.lang, b.lang) || cmp(a.source, b.source) || cmp(a.kind, b.kind);
}

/** `train-00000-of-00003.parquet`: the naming `datasets` recognizes as one split in several files. */
export function shardFileName(index: number, count: number): string {
  return `train-${String(index).padStart(5, '0')}-of-${String(count).padStart(5, '0')}.parquet`;
}

export const SHARD_NAME_PATTERN = /^train-(\d{5})-of-(\d{5})\.parquet$/;

/**
 * Files of the convert stage's output folder, besides the stage runtime's own (run.json,
 * stats/, completions/, rejects/):
 *
 *   <out>/parts/<rank>/<lang>/<source>_<kind>/part-NNNNN.parquet   a write task's files
 *   <out>/parts/<rank>/index.json                                   what that task wrote
 *   <out>/parts/<rank>.tmp-*                                        a write task in progress
 *   <out>/finalize/plan.json                                        which parts make which shard
 *   <out>/finalize/tmp/                                             a joined shard being written
 *   <out>/data/<lang>/<source>_<kind>/train-NNNNN-of-MMMMM.parquet  the dataset
 *   <out>/manifest.json, <out>/README.md                            manifest and dataset card
 *   <out>/apollo/*.json                                             the Apollo release format (optional)
 *   <out>/parts/base/...                                            rows carried from the base version (versions)
 *   <out>/changes/added.jsonl, removed.jsonl                        what a version added and removed against its base
 */
export class ConvertLayout {
  constructor(readonly root: string) {}

  partsRoot(): string {
    return join(this.root, 'parts');
  }

  partsDir(rank: number): string {
    return join(this.partsRoot(), StageLayout.rankName(rank));
  }

  partsIndex(rank: number): string {
    return join(this.partsDir(rank), 'index.json');
  }

  /** Where finalize writes the rows carried over from the base version (`--base`). */
  carryDir(): string {
    return join(this.partsRoot(), 'base');
  }

  /** `changes/added.jsonl` or `changes/removed.jsonl`, relative to the output folder. */
  changesPath(which: 'added' | 'removed'): string {
    return `changes/${which}.jsonl`;
  }

  planFile(): string {
    return join(this.root, 'finalize', 'plan.json');
  }

  /** Where finalize writes a shard joined from several parts before renaming it into `data/`. */
  joinTmpDir(): string {
    return join(this.root, 'finalize', 'tmp');
  }

  dataRoot(): string {
    return join(this.root, 'data');
  }

  /** Path of a shard relative to the output folder, with forward slashes (manifest, card). */
  shardPath(g: ShardGroup, index: number, count: number): string {
    return `data/${groupPath(g)}/${shardFileName(index, count)}`;
  }

  manifestFile(): string {
    return join(this.root, 'manifest.json');
  }

  cardFile(): string {
    return join(this.root, 'README.md');
  }

  apolloDir(): string {
    return join(this.root, 'apollo');
  }
}
