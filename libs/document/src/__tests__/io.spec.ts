import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJsonArray, readJsonLines, readLines, validateDoc, makeDoc, docId, normalizeForId, readDocFile } from '../index';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'doc-io-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('readLines', () => {
  it('flags invalid UTF-8 lines by number, handles CRLF, a BOM and a missing final newline', async () => {
    const file = join(dir, 'a.jsonl');
    await writeFile(file, Buffer.concat([Buffer.from('\ufeffone\r\n'), Buffer.from([0x74, 0xff, 0x0a]), Buffer.from('三\nlast')]));
    const lines = await collect(readLines(file, 3)); // tiny chunks: lines span chunk borders
    expect(lines.map((l) => ('text' in l ? l.text : l.problem))).toEqual(['one', 'invalid_utf8', '三', 'last']);
    expect(lines.map((l) => l.line)).toEqual([1, 2, 3, 4]);
    // The raw bytes are those the text came from: no BOM, no CR, across chunk borders too.
    expect(lines.map((l) => ('raw' in l ? l.raw.toString('utf8') : null))).toEqual(['one', null, '三', 'last']);
  });
});

describe('readDocFile', () => {
  it("records each document's line when asked, with the same items as without", async () => {
    const made = ['Aspirin 100 mg daily.', '醫藥 «texte» مستشفى 😀'].map((text, i) => makeDoc({ kind: 'text', text, source: 'web', stage: 'pretrain', provenance: { record: i } }, { file: 'x' }));
    const docs = made.map((m) => (m.ok ? m.value : undefined)!);
    const spaced = JSON.stringify(docs[0], null, 1).replace(/\n/g, ' ');
    const file = join(dir, 'docs.jsonl');
    await writeFile(file, `${JSON.stringify(docs[0])}\n{"kind":"text"}\n\ufeff${JSON.stringify(docs[1])}\r\n${spaced}`);
    const plainItems = await collect(readDocFile(file));
    for (const highWaterMark of [5, 64, 1 << 20]) {
      const lines = new WeakMap();
      const items = await collect(readDocFile(file, { lines, highWaterMark }));
      expect(items).toEqual(plainItems);
      const read = items.flatMap((i) => ('doc' in i ? [i.doc] : []));
      expect(read.map((d) => lines.get(d)?.bytes.toString('utf8'))).toEqual([JSON.stringify(docs[0]), JSON.stringify(docs[1]), spaced]);
      expect(read.map((d) => lines.get(d)?.text)).toEqual([JSON.stringify(docs[0]), JSON.stringify(docs[1]), spaced]);
    }
    expect(plainItems.map((i) => ('problem' in i ? i.problem.reason : 'doc'))).toEqual(['doc', 'missing_field', 'doc', 'doc']);
  });
});

describe('readJsonLines', () => {
  it('reports malformed JSON with its line and skips blank lines', async () => {
    const file = join(dir, 'b.jsonl');
    await writeFile(file, '{"a":1}\n\n{"a":\n{"a":3}\n');
    const items = await collect(readJsonLines(file));
    expect(items.map((i) => i.line)).toEqual([1, 3, 4]);
    expect('problem' in items[1]! && items[1].problem.reason).toBe('malformed_json');
  });
});

describe('readJsonArray', () => {
  it('streams the elements of a real Apollo release file', async () => {
    const file = join(__dirname, '../../../../../shared/data/apollo-train-samples/Medical_Exam_zh_sampled.json');
    const items = await collect(readJsonArray(file));
    expect(items).toHaveLength(100);
    const first = items[0]!;
    expect('value' in first && Array.isArray(first.value)).toBe(true);
  });

  it('reports a malformed element by index and carries on', async () => {
    const file = join(dir, 'c.json');
    await writeFile(file, '["a, \\"quoted\\" ]", ["q","a"], {"x": [1,2]}, nope, "z"]');
    const items = await collect(readJsonArray(file));
    expect(items.map((i) => ('value' in i ? i.value : i.problem.reason))).toEqual(['a, "quoted" ]', ['q', 'a'], { x: [1, 2] }, 'malformed_json', 'z']);
    expect(items[3]!.record).toBe(3);
  });

  it('salvages the complete elements of a truncated file', async () => {
    const file = join(dir, 'd.json');
    await writeFile(file, '["first chunk", "second chunk", "third is cut');
    const items = await collect(readJsonArray(file));
    expect(items.map((i) => ('value' in i ? i.value : i.problem.reason))).toEqual(['first chunk', 'second chunk', 'truncated_file']);
  });

  it('rejects a file that is not an array', async () => {
    const file = join(dir, 'e.json');
    await writeFile(file, '{"a": 1}');
    const items = await collect(readJsonArray(file));
    expect(items).toHaveLength(1);
    expect('problem' in items[0]! && items[0].problem.detail).toMatch(/does not start with a JSON array/);
  });
});

