import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtomicFileWriter, JsonlWriter } from '../index';

describe('JsonlWriter', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jsonl-writer-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes exactly JSON.stringify of each value, one per line, across batch boundaries', async () => {
    // Multi-byte text (2-, 3- and 4-byte UTF-8, escapes, a lone surrogate) in values small and
    // large enough to fill several 1 MB batches, one of them larger than a batch by itself.
    const pieces = ['plain ascii', 'café résumé', '高血压的治疗', 'ضغط الدم', 'रक्तचाप', '🩺 emoji', 'quote " and \\ and \n newline', 'lone \ud800 surrogate'];
    const values: unknown[] = [];
    for (let i = 0; i < 3000; i++) values.push({ i, text: pieces[i % pieces.length]!.repeat(1 + (i % 97)), nested: { n: i / 7 } });
    values.push({ huge: '数据'.repeat(400_000) });
    values.push('a string', 42, null, [1, 'two']);
    const path = join(dir, 'out.jsonl');
    const w = new JsonlWriter(path);
    for (const v of values) {
      if (values.indexOf(v) % 2 === 0) await w.write(v);
      else {
        w.add(v);
        await w.flushIfFull();
      }
    }
    expect(existsSync(path)).toBe(false);
    await w.commit();
    const expected = values.map((v) => JSON.stringify(v) + '\n').join('');
    const written = await readFile(path);
    expect(written.equals(Buffer.from(expected))).toBe(true);
    expect(w.count).toBe(values.length);
    expect(w.bytes).toBe(written.length);
  });

  it('keeps the order of values, serialized lines, line bytes and whole runs of lines', async () => {
    const path = join(dir, 'mixed.jsonl');
    const w = new JsonlWriter(path);
    const expected: string[] = [];
    const big = Array.from({ length: 9000 }, (_, i) => JSON.stringify({ run: i, text: 'résumé 高血压 '.repeat(3) })).join('\n') + '\n';
    for (let i = 0; i < 400; i++) {
      const v = { i, text: 'ضغط الدم '.repeat(1 + (i % 50)) };
      switch (i % 5) {
        case 0:
          w.add(v);
          expected.push(JSON.stringify(v) + '\n');
          break;
        case 1:
          w.addSerialized(JSON.stringify(v));
          expected.push(JSON.stringify(v) + '\n');
          break;
        case 2:
          w.addLine(Buffer.from(JSON.stringify(v)));
          expected.push(JSON.stringify(v) + '\n');
          break;
        case 3:
          // A small run (copied into the batch) and, every fifth time, a large one (handed over).
          w.addLines(Buffer.from(`{"a":${i}}\n{"b":${i}}\n`));
          expected.push(`{"a":${i}}\n{"b":${i}}\n`);
          if (i % 25 === 3) {
            w.addLines(Buffer.from(big));
            expected.push(big);
          }
          break;
        default:
          await w.write(v);
          expected.push(JSON.stringify(v) + '\n');
      }
      await w.flushIfFull();
    }
    await w.commit();
    const written = await readFile(path);
    expect(written.equals(Buffer.from(expected.join('')))).toBe(true);
    expect(w.count).toBe(expected.join('').split('\n').length - 1);
  });

  it('keeps lines added while a flush is under way, and reuses no batch before it is written', async () => {
    const path = join(dir, 'overlap.jsonl');
    const w = new JsonlWriter(path);
    const expected: string[] = [];
    const pending: Promise<void>[] = [];
    for (let i = 0; i < 6000; i++) {
      const v = { i, text: 'x'.repeat(400 + (i % 300)) };
      w.add(v);
      expected.push(JSON.stringify(v) + '\n');
      // Flushes left running while more lines arrive (not awaited until the end).
      if (i % 7 === 0) pending.push(w.flushIfFull());
    }
    await Promise.all(pending);
    await w.commit();
    expect((await readFile(path, 'utf8')) === expected.join('')).toBe(true);
  });

  it('AtomicFileWriter has written a buffer when write resolves, so the buffer can be reused', async () => {
    const path = join(dir, 'reuse.bin');
    const f = new AtomicFileWriter(path);
    const buf = Buffer.alloc(4096);
    for (let k = 0; k < 10; k++) {
      buf.fill(0x61 + k);
      await f.write(buf);
    }
    await f.commit();
    const data = await readFile(path);
    expect(data.length).toBe(40960);
    for (let k = 0; k < 10; k++) expect(data.subarray(k * 4096, (k + 1) * 4096).every((b) => b === 0x61 + k)).toBe(true);
    expect(f.bytes).toBe(40960);
  });

  it('leaves no file behind on abort', async () => {
    const path = join(dir, 'gone.jsonl');
    const w = new JsonlWriter(path);
    for (let i = 0; i < 50_000; i++) await w.write({ i, text: 'x'.repeat(50) });
    await w.abort();
    expect(await readdir(dir)).toEqual([]);
  });
});
