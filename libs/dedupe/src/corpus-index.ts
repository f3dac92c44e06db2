import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '@apollo/document';
import { ENTRY_BYTES, RANK_OFFSET } from './bucket-entry';
import { memoryBytes, numHashes, shortBands, type DedupeConfig } from './config';
import { mergeRuns } from './external-sort';
import { readDuplicates } from './duplicates-file';
import { DedupeLayout, keySpaces } from './layout';
import { readRunHeader, RunFileReader, RunFileWriter } from './run-file';
import { readRunsManifest } from './runs-manifest';
import { readSignatureHeader, SignatureFileError, verifySignatureFile, type SignatureFileHeader } from './signature-file';
import { openSignatureStore, SignatureStore, type OpenStoreOptions } from './signature-store';

/**
 * A persistent index of published corpus versions, so a nightly delta is deduplicated against
 * everything published before without recomputing it:
 *
 *   <dir>/CURRENT                 name of the current version (replaced atomically)
 *   <dir>/<version>/index.json    manifest: parameters, files with counts and checksums
 *   <dir>/<version>/sig/<i>.sig   signature files, one per index rank (earlier runs' ranks, then this run's)
 *   <dir>/<version>/runs/<space>/<i>-<seq>.run   sorted bucket-entry runs per key space
 *   <dir>/<version>/kept.run      u32 per indexed document: global number of the document kept for it
 *
 * Index documents are numbered rank by rank (global number = first number of the rank +
 * ordinal). In the bucket entries of the index's runs, the rank field carries
 * INDEX_RANK_BIT | index rank, so a merge of index runs with a delta's runs tells them apart,
 * and the set bit keeps each run sorted (it is added to every entry of a run alike). Every
 * document of the published runs is indexed, dropped ones included, so a delta document that
 * is similar only to a dropped copy is still found; `kept.run` then names the document that
 * stands for it. A version is built under a temporary name, renamed into place and only then
 * named by CURRENT, so a reader never sees a half-written index.
 */
export const INDEX_RANK_BIT = 0x80000000;
export const INDEX_FORMAT = 'apollo-dedupe-index/1';
const KEPT_BYTES = 4;
/** Runs per key space above which publishing merges a space's runs into one. */
export const MAX_RUNS_PER_SPACE = 16;

/** A file of the index with what it must hold. */
export interface IndexFile {
  /** Path relative to the version folder. */
  file: string;
  count: number;
  checksum: string;
}

/** `<version>/index.json`. */
export interface IndexManifest {
  format: string;
  version: string;
  publishedAt: string;
  /** Settings the signatures and bucket keys depend on; a delta run must use the same. */
  params: IndexParams;
  /** Documents indexed (dropped ones included). */
  docs: number;
  /** Signature files, one per index rank. */
  ranks: IndexFile[];
  spaces: Record<string, IndexFile[]>;
  kept: IndexFile;
  /** One entry per run that added documents, oldest first. */
  history: { publishedAt: string; docs: number; output: string }[];
}

export interface IndexParams {
  numHashes: number;
  seed: number;
  shingleWords: number;
  shingleChars: number;
  bands: number;
  rows: number;
  /** Short documents: below this length they are shingled by characters and banded in short bands too. */
  shortChars: number;
  shortRows: number;
  sourcePriority: string[];
  normalization: string;
}

/** What the matching normalization is; part of the parameters, so an index made with another one is refused. */
export function normalizationTag(config: DedupeConfig): string {
  return `v3${config.foldChinese ? '+zh-fold' : ''}${config.boilerplateMinDocs > 0 ? `+boilerplate${config.boilerplateMinDocs}` : ''}`;
}

export function indexParams(config: DedupeConfig): IndexParams {
  return {
    numHashes: numHashes(config),
    seed: config.seed,
    shingleWords: config.shingleWords,
    shingleChars: config.shingleChars,
    bands: numHashes(config) > 0 ? config.bands : 0,
    rows: numHashes(config) > 0 ? config.rows : 0,
    shortChars: shortBands(config) > 0 ? config.shortChars : 0,
    shortRows: shortBands(config) > 0 ? config.shortRows : 0,
    sourcePriority: [...config.sourcePriority],
    normalization: normalizationTag(config),
  };
}

