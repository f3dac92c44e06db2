import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { RunFileReader, RunFileWriter, type RunFileInfo } from './run-file';

/**
 * External sort of fixed-size records whose byte order is their sort order (keys are written
 * big-endian, so a plain memcmp sorts them): records are collected in a buffer of bounded size,
 * each full buffer is sorted and written as a run file, and the runs are merged k ways, in
 * several passes when there are more runs than the memory allows readers for. Memory is
 * bounded by the setting whatever the number of records.
 */

/** Records kept in a sort buffer at the least, whatever the memory setting. */
export const MIN_BUFFER_RECORDS = 64;
/** Read buffer per run while merging. */
export const MERGE_READ_BYTES = 64 * 1024;

/** A buffer of records that is sorted and spilled to a run file when full. */
export class SortBuffer {
  readonly capacity: number;
  private data: Buffer;
  count = 0;

  /** `memoryBytes` covers the records, their sort index and sort keys (12 bytes each). */
  constructor(
    readonly recordBytes: number,
    memoryBytes: number,
  ) {
    this.capacity = Math.max(MIN_BUFFER_RECORDS, Math.floor(memoryBytes / (recordBytes + 12)));
    // Grown on demand: a task with few documents should not touch its whole share of memory.
    this.data = Buffer.allocUnsafe(Math.min(this.capacity, 1024) * recordBytes);
  }

  get full(): boolean {
    return this.count >= this.capacity;
  }

  /** A slot for the next record, to be filled by the caller at the returned offset. */
  slot(): { buf: Buffer; offset: number } {
    if (this.full) throw new Error('sort buffer is full; spill it first');
    if ((this.count + 1) * this.recordBytes > this.data.length) {
      const grown = Buffer.allocUnsafe(Math.min(this.capacity, 2 * (this.data.length / this.recordBytes)) * this.recordBytes);
      this.data.copy(grown, 0, 0, this.count * this.recordBytes);
      this.data = grown;
    }
    return { buf: this.data, offset: this.count++ * this.recordBytes };
  }

  /** Sorts the records and writes them as a run file; the buffer is empty afterwards. */
  spill(path: string): RunFileInfo {
    const R = this.recordBytes;
    const d = this.data;
    const order = new Uint32Array(this.count);
    for (let i = 0; i < order.length; i++) order[i] = i;
    order.sort(prefixComparator(d, R, this.count));
    const w = new RunFileWriter(path, R);
    try {
      for (let i = 0; i < order.length; i++) w.add(d, order[i]! * R);
      this.count = 0;
      return w.commit();
    } catch (err) {
      w.abort();
      throw err;
    }
  }
}

/**
 * A comparator of record numbers in byte order. A Buffer.compare per comparison crosses into
 * C++ each time and made the sort a tenth of the signatures phase; instead two big-endian
 * 32-bit words of each record are read once into a typed array (big-endian words compare like
 * their bytes) and compared in JS, and only records equal on them are compared byte by byte.
 * The words are taken after the leading words all records share (the zero band key of the exact
 * space), where records start to differ.
 */
export function prefixComparator(d: Buffer, recordBytes: number, count: number): (a: number, b: number) => number {
  const R = recordBytes;
  const full = (a: number, b: number) => d.compare(d, b * R, b * R + R, a * R, a * R + R);
  if (R < 8 || count < 2) return full;
  let from = 0;
  while (from + 8 <= R && sharedWord(d, R, count, from)) from += 4;
  if (from + 8 > R) return full;
  const keys = new Uint32Array(2 * count);
  for (let i = 0; i < count; i++) {
    keys[2 * i] = d.readUInt32BE(i * R + from);
    keys[2 * i + 1] = d.readUInt32BE(i * R + from + 4);
  }
  const rest = from + 8;
  return (a, b) => keys[2 * a]! - keys[2 * b]! || keys[2 * a + 1]! - keys[2 * b + 1]! || (rest < R ? d.compare(d, b * R + rest, b * R + R, a * R + rest, a * R + R) : 0);
}

/** Whether all records hold the same 4 bytes at `at`. */
function sharedWord(d: Buffer, R: number, count: number, at: number): boolean {
  const first = d.readUInt32BE(at);
  for (let i = 1; i < count; i++) if (d.readUInt32BE(i * R + at) !== first) return false;
  return true;
}

/** Merge settings. */
export interface MergeOptions {
  /** Memory for the read buffers of one merge pass. */
  memoryBytes: number;
  /** Folder for the intermediate runs of multi-pass merges (removed afterwards). */
  tmpDir: string;
}