describe('documents', () => {
  const at = { file: 'x.jsonl', line: 7 };
  it('derives a stable id from normalized content', () => {
    expect(docId('text', 'Fever  and\ncough ')).toBe(docId('text', 'Fever and cough'));
    expect(docId('text', 'Fever and cough')).not.toBe(docId('qa', 'Fever and cough'));
  });

  it('normalizes with NFKC and folds whitespace, ASCII and not (ids stored in earlier runs stay valid)', () => {
    const reference = (t: string) => t.normalize('NFKC').replace(/\s+/gu, ' ').trim();
    for (const t of [' Fever\tand\r\n cough ', 'ﬁbrosis ＡＢＣ ①', '患者\u3000发热', 'é vs e\u0301', 'x\u00a0y\u2003z', '']) {
      expect(normalizeForId(t)).toBe(reference(t));
    }
    expect(docId('text', ' Fever and  cough')).toBe('75675a27e7651d8b073c2eada4cb0ec9');
  });

  it('builds QA documents from turns and rejects odd or empty turn lists', () => {
    const ok = makeDoc({ kind: 'qa', turns: ['What is fever?', 'A raised body temperature.'], source: 'exam', stage: 'sft', provenance: {} }, at);
    expect(ok.ok && ok.value.text).toBe('What is fever?\n\nA raised body temperature.');
    const odd = makeDoc({ kind: 'qa', turns: ['q'], source: 'exam', stage: 'sft', provenance: {} }, at);
    expect(!odd.ok && odd.problem.reason).toBe('invalid_field');
    const empty = makeDoc({ kind: 'qa', turns: ['q', '  '], source: 'exam', stage: 'sft', provenance: {} }, at);
    expect(!empty.ok && empty.problem).toMatchObject({ reason: 'empty', at });
  });

  it('rejects empty, oversize and unknown-field records with reasons naming the place', () => {
    expect(makeDoc({ kind: 'text', text: ' \n ', source: 'web', stage: 'pretrain', provenance: {} }, at)).toMatchObject({ ok: false, problem: { reason: 'empty', at } });
    expect(makeDoc({ kind: 'text', text: 'x'.repeat(11), source: 'web', stage: 'pretrain', provenance: {} }, at, { maxChars: 10 })).toMatchObject({
      ok: false,
      problem: { reason: 'too_large' },
    });
    const made = makeDoc({ kind: 'text', text: 'Aspirin', source: 'web', stage: 'pretrain', provenance: {} }, at);
    if (!made.ok) throw new Error('unexpected');
    expect(validateDoc(made.value, at).ok).toBe(true);
    expect(validateDoc({ ...made.value, colour: 'red' }, at)).toMatchObject({ ok: false, problem: { reason: 'unknown_field', detail: 'unknown field "colour"' } });
    expect(validateDoc({ ...made.value, source: 'blog' }, at)).toMatchObject({ ok: false, problem: { reason: 'invalid_field' } });
    expect(validateDoc({ ...made.value, langScore: 3 }, at)).toMatchObject({ ok: false, problem: { reason: 'invalid_field' } });
  });

  it('stamps no time on a document: the same record gives the same bytes, and a createdAt of older documents still validates', () => {
    const init = { kind: 'text', text: 'Aspirin', source: 'web', stage: 'pretrain', provenance: { file: 'a.jsonl', line: 1 } } as const;
    const first = makeDoc(init, at);
    const second = makeDoc(init, at);
    if (!first.ok || !second.ok) throw new Error('unexpected');
    expect('createdAt' in first.value).toBe(false);
    expect(JSON.stringify(second.value)).toBe(JSON.stringify(first.value));
    expect(validateDoc(JSON.parse(JSON.stringify(first.value)), at).ok).toBe(true);
    const older = { ...first.value, createdAt: '2025-06-01T08:00:00.000Z' };
    expect(validateDoc(older, at)).toMatchObject({ ok: true, value: { createdAt: '2025-06-01T08:00:00.000Z' } });
    expect(validateDoc({ ...first.value, createdAt: 5 }, at)).toMatchObject({ ok: false, problem: { reason: 'invalid_field', detail: 'field "createdAt" must be a string' } });
  });

  it('reads a document file, validating each line', async () => {
    const made = makeDoc({ kind: 'text', text: 'Aspirin', source: 'web', stage: 'pretrain', provenance: {} }, at);
    if (!made.ok) throw new Error('unexpected');
    const file = join(dir, 'docs.jsonl');
    await writeFile(file, JSON.stringify(made.value) + '\n' + JSON.stringify({ ...made.value, id: 'nothex' }) + '\n');
    const items = await collect(readDocFile(file));
    expect('doc' in items[0]!).toBe(true);
    expect('problem' in items[1]! && items[1].problem).toMatchObject({ reason: 'invalid_field', at: { file, line: 2 } });
  });
});