/**
 * The version folder an index path names: a folder with CURRENT (its current version), or a
 * version folder itself. Resolving it when the run is configured pins the version in run.json,
 * so publishing a newer version while a delta run is under way cannot change what it matches.
 */
export function resolveIndexVersion(path: string): string {
  const abs = resolve(path);
  const current = join(abs, 'CURRENT');
  if (existsSync(current)) {
    const name = readFileSync(current, 'utf8').trim();
    const dir = join(abs, name);
    if (!existsSync(join(dir, 'index.json'))) throw new Error(`${current} names ${name}, which has no index.json`);
    return dir;
  }
  if (existsSync(join(abs, 'index.json'))) return abs;
  throw new Error(`${path} is not a dedupe index (no CURRENT and no index.json); publish one with --index first`);
}

/** An opened index version. */
export interface LoadedIndex {
  dir: string;
  manifest: IndexManifest;
  store: SignatureStore;
}

/**
 * Opens an index version after checking its parameters against the run's and every file's
 * length; with `verify` the signature files' checksums too (run files are checked as they are
 * merged, the kept map as it is read).
 */
export async function openIndex(dir: string, config: DedupeConfig, verify: boolean): Promise<LoadedIndex> {
  const manifestPath = join(dir, 'index.json');
  let manifest: IndexManifest;
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as IndexManifest;
  } catch (err) {
    throw new Error(`${manifestPath}: cannot read the index manifest: ${(err as Error).message}`);
  }
  if (manifest.format !== INDEX_FORMAT) throw new Error(`${manifestPath}: unknown index format ${JSON.stringify(manifest.format)}`);
  const want = indexParams(config);
  if (JSON.stringify(manifest.params) !== JSON.stringify(want)) {
    throw new Error(`${manifestPath}: the index was made with other settings (${JSON.stringify(manifest.params)}) than this run (${JSON.stringify(want)})`);
  }
  const files: string[] = [];
  const headers: SignatureFileHeader[] = [];
  for (const r of manifest.ranks) {
    const path = join(dir, r.file);
    const header = verify ? await verifySignatureFile(path) : await readSignatureHeader(path);
    if (header.count !== r.count || Buffer.from(header.checksum).toString('hex') !== r.checksum) {
      throw new SignatureFileError(path, `does not match ${manifestPath} (${header.count} records, manifest says ${r.count})`);
    }
    files.push(path);
    headers.push(header);
  }
  return { dir, manifest, store: new SignatureStore(files, headers) };
}

/** The index's run files of one key space, their headers checked against the manifest. */
export function indexRunFiles(index: LoadedIndex, space: string): string[] {
  return (index.manifest.spaces[space] ?? []).map((r) => {
    const path = join(index.dir, r.file);
    const info = readRunHeader(path, ENTRY_BYTES);
    if (info.count !== r.count || info.checksum !== r.checksum) {
      throw new Error(`${path} does not match ${join(index.dir, 'index.json')} (${info.count} records, manifest says ${r.count}); the index is damaged, publish it again`);
    }
    return path;
  });
}

/** The kept map: for every indexed document, the global number of the document kept for it. */
export function readKeptMap(index: LoadedIndex): Uint32Array {
  const path = join(index.dir, index.manifest.kept.file);
  const r = new RunFileReader(path, KEPT_BYTES);
  if (r.info.count !== index.manifest.docs || r.info.checksum !== index.manifest.kept.checksum) {
    r.close();
    throw new Error(`${path} does not match ${join(index.dir, 'index.json')}`);
  }
  const out = new Uint32Array(r.info.count);
  let i = 0;
  try {
    while (r.next()) out[i++] = r.current.readUInt32LE(r.offset);
  } finally {
    r.close();
  }
  return out;
}

/**
 * The signatures of a delta run and of the index it is checked against behind one interface:
 * a rank with INDEX_RANK_BIT set is an index rank. Derived files record the index version in
 * their source digest, so edges made against another version are recomputed.
 */
export class IndexedStore extends SignatureStore {
  constructor(
    delta: SignatureStore,
    readonly index: LoadedIndex,
  ) {
    super(delta.files, delta.headers, delta.images);
  }

