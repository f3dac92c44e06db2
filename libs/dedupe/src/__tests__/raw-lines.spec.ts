import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonlWriter, makeDoc, readDocFile, type Doc, type DocItem } from '@apollo/document';
import { SourceLineSink, type SourceLines } from '../raw-lines';

function doc(text: string, i: number, extra: Partial<Doc> = {}): Doc {
  const made = makeDoc({ kind: 'text', text, source: 'web', stage: 'pretrain', provenance: { file: 'f', record: i } }, { file: 'f' });
  if (!made.ok) throw new Error(made.problem.detail);
  return { ...made.value, lang: 'en', langScore: 0.99, ...extra };
}

async function collect(items: AsyncIterable<DocItem>): Promise<DocItem[]> {
  const out: DocItem[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('raw lines', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'raw-lines-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  /** A file with every kind of line the reader must treat as readDocFile does. */
  async function trickyFile(): Promise<{ path: string; docs: Doc[] }> {
    const docs = [doc('Aspirin 100 mg daily.', 0), doc('醫藥 «texte» \u2028 مستشفى 😀', 1), doc('x'.repeat(5000), 2), doc('last line', 3)];
    const canonical = docs.map((d) => JSON.stringify(d));
    const parts = [
      Buffer.from(canonical[0]! + '\n'),
      Buffer.from('\n   \n'), // blank and whitespace-only lines are skipped but counted
      Buffer.from('\ufeff' + canonical[1]! + '\r\n'), // BOM and CRLF
      Buffer.from('{"not json\n'),
      Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]), // invalid UTF-8
      Buffer.from('{"kind":"text"}\n'), // valid JSON, invalid document
      Buffer.from(JSON.stringify(docs[2], null, 1).replace(/\n/g, ' ') + '\n'), // not canonical: spaces
      Buffer.from(canonical[3]!), // no final newline
    ];
    const path = join(dir, 'in.jsonl');
    await writeFile(path, Buffer.concat(parts));
    return { path, docs };
  }

  it('writes the bytes the default writer writes: copied lines, changed and non-canonical documents', async () => {
    const { path } = await trickyFile();
    const lines: SourceLines = new WeakMap();
    const docs = (await collect(readDocFile(path, { lines, highWaterMark: 64 }))).flatMap((i) => ('doc' in i ? [i.doc] : []));
    expect(docs.length).toBe(4);
    // The first two lines (one with BOM and CRLF) are copied; the spaced one is not canonical.
    expect(docs.map((d) => lines.get(d)?.text === JSON.stringify(d))).toEqual([true, true, false, true]);
    expect(lines.get(docs[1]!)!.bytes.equals(Buffer.from(JSON.stringify(docs[1])))).toBe(true);
    // One document replaced by a changed copy, as a step that edits documents yields it.
    const written = docs.map((d, k) => (k === 3 ? { ...d, text: 'changed text' } : d));
    const sink = new SourceLineSink(join(dir, 'out', 'a.jsonl'), lines);
    const reference = new JsonlWriter(join(dir, 'out', 'b.jsonl'));
    for (const d of written) {
      await sink.write(d);
      reference.add(d);
    }
    const bytes = await sink.commit();
    await reference.commit();
    const a = await readFile(join(dir, 'out', 'a.jsonl'));
    expect(a.equals(await readFile(join(dir, 'out', 'b.jsonl')))).toBe(true);
    expect(bytes).toBe(a.length);
    expect(bytes).toBe(reference.bytes);
  });

  it('leaves nothing under the final name when aborted', async () => {
    const sink = new SourceLineSink(join(dir, 'out', 'c.jsonl'), new WeakMap());
    await sink.write(doc('some text', 0));
    await sink.abort();
    await expect(readFile(join(dir, 'out', 'c.jsonl'))).rejects.toThrow();
  });
});
