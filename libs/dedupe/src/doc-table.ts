import type { KeepColumns } from './keep-policy';
import { FLAG_NO_SHINGLES, type SignatureRecord } from './signature-file';

/**
 * The documents of a run as typed-array columns (struct of arrays): about 60 bytes plus
 * 4 x numHashes bytes per document (508 bytes at 112 hashes), no object per document. This is
 * the in-memory form the cluster phase works on; a corpus-scale version can replace it with
 * columns sorted on disk without changing the clustering code's view of it.
 */
export interface DocTable extends KeepColumns {
  count: number;
  numHashes: number;
  /** Exact hash as 4 32-bit lanes per document. */
  exactLanes: Uint32Array;
  sourceIndex: Uint8Array;
  langIndex: Uint8Array;
  flags: Uint8Array;
  /** Signatures, `numHashes` values per document. */
  signatures: Uint32Array;
  rank: Uint32Array;
  ordinal: Uint32Array;
  contentLength: Uint32Array;
  idLanes: Uint32Array;
  sourceRank: Uint16Array;
}

/** Appends signature records to growing columns. */
export class DocTableBuilder {
  private capacity = 0;
  private t: DocTable;

  constructor(
    readonly numHashes: number,
    private readonly rankOfSource: Uint16Array,
    initialCapacity = 1024,
  ) {
    this.t = this.allocate(initialCapacity);
  }

  private allocate(capacity: number): DocTable {
    this.capacity = capacity;
    return {
      count: 0,
      numHashes: this.numHashes,
      rank: new Uint32Array(capacity),
      ordinal: new Uint32Array(capacity),
      exactLanes: new Uint32Array(4 * capacity),
      idLanes: new Uint32Array(4 * capacity),
      contentLength: new Uint32Array(capacity),
      sourceIndex: new Uint8Array(capacity),
      sourceRank: new Uint16Array(capacity),
      langIndex: new Uint8Array(capacity),
      flags: new Uint8Array(capacity),
      signatures: new Uint32Array(this.numHashes * capacity),
    };
  }

  private grow(): void {
    const old = this.t;
    const next = this.allocate(Math.max(1024, this.capacity * 2));
    for (const key of ['rank', 'ordinal', 'exactLanes', 'idLanes', 'contentLength', 'sourceIndex', 'sourceRank', 'langIndex', 'flags', 'signatures'] as const) {
      (next[key] as Uint32Array).set(old[key] as Uint32Array);
    }
    next.count = old.count;
    this.t = next;
  }

  add(rec: SignatureRecord): number {
    if (this.t.count === this.capacity) this.grow();
    const t = this.t;
    const i = t.count++;
    t.rank[i] = rec.rank;
    t.ordinal[i] = rec.ordinal;
    const ex = Buffer.from(rec.exactHash.buffer, rec.exactHash.byteOffset, 16);
    const id = Buffer.from(rec.id, 'hex');
    for (let k = 0; k < 4; k++) {
      t.exactLanes[4 * i + k] = ex.readUInt32BE(4 * k);
      t.idLanes[4 * i + k] = id.readUInt32BE(4 * k);
    }
    t.contentLength[i] = rec.contentLength;
    t.sourceIndex[i] = rec.sourceIndex;
    t.sourceRank[i] = this.rankOfSource[rec.sourceIndex]!;
    t.langIndex[i] = rec.langIndex;
    t.flags[i] = rec.flags;
    t.signatures.set(rec.signature, i * this.numHashes);
    return i;
  }

  /** The filled table (columns trimmed to the document count). */
  build(): DocTable {
    const t = this.t;
    const n = t.count;
    return {
      ...t,
      rank: t.rank.subarray(0, n),
      ordinal: t.ordinal.subarray(0, n),
      exactLanes: t.exactLanes.subarray(0, 4 * n),
      idLanes: t.idLanes.subarray(0, 4 * n),
      contentLength: t.contentLength.subarray(0, n),
      sourceIndex: t.sourceIndex.subarray(0, n),
      sourceRank: t.sourceRank.subarray(0, n),
      langIndex: t.langIndex.subarray(0, n),
      flags: t.flags.subarray(0, n),
      signatures: t.signatures.subarray(0, this.numHashes * n),
    };
  }
}

export function signatureOf(t: DocTable, i: number): Uint32Array {
  return t.signatures.subarray(i * t.numHashes, (i + 1) * t.numHashes);
}

export function hasNoShingles(t: DocTable, i: number): boolean {
  return (t.flags[i]! & FLAG_NO_SHINGLES) !== 0;
}

export function idOf(t: DocTable, i: number): string {
  let s = '';
  for (let k = 0; k < 4; k++) s += t.idLanes[4 * i + k]!.toString(16).padStart(8, '0');
  return s;
}

export function sameExactHash(t: DocTable, i: number, j: number): boolean {
  const e = t.exactLanes;
  return e[4 * i] === e[4 * j] && e[4 * i + 1] === e[4 * j + 1] && e[4 * i + 2] === e[4 * j + 2] && e[4 * i + 3] === e[4 * j + 3];
}