  override record(rank: number, ordinal: number): Buffer {
    return rank >= INDEX_RANK_BIT ? this.index.store.record(rank - INDEX_RANK_BIT, ordinal) : super.record(rank, ordinal);
  }

  override sourcesDigest(): string {
    return createHash('sha256').update(super.sourcesDigest()).update(this.index.manifest.version).digest('hex').slice(0, 32);
  }

  override close(): void {
    super.close();
    this.index.store.close();
  }
}

/** Whether a rank read from a bucket entry or edge belongs to the index. */
export function isIndexRank(rank: number): boolean {
  return rank >= INDEX_RANK_BIT;
}

/** Hard link when the file system allows (index versions share unchanged files), else a copy. */
function linkOrCopy(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

/** Copies a run of the delta with its rank field moved into the index's rank space. */
function rewriteRun(from: string, to: string, indexRank: number): IndexFile & { path: string } {
  const r = new RunFileReader(from, ENTRY_BYTES);
  const w = new RunFileWriter(to, ENTRY_BYTES);
  try {
    while (r.next()) {
      r.current.writeUInt32BE((INDEX_RANK_BIT | indexRank) >>> 0, r.offset + RANK_OFFSET);
      w.add(r.current, r.offset);
    }
    const info = w.commit();
    return { path: to, file: '', count: info.count, checksum: info.checksum };
  } catch (err) {
    w.abort();
    r.close();
    throw err;
  }
}

/**
 * Publishes a finished run as a new index version in `indexDir`: the index it was checked
 * against (if any) is carried over by hard links, then the run's signature files, its bucket
 * runs (ranks moved into the index's rank space) and the kept map extended with its decisions.
 * Returns the manifest.
 */
export async function publishIndex(output: string, worldSize: number, config: DedupeConfig, indexDir: string, deltaStore: SignatureStore): Promise<IndexManifest> {
  const layout = new DedupeLayout(output);
  const root = resolve(indexDir);
  mkdirSync(root, { recursive: true });
  const version = `v-${new Date().toISOString().replace(/[-:.]/g, '').replace('T', '-').slice(0, 15)}-${randomBytes(4).toString('hex')}`;
  const tmp = join(root, `.tmp-${version}`);
  rmSync(tmp, { recursive: true, force: true });
  const base = config.against ? await openIndex(config.against, config, false) : undefined;
  const spaces = keySpaces(numHashes(config) > 0 ? config.bands : 0);
  try {
    const ranks: IndexFile[] = [];
    const spaceFiles: Record<string, IndexFile[]> = Object.fromEntries(spaces.map((s) => [s, []]));
    const baseRanks = base?.manifest.ranks.length ?? 0;
    const baseDocs = base?.manifest.docs ?? 0;
    if (base) {
      for (const r of base.manifest.ranks) {
        linkOrCopy(join(base.dir, r.file), join(tmp, r.file));
        ranks.push(r);
      }
      for (const s of spaces) {
        for (const r of base.manifest.spaces[s] ?? []) {
          linkOrCopy(join(base.dir, r.file), join(tmp, r.file));
          spaceFiles[s]!.push(r);
        }
      }
    }
    for (let rank = 0; rank < worldSize; rank++) {
      const indexRank = baseRanks + rank;
      const name = String(indexRank).padStart(5, '0');
      const sigFile = `sig/${name}.sig`;
      linkOrCopy(layout.signatureFile(rank), join(tmp, sigFile));
      const header = deltaStore.headers[rank]!;
      ranks.push({ file: sigFile, count: header.count, checksum: Buffer.from(header.checksum).toString('hex') });
      const manifest = await readRunsManifest(layout, rank);
      for (const s of spaces) {
        for (const [seq, run] of (manifest.spaces[s] ?? []).entries()) {
          const file = `runs/${s}/${name}-${String(seq).padStart(5, '0')}.run`;
          const info = rewriteRun(join(layout.runsDir(s), run.file), join(tmp, file), indexRank);
          spaceFiles[s]!.push({ file, count: info.count, checksum: info.checksum });
        }
      }
    }

    // Many small runs make every later delta open and merge them all: past a limit, a key
    // space's runs are merged into one (the rank fields are already in the index's space, so
    // the merged order is the order a delta merge expects).
    for (const s of spaces) {
      const list = spaceFiles[s]!;
      if (list.length <= MAX_RUNS_PER_SPACE) continue;
      const file = `runs/${s}/c-${version}.run`;
      const w = new RunFileWriter(join(tmp, file), ENTRY_BYTES);
      try {
        mergeRuns(
          list.map((r) => join(tmp, r.file)),
          ENTRY_BYTES,
          { memoryBytes: memoryBytes(config), tmpDir: join(tmp, 'merge-tmp') },
          (buf, off) => w.add(buf, off),
        );
        const info = w.commit();
        for (const r of list) rmSync(join(tmp, r.file), { force: true });
        spaceFiles[s] = [{ file, count: info.count, checksum: info.checksum }];
      } catch (err) {
        w.abort();
        throw err;
      }
    }
    rmSync(join(tmp, 'merge-tmp'), { recursive: true, force: true });

    // The kept map: the base's entries, then one per document of this run.
    const keptPath = join(tmp, 'kept.run');
    const kept = new RunFileWriter(keptPath, KEPT_BYTES);
    const value = Buffer.alloc(KEPT_BYTES);
    try {
      if (base) {
        const r = new RunFileReader(join(base.dir, base.manifest.kept.file), KEPT_BYTES);
        while (r.next()) kept.add(r.current, r.offset);
      }
      const dups = readDuplicates(layout.duplicatesFile())[Symbol.asyncIterator]();
      let next = await dups.next();
      for (let rank = 0; rank < worldSize; rank++) {
        const count = deltaStore.headers[rank]!.count;
        for (let ordinal = 0; ordinal < count; ordinal++) {
          let target = baseDocs + deltaStore.globalIndex(rank, ordinal);
          if (!next.done && next.value.rank === rank && next.value.ordinal === ordinal) {
            const d = next.value;
            target = d.keptInIndex ? base!.store.globalIndex(d.keptRank, d.keptOrdinal) : baseDocs + deltaStore.globalIndex(d.keptRank, d.keptOrdinal);
            next = await dups.next();
          }
          value.writeUInt32LE(target, 0);
          kept.add(value);
        }
      }
      if (!next.done) throw new Error(`${layout.duplicatesFile()} names a document the signature files do not hold (${next.value.rank}, ${next.value.ordinal})`);
    } catch (err) {
      kept.abort();
      throw err;
    }
    const keptInfo = kept.commit();
    const docs = baseDocs + deltaStore.total;
    const manifest: IndexManifest = {
      format: INDEX_FORMAT,
      version,
      publishedAt: new Date().toISOString(),
      params: indexParams(config),
      docs,
      ranks,
      spaces: spaceFiles,
      kept: { file: 'kept.run', count: keptInfo.count, checksum: keptInfo.checksum },
      history: [...(base?.manifest.history ?? []), { publishedAt: new Date().toISOString(), docs: deltaStore.total, output: resolve(output) }],
    };
    await writeFileAtomic(join(tmp, 'index.json'), JSON.stringify(manifest, null, 1) + '\n');
    renameSync(tmp, join(root, version));
    await writeFileAtomic(join(root, 'CURRENT'), version + '\n');
    // Older versions go, except the one this run was checked against (a run under way may
    // still read it; the next publication removes it).
    const keep = new Set([version, base ? basename(base.dir) : '']);
    for (const name of readdirSync(root)) {
      if (name.startsWith('v-') && !keep.has(name)) rmSync(join(root, name), { recursive: true, force: true });
    }
    return manifest;
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  } finally {
    base?.store.close();
  }
}

/**
 * The signatures a run's buckets and cluster phases work on: the run's own, joined with the
 * index's when the run is checked against one.
 */
export async function openRunStore(output: string, worldSize: number, config: DedupeConfig, verify: boolean, options: OpenStoreOptions = {}): Promise<SignatureStore> {
  const delta = await openSignatureStore(output, worldSize, config, verify, options);
  if (!config.against) return delta;
  try {
    return new IndexedStore(delta, await openIndex(config.against, config, verify));
  } catch (err) {
    delta.close();
    throw err;
  }
}
