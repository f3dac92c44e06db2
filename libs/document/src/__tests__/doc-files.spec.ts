import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { docFileFormat, makeDoc, notTextReason, readDocFile, readRawLines, readRawRecords, type Doc, type DocItem } from '../index';

function doc(text: string, i: number): Doc {
  const made = makeDoc({ kind: 'text', text, source: 'web', stage: 'pretrain', provenance: { file: 'gen', record: i } }, { file: 'gen' });
  if (!made.ok) throw new Error(made.problem.detail);
  return made.value;
}

async function collect(items: AsyncIterable<DocItem>): Promise<{ texts: string[]; problems: { reason: string; at: unknown }[] }> {
  const texts: string[] = [];
  const problems: { reason: string; at: unknown }[] = [];
  for await (const item of items) {
    if ('doc' in item) texts.push(item.doc.text);
    else problems.push({ reason: item.problem.reason, at: item.problem.at });
  }
  return { texts, problems };
}

describe('document files', () => {
  let dir: string;
  const docs = [doc('first document', 0), doc('second document, with "quotes"\nand a newline', 1), doc('third', 2)];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'doc-files-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('names the format of every supported file, case-insensitively, and of no other', () => {
    expect(['a.jsonl', 'b.JSONL', 'c.ndjson', 'd.json', 'e.jsonl.gz', 'f.JSON.GZ', 'g.ndjson.gz'].map(docFileFormat)).toEqual(['jsonl', 'jsonl', 'jsonl', 'json', 'jsonl.gz', 'json.gz', 'jsonl.gz']);
    expect(['a.txt', 'b.jsonl.bz2', 'c.gz', 'README', 'd.parquet'].map(docFileFormat)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it('reads the same documents from JSON lines, a JSON array, and both gzip-compressed', async () => {
    const lines = docs.map((d) => JSON.stringify(d)).join('\n') + '\n';
    const array = JSON.stringify(docs, null, 2);
    const files = {
      'a.jsonl': lines,
      'b.JSONL': lines,
      'c.json': array,
      'd.jsonl.gz': gzipSync(lines),
      'e.json.gz': gzipSync(array),
    };
    for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
    for (const name of Object.keys(files)) {
      const read = await collect(readDocFile(join(dir, name)));
      expect({ name, ...read }).toEqual({ name, texts: docs.map((d) => d.text), problems: [] });
    }
  });

  it('locates a bad record by line in JSON lines and by index in a JSON array', async () => {
    await writeFile(join(dir, 'a.jsonl'), [JSON.stringify(docs[0]), '{"broken', JSON.stringify(docs[2])].join('\n'));
    await writeFile(join(dir, 'b.json'), `[${JSON.stringify(docs[0])}, {"text": 5}, ${JSON.stringify(docs[2])}]`);
    expect((await collect(readDocFile(join(dir, 'a.jsonl')))).problems).toEqual([{ reason: 'malformed_json', at: { file: join(dir, 'a.jsonl'), line: 2 } }]);
    expect((await collect(readDocFile(join(dir, 'b.json')))).problems).toEqual([{ reason: 'missing_field', at: { file: join(dir, 'b.json'), record: 1 } }]);
  });

  it('rejects a line over the cap as too large whatever its bytes, without holding it, and reads on', async () => {
    // An ASCII line longer than the cap: the reader must neither decode it nor call it invalid UTF-8.
    const big = 'x'.repeat(5000);
    await writeFile(join(dir, 'a.jsonl'), `${JSON.stringify(docs[0])}\n{"text":"${big}"}\n${JSON.stringify(docs[2])}\n`);
    const records = [];
    for await (const r of readRawRecords(join(dir, 'a.jsonl'), { maxRecordBytes: 1000, highWaterMark: 256 })) records.push(r);
    expect(records.map((r) => ('problem' in r ? r.problem.reason : 'ok'))).toEqual(['ok', 'too_large', 'ok']);
    const tooLarge = records[1]!;
    expect('problem' in tooLarge && tooLarge.problem.detail).toBe('line has 5011 bytes, above the cap of 1000');
    expect(tooLarge.at).toEqual({ file: join(dir, 'a.jsonl'), line: 2 });
    // The same for a final line without a newline, and for a line in a compressed file.
    await writeFile(join(dir, 'b.jsonl.gz'), gzipSync(`${JSON.stringify(docs[0])}\n{"text":"${big}"}`));
    const gz = [];
    for await (const r of readRawRecords(join(dir, 'b.jsonl.gz'), { maxRecordBytes: 1000 })) gz.push('problem' in r ? r.problem.reason : 'ok');
    expect(gz).toEqual(['ok', 'too_large']);
    const lines = [];
    for await (const l of readRawLines(join(dir, 'a.jsonl'), 256, 1000)) lines.push(l.oversize ?? l.buf.length);
    expect(lines).toEqual([JSON.stringify(docs[0]).length, 5011, JSON.stringify(docs[2]).length]);
  });

  it('rejects a file that is not text once, as a file, and reads a text file with one bad line line by line', async () => {
    const binary = Buffer.alloc(20_000);
    for (let i = 0; i < binary.length; i++) binary[i] = (i * 7919) % 256;
    await writeFile(join(dir, 'image.jsonl'), binary);
    await writeFile(join(dir, 'image.json.gz'), gzipSync(binary));
    for (const name of ['image.jsonl', 'image.json.gz']) {
      const read = await collect(readDocFile(join(dir, name)));
      expect(read).toEqual({ texts: [], problems: [{ reason: 'not_text', at: { file: join(dir, name) } }] });
    }
    const oneBad = Buffer.concat([Buffer.from(JSON.stringify(docs[0]) + '\n'), Buffer.from([0xff, 0xfe, 0x41, 0x0a]), Buffer.from(JSON.stringify(docs[2]) + '\n')]);
    await writeFile(join(dir, 'text.jsonl'), oneBad);
    const read = await collect(readDocFile(join(dir, 'text.jsonl')));
    expect(read.texts).toEqual([docs[0]!.text, docs[2]!.text]);
    expect(read.problems).toEqual([{ reason: 'invalid_utf8', at: { file: join(dir, 'text.jsonl'), line: 2 } }]);
  });

  it('tells text from binary by its first bytes', () => {
    expect(notTextReason(Buffer.from('{"text": "héllo"}\n'))).toBeUndefined();
    expect(notTextReason(Buffer.from([0x7b, 0x00, 0x7d]))).toBe('binary data (a NUL byte at offset 1)');
    expect(notTextReason(Buffer.from(Array.from({ length: 100 }, (_, i) => 0x80 + (i % 64))))).toMatch(/^not UTF-8 text/);
  });

  it('throws on a corrupt gzip file: the file could not be read', async () => {
    const gz = gzipSync(docs.map((d) => JSON.stringify(d)).join('\n'));
    await writeFile(join(dir, 'cut.jsonl.gz'), gz.subarray(0, gz.length - 10));
    await expect(collect(readDocFile(join(dir, 'cut.jsonl.gz')))).rejects.toThrow(/unexpected end of file/);
  });
});
