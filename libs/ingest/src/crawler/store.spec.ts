import { appendFileSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Doc } from '@apollo/document';
import { CrawlStore } from './store';

const doc = (id: string): Doc => ({ id, text: `text ${id}`, kind: 'text', source: 'web', stage: 'pretrain', provenance: {}, createdAt: '2026-01-01T00:00:00.000Z' });

describe('CrawlStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crawl-store-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('replays records, cuts a torn last line, and resumes the same run with its documents', async () => {
    const a = new CrawlStore(dir).open();
    expect(a.begin('run-1')).toBe('started');
    a.put({ url: 'https://a.org/1', kind: 'page', depth: 0, run: 'run-1', state: 'queued', errors: 0 });
    a.putDoc('https://a.org/1', doc('d1'));
    a.put({ url: 'https://a.org/1', kind: 'page', depth: 0, run: 'run-1', state: 'done', docId: 'd1', errors: 0 });
    // A document written just before a crash, without its record, is not output on resume.
    a.putDoc('https://a.org/2', doc('d2'));
    await a.close();
    appendFileSync(join(dir, 'log.jsonl'), '{"t":"url","url":"https://a.org/2","sta');

    const b = new CrawlStore(dir).open();
    expect(b.currentRun).toBe('run-1');
    expect(b.get('https://a.org/1')).toMatchObject({ state: 'done', docId: 'd1' });
    expect(b.get('https://a.org/2')).toBeUndefined();
    expect(readFileSync(join(dir, 'log.jsonl'), 'utf8').endsWith('\n')).toBe(true);
    expect(b.begin('run-1')).toBe('resumed');
    const docs: string[] = [];
    for await (const e of b.runDocs()) docs.push(e.doc.id);
    expect(docs).toEqual(['d1']);

    // A new run compacts the log and starts with no documents of its own.
    expect(b.begin('run-2')).toBe('started');
    const after: string[] = [];
    for await (const e of b.runDocs()) after.push(e.doc.id);
    expect(after).toEqual([]);
    await b.close();
    const lines = readFileSync(join(dir, 'log.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!)).toEqual({ t: 'run', run: 'run-2' });
  });
});

describe('CrawlStore group commit', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crawl-store-group-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const done = (n: number) => ({ url: `https://a.org/${n}`, kind: 'page' as const, depth: 0, run: 'run-1', state: 'done' as const, docId: `d${n}`, errors: 0 });

  it('writes the records of one event-loop turn together at its end, documents before records', async () => {
    const store = new CrawlStore(dir).open();
    store.begin('run-1');
    for (const n of [1, 2, 3]) {
      store.putDoc(`https://a.org/${n}`, doc(`d${n}`));
      store.put(done(n));
    }
    // Killed now, a resumed run would know none of the group: its pages are fetched again, not lost.
    const peek = new CrawlStore(dir).open();
    expect(peek.records.size).toBe(0);
    await peek.close();
    await new Promise((resolve) => setImmediate(resolve));
    const resumed = new CrawlStore(dir).open();
    expect([...resumed.records.keys()]).toEqual(['https://a.org/1', 'https://a.org/2', 'https://a.org/3']);
    expect(resumed.begin('run-1')).toBe('resumed');
    const docs: string[] = [];
    for await (const e of resumed.runDocs()) docs.push(e.doc.id);
    expect(docs).toEqual(['d1', 'd2', 'd3']);
    await resumed.close();
    await store.close();
  });

  it('writes a pending group on close', async () => {
    const store = new CrawlStore(dir).open();
    store.begin('run-1');
    store.putDoc('https://a.org/1', doc('d1'));
    store.put(done(1));
    await store.close();
    expect(readFileSync(join(dir, 'docs.jsonl'), 'utf8')).toContain('"d1"');
    const reopened = new CrawlStore(dir).open();
    expect(reopened.get('https://a.org/1')).toMatchObject({ state: 'done', docId: 'd1' });
    await reopened.close();
  });
});
