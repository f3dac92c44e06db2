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

  /** `memoryBytes` covers the records and their sort index (4 bytes each). */
  constructor(
    readonly recordBytes: number,
    memoryBytes: number,
  ) {
    this.capacity = Math.max(MIN_BUFFER_RECORDS, Math.floor(memoryBytes / (recordBytes + 4)));
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
    order.sort((a, b) => d.compare(d, b * R, b * R + R, a * R, a * R + R));
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
    // Binary min-heap of readers by current record; ties (identical bytes) by run index.
    const less = (a: RunFileReader, b: RunFileReader, ia: number, ib: number): boolean => {
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
    readers.forEach((r, i) => {
      if (r.next()) {
        heap.push(i);
        up(heap.length - 1);
      }
    });
    while (heap.length > 0) {
      const top = readers[heap[0]!]!;
      emit(top.current, top.offset);
      if (top.next()) down(0);
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
