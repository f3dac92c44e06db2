import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheKey, ResultCache } from '../harness/result-cache';

describe('ResultCache (append-only JSONL)', () => {
  it('keeps complete lines, trims a line cut short by a kill, and appends after it', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'eval-cache-')), 'c', 'cache.jsonl');
    const a = await ResultCache.open(file); // creates the folder
    await a.put([
      { key: 'k1', value: { scores: [-1, -2] } },
      { key: 'k2', value: { scores: [-3, -4] } },
    ]);
    appendFileSync(file, '{"k":"k3","v":{"sco'); // killed mid-write
    const b = await ResultCache.open(file);
    expect(b.size).toBe(2);
    expect(b.get('k2')).toEqual({ scores: [-3, -4] });
    expect(b.has('k3')).toBe(false);
    expect(readFileSync(file, 'utf8').endsWith('}\n')).toBe(true);
    await b.put([{ key: 'k3', value: 1 }]);
    const c = await ResultCache.open(file);
    expect([c.get('k1'), c.get('k3'), c.size]).toEqual([{ scores: [-1, -2] }, 1, 3]);
  });

  it('gives a complete last line without its newline one back', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'eval-cache-')), 'cache.jsonl');
    writeFileSync(file, '{"k":"a","v":1}\n{"k":"b","v":2}');
    const c = await ResultCache.open(file);
    expect(c.size).toBe(2);
    await c.put([{ key: 'c', value: 3 }]);
    expect(readFileSync(file, 'utf8')).toBe('{"k":"a","v":1}\n{"k":"b","v":2}\n{"k":"c","v":3}\n');
  });

  it('keys change with any part', () => {
    expect(cacheKey(['m', 'letter', 'p'])).toBe(cacheKey(['m', 'letter', 'p']));
    expect(cacheKey(['m', 'letter', 'p'])).not.toBe(cacheKey(['m', 'continuation', 'p']));
  });
});
