import type { ConvertConfig } from './config';
import { groupPath, type ShardGroup } from './layout';
import { SHARD_COLUMNS, type ShardColumn } from './schema';
import type { VersionBlock } from './version';

/** Documents, characters (code points) and estimated tokens of a part of the dataset. */
export interface Totals {
  documents: number;
  characters: number;
  tokens: number;
}

/** One shard file of the dataset. */
export interface ManifestShard extends ShardGroup {
  /** Relative to the output folder, forward slashes: `data/en/paper_text/train-00000-of-00002.parquet`. */
  path: string;
  rows: number;
  bytes: number;
  sha256: string;
  characters: number;
  tokens: number;
}

/** Totals of one (language, source, kind) group, and its shard count. */
export interface GroupTotals extends Totals, ShardGroup {
  /** `<lang>/<source>_<kind>`, the folder under `data/`. */
  path: string;
  shards: number;
}

/**
 * What made the dataset and with which settings. No time: the manifest describes the data, so
 * the same input and configuration give the same manifest; when a run started and ended is in
 * the stage's run records (`run.json`, `stats/`).
 */
export interface CreationInfo {
  tool: string;
  writer: string;
  node: string;
  /** Input document files of the convert stage. */
  inputFiles: number;
  /** Write tasks (world size). */
  tasks: number;
  config: Pick<ConvertConfig, 'rowGroupSize' | 'rowGroupMaxBytes' | 'shardMaxBytes' | 'compression' | 'charsPerToken'>;
}

/** One file of the Apollo release format, when it was requested. */
export interface ManifestApolloFile {
  /** Relative to the output folder: `apollo/medicalPaper_en_text.json`. */
  path: string;
  records: number;
  bytes: number;
  sha256: string;
}

/** The whole dataset's totals, and the same per language, per source type and per group. */
export interface ManifestTotals extends Totals {
  shards: number;
  bytes: number;
  byLanguage: Record<string, Totals>;
  bySource: Record<string, Totals>;
  byGroup: GroupTotals[];
}

/** `manifest.json`: every shard with its checksum, the totals, the schema and how it was made. */
export interface Manifest {
  format: 'apollo-shards/1';
  name: string;
  created: CreationInfo;
  /** Present when the dataset is a corpus version built from a base and/or a crawl delta. */
  version?: VersionBlock;
  schema: readonly ShardColumn[];
  totals: ManifestTotals;
  shards: ManifestShard[];
  apollo?: {
    files: ManifestApolloFile[];
    /** Documents the release format cannot hold (text documents of SFT sources), by source. */
    skipped: Record<string, number>;
  };
}

function add(into: Record<string, Totals>, key: string, s: ManifestShard): void {
  const t = (into[key] ??= { documents: 0, characters: 0, tokens: 0 });
  t.documents += s.rows;
  t.characters += s.characters;
  t.tokens += s.tokens;
}

/** Sorts an object's keys so the manifest reads the same however the shards were ordered. */
function sortedKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Builds the manifest from the shards (in dataset order), the creation info and the version block, if any; a pure function. */
export function buildManifest(name: string, created: CreationInfo, shards: ManifestShard[], version?: VersionBlock): Manifest {
  const byLang: Record<string, Totals> = {};
  const bySource: Record<string, Totals> = {};
  const groups = new Map<string, GroupTotals>();
  const sums = { documents: 0, characters: 0, tokens: 0, shards: shards.length, bytes: 0 };
  for (const s of shards) {
    add(byLang, s.lang, s);
    add(bySource, s.source, s);
    const path = groupPath(s);
    const g = groups.get(path) ?? { path, lang: s.lang, source: s.source, kind: s.kind, documents: 0, characters: 0, tokens: 0, shards: 0 };
    g.documents += s.rows;
    g.characters += s.characters;
    g.tokens += s.tokens;
    g.shards++;
    groups.set(path, g);
    sums.documents += s.rows;
    sums.characters += s.characters;
    sums.tokens += s.tokens;
    sums.bytes += s.bytes;
  }
  return {
    format: 'apollo-shards/1',
    name,
    created,
    ...(version ? { version } : {}),
    schema: SHARD_COLUMNS,
    totals: { ...sums, byLanguage: sortedKeys(byLang), bySource: sortedKeys(bySource), byGroup: [...groups.values()] },
    shards,
  };
}