/** How many runs one pass can merge within the memory setting (at least 2). */
export function maxFanIn(memoryBytes: number): number {
  return Math.max(2, Math.floor(memoryBytes / MERGE_READ_BYTES));
}

function mergeInto(paths: string[], recordBytes: number, emit: (buf: Buffer, offset: number) => void): void {
  const R = recordBytes;
  const readers: RunFileReader[] = [];
  try {
    for (const p of paths) {
      const r = new RunFileReader(p, R, MERGE_READ_BYTES);
      readers.push(r);
    }
    // Each reader's first two big-endian words, read when it advances, decide most comparisons
    // in JS (see prefixComparator); the rest go to Buffer.compare.
    const words = R >= 8;
    const hi = new Float64Array(readers.length);
    const lo = new Float64Array(readers.length);
    const advance = (i: number): boolean => {
      const r = readers[i]!;
      if (!r.next()) return false;
      if (words) {
        hi[i] = r.current.readUInt32BE(r.offset);
        lo[i] = r.current.readUInt32BE(r.offset + 4);
      }
      return true;
    };
    // Binary min-heap of readers by current record; ties (identical bytes) by run index.
    const less = (a: RunFileReader, b: RunFileReader, ia: number, ib: number): boolean => {
      if (words && hi[ia] !== hi[ib]) return hi[ia]! < hi[ib]!;
      if (words && lo[ia] !== lo[ib]) return lo[ia]! < lo[ib]!;
      const c = a.current.compare(b.current, b.offset, b.offset + R, a.offset, a.offset + R);
      return c < 0 || (c === 0 && ia < ib);
    };
    const heap: number[] = [];
    const up = (k: number) => {
      while (k > 0) {
        const p = (k - 1) >> 1;
        if (!less(readers[heap[k]!]!, readers[heap[p]!]!, heap[k]!, heap[p]!)) break;
        [heap[k], heap[p]] = [heap[p]!, heap[k]!];
        k = p;
      }
    };
    const down = (k: number) => {
      for (;;) {
        const l = 2 * k + 1;
        if (l >= heap.length) return;
        let m = l;
        if (l + 1 < heap.length && less(readers[heap[l + 1]!]!, readers[heap[l]!]!, heap[l + 1]!, heap[l]!)) m = l + 1;
        if (!less(readers[heap[m]!]!, readers[heap[k]!]!, heap[m]!, heap[k]!)) return;
        [heap[k], heap[m]] = [heap[m]!, heap[k]!];
        k = m;
      }
    };
    readers.forEach((_, i) => {
      if (advance(i)) {
        heap.push(i);
        up(heap.length - 1);
      }
    });
    while (heap.length > 0) {
      const top = readers[heap[0]!]!;
      emit(top.current, top.offset);
      if (advance(heap[0]!)) down(0);
      else {
        const last = heap.pop()!;
        if (heap.length > 0) {
          heap[0] = last;
          down(0);
        }
      }
    }
  } finally {
    for (const r of readers) r.close();
  }
}

/**
 * Merges sorted run files and calls `emit` with each record in order (the buffer is only
 * valid during the call). With more runs than `maxFanIn(memoryBytes)`, groups of runs are first
 * merged into intermediate runs under `tmpDir`, which are deleted afterwards. A truncated or
 * corrupt run throws a RunFileError naming it.
 */
export function mergeRuns(paths: string[], recordBytes: number, options: MergeOptions, emit: (buf: Buffer, offset: number) => void): { passes: number } {
  const fanIn = maxFanIn(options.memoryBytes);
  let current = [...paths];
  const made: string[] = [];
  let passes = 1;
  try {
    while (current.length > fanIn) {
      const next: string[] = [];
      for (let g = 0; g < current.length; g += fanIn) {
        const group = current.slice(g, g + fanIn);
        if (group.length === 1) {
          next.push(group[0]!);
          continue;
        }
        const path = join(options.tmpDir, `merge-${passes}-${next.length}.run`);
        const w = new RunFileWriter(path, recordBytes);
        try {
          mergeInto(group, recordBytes, (buf, off) => w.add(buf, off));
          w.commit();
        } catch (err) {
          w.abort();
          throw err;
        }
        made.push(path);
        next.push(path);
      }
      current = next;
      passes++;
    }
    mergeInto(current, recordBytes, emit);
  } finally {
    for (const p of made) rmSync(p, { force: true });
  }
  return { passes };
}
