import { existsSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@apollo/document';
import { readRunRecord, type Logger, type ShardedPhase, type TaskRuntime, type TaskSpec, type TaskStats, phaseStats } from '@apollo/stage';
import { EDGE_BYTES, ENTRY_BYTES, entryContentLength, entryOrdinal, entryRank, EXACT_OFFSET, MATCH_WORDS, readMatchWords, sameWords, writeEdge } from './bucket-entry';
import { memoryBytes, numHashes, pairThreshold, type DedupeConfig } from './config';
import { mergeRuns } from './external-sort';
import { DedupeLayout, EXACT_SPACE, keySpaces, PHASE_BUCKETS, spacesForRank } from './layout';
import { DEFAULT_PAIR_LIMITS, type PairLimits } from './lsh';
import { estimateJaccard } from './minhash';
import { RunFileError, RunFileWriter, readRunHeader } from './run-file';
import { readRunsManifest } from './runs-manifest';
import type { SignatureStore } from './signature-store';
import { IndexedStore, indexRunFiles, isIndexRank, openRunStore } from './corpus-index';

/** First match word of the exact hash. */
const EXACT_WORD = EXACT_OFFSET / 4;

/**
 * `buckets/<space>.json`: what one key space's edges were made from, and its figures. Written
 * after the edges file, so its presence is the space's completion marker; `sources` ties it to
 * the signature files it was computed from, so edges made from an older signatures run are
 * recomputed instead of reused.
 */
export interface SpaceMeta {
  space: string;
  /** `SignatureStore.sourcesDigest()` of the signature files used. */
  sources: string;
  /** Entries merged (documents in this space). */
  entries: number;
  /** Runs merged, and merge passes needed within the memory setting. */
  runs: number;
  mergePasses: number;
  edges: number;
  edgesChecksum: string;
  /** Band spaces: buckets of two or more representatives. Exact space: groups of two or more copies. */
  buckets: number;
  /** Pairs of bucket members compared (each pair once per band it collides in). */
  candidatePairs: number;
  verifiedPairs: number;
  rejectedPairs: number;
  /** Buckets too large for all pairs (compared through a window). */
  largeBuckets: number;
  /** Exact space: documents that are copies of another (edges to their representative). */
  copies: number;
}

/** Settings of a space task. */
export interface SpaceContext {
  output: string;
  config: DedupeConfig;
  store: SignatureStore;
  worldSize: number;
  log: Logger;
  pairLimits?: PairLimits;
}

/** A bucket member: its document and its signature (loaded on first comparison). */
interface Member {
  rank: number;
  ordinal: number;
  /** Length of the matching form (it decides the pair's threshold). */
  length: number;
  signature?: Uint32Array;
}

/**
 * Candidate pairs of one bucket, streamed: members arrive in bucket order; buckets up to
 * `fullPairsUpTo` members compare all pairs, larger ones compare each member with the `window`
 * members before it (the same pairs as `forEachCandidatePair`), holding at most
 * max(fullPairsUpTo + 1, window) members in memory.
 */
class BucketPairs {
  private members: Member[] = [];
  private windowed = false;
  large = 0;

  constructor(
    private readonly limits: PairLimits,
    private readonly pair: (x: Member, y: Member) => void,
  ) {}

  add(m: Member): void {
    const { fullPairsUpTo, window } = this.limits;
    if (this.windowed) {
      for (const x of this.members) this.pair(x, m);
      this.members.push(m);
      if (this.members.length > window) this.members.shift();
      return;
    }
    this.members.push(m);
    if (this.members.length > fullPairsUpTo) {
      this.windowed = true;
      this.large++;
      const ms = this.members;
      for (let j = 1; j < ms.length; j++) for (let i = Math.max(0, j - window); i < j; i++) this.pair(ms[i]!, ms[j]!);
      this.members = ms.slice(Math.max(0, ms.length - window));
    }
  }

  /** Ends the bucket; returns whether it had two or more members. */
  end(): boolean {
    const ms = this.members;
    const had = this.windowed || ms.length >= 2;
    if (!this.windowed) for (let j = 1; j < ms.length; j++) for (let i = 0; i < j; i++) this.pair(ms[i]!, ms[j]!);
    this.members = [];
    this.windowed = false;
    return had;
  }
}

/** The run files of one space from every rank's manifest, checked against their headers. */
export async function spaceRunFiles(layout: DedupeLayout, space: string, store: SignatureStore): Promise<string[]> {
  const files: string[] = [];
  for (let rank = 0; rank < store.headers.length; rank++) {
    const manifest = await readRunsManifest(layout, rank);
    const sigChecksum = Buffer.from(store.headers[rank]!.checksum).toString('hex');
    if (manifest.signatureChecksum !== sigChecksum) {
      throw new Error(`${layout.runsManifest(rank)} belongs to another signature file than ${store.files[rank]}; rerun signatures task ${rank}`);
    }
    for (const run of manifest.spaces[space] ?? []) {
      const path = join(layout.runsDir(space), run.file);
      const info = readRunHeader(path, ENTRY_BYTES);
      if (info.count !== run.count || info.checksum !== run.checksum) {
        throw new RunFileError(path, `does not match ${layout.runsManifest(rank)} (${info.count} records, manifest says ${run.count}); rerun signatures task ${rank}`);
      }
      files.push(path);
    }
  }
  if (store instanceof IndexedStore) files.push(...indexRunFiles(store.index, space));
  return files;
}

/**
 * Merges one key space's runs and writes its edges. A band space gives verified near pairs:
 * in each bucket, copies of one text collapse to the representative the keep policy prefers
 * (they are contiguous and it comes first), and each candidate pair of representatives is
 * joined when its estimated Jaccard similarity reaches the threshold. The exact space gives an
 * edge from every copy to its group's representative.
 */
export async function runSpace(space: string, ctx: SpaceContext): Promise<SpaceMeta> {
  const layout = new DedupeLayout(ctx.output);
  const files = await spaceRunFiles(layout, space, ctx.store);
  const tmpDir = layout.mergeTmpDir(space);
  rmSync(tmpDir, { recursive: true, force: true });
  const edges = new RunFileWriter(layout.edgesFile(space), EDGE_BYTES);
  const edge = Buffer.alloc(EDGE_BYTES);
  const meta: SpaceMeta = {
    space,
    sources: ctx.store.sourcesDigest(),
    entries: 0,
    runs: files.length,
    mergePasses: 0,
    edges: 0,
    edgesChecksum: '',
    buckets: 0,
    candidatePairs: 0,
    verifiedPairs: 0,
    rejectedPairs: 0,
    largeBuckets: 0,
    copies: 0,
  };
  // The previous entry's match words, and the current one's (swapped after each entry).
  let prev = new Uint32Array(MATCH_WORDS);
  let cur = new Uint32Array(MATCH_WORDS);
  let havePrev = false;
  const against = ctx.store instanceof IndexedStore;
  try {
    if (space === EXACT_SPACE) {
      // Groups of equal exact hash; the first of a group is its representative.
      let repRank = 0;
      let repOrdinal = 0;
      let groupCounted = false;
      const res = mergeRuns(files, ENTRY_BYTES, { memoryBytes: memoryBytes(ctx.config), tmpDir }, (buf, off) => {
        meta.entries++;
        readMatchWords(buf, off, cur);
        const rank = entryRank(buf, off);
        const ordinal = entryOrdinal(buf, off);
        if (havePrev && sameWords(cur, prev, EXACT_WORD, MATCH_WORDS)) {
          // Against an index, copies among indexed documents were joined when they were published.
          if (!(against && isIndexRank(rank) && isIndexRank(repRank))) {
            writeEdge(edge, rank, ordinal, repRank, repOrdinal);
            edges.add(edge);
            meta.copies++;
            // Against an index, only groups that involve the delta count.
            if (!groupCounted) {
              meta.buckets++;
              groupCounted = true;
            }
          }
        } else {
          repRank = rank;
          repOrdinal = ordinal;
          groupCounted = false;
        }
        const was = prev;
        prev = cur;
        cur = was;
        havePrev = true;
      });
      meta.mergePasses = res.passes;
    } else {
      const store = ctx.store;
      const pairs = new BucketPairs(ctx.pairLimits ?? DEFAULT_PAIR_LIMITS, (x, y) => {
        const threshold = pairThreshold(ctx.config, x.length, y.length);
        // Pairs of indexed documents were compared when they were published.
        if (against && isIndexRank(x.rank) && isIndexRank(y.rank)) return;
        meta.candidatePairs++;
        x.signature ??= store.signature(x.rank, x.ordinal);
        y.signature ??= store.signature(y.rank, y.ordinal);
        if (estimateJaccard(x.signature, y.signature) >= threshold) {
          meta.verifiedPairs++;
          writeEdge(edge, x.rank, x.ordinal, y.rank, y.ordinal);
          edges.add(edge);
        } else {
          meta.rejectedPairs++;
        }
      });
      const res = mergeRuns(files, ENTRY_BYTES, { memoryBytes: memoryBytes(ctx.config), tmpDir }, (buf, off) => {
        meta.entries++;
        readMatchWords(buf, off, cur);
        const sameBucket = havePrev && sameWords(cur, prev, 0, EXACT_WORD);
        if (!sameBucket && havePrev && pairs.end()) meta.buckets++;
        // A copy of the previous member's text: its representative stands for it.
        if (!(sameBucket && sameWords(cur, prev, EXACT_WORD, MATCH_WORDS))) {
          const rank = entryRank(buf, off);
          const ordinal = entryOrdinal(buf, off);
          pairs.add({ rank, ordinal, length: entryContentLength(buf, off) });
        }
        const was = prev;
        prev = cur;
        cur = was;
        havePrev = true;
      });
      if (havePrev && pairs.end()) meta.buckets++;
      meta.largeBuckets = pairs.large;
      meta.mergePasses = res.passes;
    }
    const info = edges.commit();
    meta.edges = info.count;
    meta.edgesChecksum = info.checksum;
  } catch (err) {
    edges.abort();
    throw err;
  } finally {
    rmSync(tmpDir, { recursive: true, force: true });
  }
  await writeFileAtomic(layout.spaceMeta(space), JSON.stringify(meta, null, 2) + '\n');
  return meta;
}

/**
 * The finished result of a space, or undefined when it must be (re)computed: no meta file,
 * made from other signature files, or an edges file that does not match its meta.
 */
export async function finishedSpace(layout: DedupeLayout, space: string, sources: string): Promise<SpaceMeta | undefined> {
  const metaPath = layout.spaceMeta(space);
  if (!existsSync(metaPath)) return undefined;
  let meta: SpaceMeta;
  try {
    meta = JSON.parse(await readFile(metaPath, 'utf8')) as SpaceMeta;
  } catch {
    return undefined;
  }
  if (meta.sources !== sources) return undefined;
  try {
    const info = readRunHeader(layout.edgesFile(space), EDGE_BYTES);
    if (info.count !== meta.edges || info.checksum !== meta.edgesChecksum) return undefined;
  } catch {
    return undefined;
  }
  return meta;
}

/** Runs the given spaces that are not finished yet; returns every space's meta. */
export async function ensureSpaces(spaces: string[], ctx: SpaceContext, progress?: (entries: number) => void): Promise<{ metas: SpaceMeta[]; ran: number }> {
  const layout = new DedupeLayout(ctx.output);
  const sources = ctx.store.sourcesDigest();
  const metas: SpaceMeta[] = [];
  let ran = 0;
  for (const space of spaces) {
    let meta = await finishedSpace(layout, space, sources);
    if (!meta) {
      meta = await runSpace(space, ctx);
      ran++;
    }
    progress?.(meta.entries);
    metas.push(meta);
  }
  return { metas, ran };
}

/** Sums the figures of several spaces. */
export function sumSpaceFigures(metas: SpaceMeta[]): Record<string, number> {
  const out: Record<string, number> = { spaces: metas.length, entries: 0, edges: 0, buckets: 0, candidatePairs: 0, verifiedPairs: 0, rejectedPairs: 0, largeBuckets: 0, copies: 0 };
  for (const m of metas) {
    for (const k of ['entries', 'edges', 'buckets', 'candidatePairs', 'verifiedPairs', 'rejectedPairs', 'largeBuckets', 'copies'] as const) out[k]! += m[k];
  }
  return out;
}

/** Phase 2 task: the key spaces of this rank (space index mod world size == rank). */
export async function runBucketsTask(task: TaskSpec<DedupeConfig>, rt: TaskRuntime): Promise<TaskStats> {
  const startedAt = new Date();
  const run = await readRunRecord(task.output);
  if (!run) throw new Error(`${task.output}: no run.json; the buckets phase needs the signatures phase's output folder`);
  const config = task.config;
  const spaces = spacesForRank(keySpaces(numHashes(config) > 0 ? config.bands : 0), task.rank, task.worldSize);
  let figures: Record<string, number> = {};
  if (spaces.length > 0) {
    const store = await openRunStore(task.output, run.worldSize, config, true, { hold: true });
    try {
      const { metas, ran } = await ensureSpaces(spaces, { output: task.output, config, store, worldSize: run.worldSize, log: rt.log }, (n) => rt.progress(n, 0));
      figures = { ...sumSpaceFigures(metas), spacesRun: ran };
    } finally {
      store.close();
    }
  }
  return phaseStats(task, PHASE_BUCKETS, startedAt, {
    extra: figures,
  });
}

/** Phase 2 (sharded by key space): merge sorted runs into verified edges, per band and for exact hashes. */
export function bucketsPhase(): ShardedPhase<DedupeConfig> {
  return { kind: 'sharded', name: PHASE_BUCKETS, docPhase: false, run: runBucketsTask };
}
