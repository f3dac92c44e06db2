import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadItems, readItemFile } from '../load';
import { parseUnifiedItem } from '../unified';

const DEV = join(__dirname, '../../../../pipelines/benchmarks/xmedbench-dev');

describe('loadItems on the real dev split', () => {
  it('loads every item and counts per source match the files', async () => {
    const expected: Record<string, number> = {};
    let total = 0;
    for (const name of readdirSync(DEV).filter((n) => n.endsWith('.json'))) {
      const records = JSON.parse(readFileSync(join(DEV, name), 'utf8')) as { source: string }[];
      for (const r of records) expected[r.source] = (expected[r.source] ?? 0) + 1;
      total += records.length;
    }
    const loaded = await loadItems([DEV]);
    expect(loaded.items).toHaveLength(total);
    expect(loaded.counts).toEqual(expected);
    expect(Object.keys(loaded.counts)).toHaveLength(12);
    expect(new Set(loaded.items.map((i) => i.id)).size).toBe(total);
    expect(loaded.files.map((f) => f.file.replace(/^.*\//, ''))).toEqual(['ar.json', 'en.json', 'es.json', 'fr.json', 'hi.json', 'zh.json']);
  });

  it('reads languages, PubMedQA context, multi-letter golds and Latin letters in ar/hi', async () => {
    const { items } = await loadItems([DEV]);
    const pub = items.filter((i) => i.source === 'pubmedqa');
    expect(pub.every((i) => i.context && i.options.length === 3)).toBe(true);
    // Non-PubMedQA English items carry "context": "" in the file; that is no context.
    expect(items.filter((i) => i.source === 'medmcqa').every((i) => i.context === undefined)).toBe(true);
    const multi = items.filter((i) => i.gold.length > 1);
    expect(multi.length).toBeGreaterThan(0);
    expect(multi.every((i) => i.source === 'cmexam' && i.answerText === `(${i.gold.join('')})`)).toBe(true);
    for (const lang of ['ar', 'hi'] as const) {
      const some = items.filter((i) => i.language === lang);
      expect(some).toHaveLength(54);
      expect(some.every((i) => i.options.map((o) => o.label).join('') === 'ABCD')).toBe(true);
    }
    const fr = items.find((i) => i.source === 'frenchmedmcqa')!;
    expect(fr.language).toBe('fr');
    expect(fr.options.map((o) => o.label)).toEqual(['A', 'B', 'C', 'D', 'E']);
    // Options re-join to the original block: nothing lost when parsing.
    for (const i of items) expect(i.options.map((o) => `(${o.label}) ${o.text}`).join('\n')).toBe(i.optionsText);
  });
});

describe('parseUnifiedItem', () => {
  const good = { question: 'Q?', options: '(A) one.\n(B) two.\n(C) three.', answer: '(B)', source: 'medmcqa' };

  it('accepts the older misspelt keys and gives the same hash', () => {
    const a = parseUnifiedItem(good, { file: 'en.json', record: 0 }, 0);
    const b = parseUnifiedItem({ question: 'Q?', option: good.options, anwer: '(B)', source: 'medmcqa' }, { file: 'old.json', record: 7 }, 7);
    expect(b.gold).toEqual(['B']);
    expect(b.hash).toBe(a.hash);
    expect(b.index).toBe(7);
  });

  it('parses multi-line options and full-width or lower-case answers', () => {
    const item = parseUnifiedItem({ ...good, options: '(A) one\n".\n(B) two.', answer: '（b）' }, { file: 'x.json', record: 0 }, 0);
    expect(item.options).toEqual([
      { label: 'A', text: 'one\n".' },
      { label: 'B', text: 'two.' },
    ]);
    expect(item.gold).toEqual(['B']);
  });

  it.each([
    [{ ...good, question: 3 }, /x\.json record 4: bad_field: field "question" must be a string, got number/],
    [{ ...good, answer: undefined }, /x\.json record 4: missing_field: missing field "answer" \(or "anwer"\)/],
    [{ ...good, options: undefined }, /x\.json record 4: missing_field: missing field "options" \(or "option"\)/],
    [{ ...good, answer: '(E)' }, /record 4: bad_answer: answer "\(E\)" names \(E\), which is not an option/],
    [{ ...good, answer: 'B' }, /record 4: bad_answer/],
    [{ ...good, options: '(A) one.\n(C) two.' }, /record 4: bad_options: option 2 is labelled \(C\), expected \(B\)/],
    [{ ...good, source: 'nosuch' }, /record 4: unknown_language/],
    [[1, 2], /record 4: not_an_object/],
  ])('rejects a malformed item with file and index (%#)', (value, message) => {
    expect(() => parseUnifiedItem(value, { file: 'x.json', record: 4 }, 4)).toThrow(message);
  });

  it('takes the language of an unknown source from the file name', () => {
    expect(parseUnifiedItem({ ...good, source: 'new-exam' }, { file: '/data/fr.json', record: 0 }, 0).language).toBe('fr');
  });
});

describe('readItemFile', () => {
  it('names the file and index of a malformed record inside a real file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xmb-'));
    const file = join(dir, 'en.json');
    const good = { question: 'Q?', options: '(A) a.\n(B) b.', answer: '(A)', source: 'medqa-usmle' };
    writeFileSync(file, JSON.stringify([good, good, { ...good, options: 'no options' }]));
    const seen: number[] = [];
    await expect(async () => {
      for await (const item of readItemFile(file)) seen.push(item.index);
    }).rejects.toThrow(`${file} record 2: bad_options`);
    expect(seen).toEqual([0, 1]);
  });

  it('reads JSONL with line numbers in errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xmb-'));
    const file = join(dir, 'zh.jsonl');
    const good = { question: '问?', options: '(A) 甲.\n(B) 乙.', answer: '(AB)', source: 'cmexam' };
    writeFileSync(file, `${JSON.stringify(good)}\n{broken\n`);
    const items: unknown[] = [];
    await expect(async () => {
      for await (const item of readItemFile(file)) items.push(item);
    }).rejects.toThrow(`${file}:2: malformed_json`);
    expect(items).toHaveLength(1);
  });
});
