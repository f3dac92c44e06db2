import { mkdtempSync, openSync, readdirSync, rmSync, truncateSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { maxFanIn, MERGE_READ_BYTES, mergeRuns, prefixComparator, SortBuffer } from '../external-sort';
import { RUN_HEADER_BYTES, RunFileError, runFileRecords, RunFileWriter } from '../run-file';

/** Deterministic pseudo-random bytes (xorshift32). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) & 0xff;
  };
}

const R = 20;

function records(count: number, seed: number): Buffer[] {
  const next = rng(seed);
  // Few distinct leading bytes, so many records tie on their first bytes and equal records occur.
  return Array.from({ length: count }, () => {
    const b = Buffer.alloc(R);
    for (let i = 0; i < R; i++) b[i] = i < 2 ? next() & 3 : next();
    return b;
  });
}

describe('external sort', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'xsort-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function spillAll(recs: Buffer[], memoryBytes: number): string[] {
    const buf = new SortBuffer(R, memoryBytes);
    const paths: string[] = [];
    const spill = () => {
      const p = join(dir, `run-${paths.length}.run`);
      buf.spill(p);
      paths.push(p);
    };
    for (const r of recs) {
      if (buf.full) spill();
      const s = buf.slot();
      r.copy(s.buf, s.offset);
    }
    if (buf.count > 0) spill();
    return paths;
  }

  it('gives the same order as an in-memory sort with a buffer far smaller than the data, over several merge passes', () => {
    const recs = records(5000, 7);
    const paths = spillAll(recs, 64 * (R + 4));
    expect(paths.length).toBe(Math.ceil(5000 / 64));
    const out: string[] = [];
    const tmp = join(dir, 'tmp');
    const { passes } = mergeRuns(paths, R, { memoryBytes: 3 * MERGE_READ_BYTES, tmpDir: tmp }, (b, o) => out.push(b.toString('hex', o, o + R)));
    expect(maxFanIn(3 * MERGE_READ_BYTES)).toBe(3);
    expect(passes).toBeGreaterThan(2);
    expect(out).toEqual(recs.map((r) => r.toString('hex')).sort());
    // Intermediate runs are removed.
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('names a truncated run file', () => {
    const paths = spillAll(records(300, 3), 100 * (R + 4));
    truncateSync(paths[1]!, RUN_HEADER_BYTES + 10 * R + 3);
    expect(() => mergeRuns(paths, R, { memoryBytes: 1 << 20, tmpDir: join(dir, 't') }, () => undefined)).toThrow(`${paths[1]}: bad run file: truncated`);
  });

  it('names a corrupt run file (checksum) before the merge can finish', () => {
    const paths = spillAll(records(300, 5), 100 * (R + 4));
    const fd = openSync(paths[2]!, 'r+');
    writeSync(fd, Buffer.from([0x42]), 0, 1, RUN_HEADER_BYTES + 7);
    closeSync(fd);
    let emitted = 0;
    expect(() => mergeRuns(paths, R, { memoryBytes: 1 << 20, tmpDir: join(dir, 't') }, () => void emitted++)).toThrow(
      new RunFileError(paths[2]!, 'checksum mismatch: the records are corrupt'),
    );
    expect(emitted).toBeLessThan(300);
  });

  it('writes nothing under the final name until commit, and rejects a wrong record size', () => {
    const path = join(dir, 'a.run');
    const w = new RunFileWriter(path, R);
    w.add(Buffer.alloc(R, 1));
    expect(readdirSync(dir).filter((n) => n === 'a.run')).toEqual([]);
    w.abort();
    expect(readdirSync(dir)).toEqual([]);
    const w2 = new RunFileWriter(path, R);
    w2.add(Buffer.alloc(R, 2));
    expect(w2.commit().count).toBe(1);
    expect([...runFileRecords(path, R)].map((b) => b[0])).toEqual([2]);
    expect(() => [...runFileRecords(path, R + 1)]).toThrow(/records of 20 bytes, expected 21/);
  });

  it('sorts in byte order when all records share their leading words, or are shorter than two words', () => {
    const next = rng(13);
    for (const [size, shared] of [
      [54, 8],
      [54, 12],
      [20, 0],
      [12, 4],
      [8, 0],
      [8, 8],
      [6, 0],
    ] as const) {
      // Leading `shared` bytes equal everywhere (the exact space's zero band key), the rest with
      // few distinct values so ties on the key words fall through to the byte comparison.
      const count = 500;
      const d = Buffer.alloc(count * size);
      for (let i = 0; i < count; i++) for (let k = shared; k < size; k++) d[i * size + k] = k < shared + 8 ? next() & 1 : next();
      const order = Uint32Array.from({ length: count }, (_, i) => i).sort(prefixComparator(d, size, count));
      const got = Array.from(order, (i) => d.toString('hex', i * size, (i + 1) * size));
      const expected = Array.from({ length: count }, (_, i) => d.toString('hex', i * size, (i + 1) * size)).sort();
      expect(got).toEqual(expected);
    }
  });

  it('merges runs whose records tie on their first two words', () => {
    const next = rng(17);
    const recs = Array.from({ length: 3000 }, () => {
      const b = Buffer.alloc(R);
      for (let i = 8; i < R; i++) b[i] = i < 10 ? next() & 1 : next();
      b[7] = next() & 1;
      return b;
    });
    const paths = spillAll(recs, 100 * (R + 12));
    const out: string[] = [];
    mergeRuns(paths, R, { memoryBytes: 1 << 20, tmpDir: join(dir, 't') }, (b, o) => out.push(b.toString('hex', o, o + R)));
    expect(out).toEqual(recs.map((r) => r.toString('hex')).sort());
  });
});
