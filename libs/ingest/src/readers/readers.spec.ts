import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Doc, DocItem } from '@apollo/document';
import { DEFAULT_READ_LIMITS } from '../options';
import type { FileSpec } from '../source-files';
import { fileSpecFor } from '../source-files';
import type { ReadContext } from './context';
import { readApolloArray, readHtmlFile, readJsonlSource, readTextFile } from './index';

const SHARED = '/work/shared/data/apollo-train-samples';
const SAMPLES = join(__dirname, '../../../../pipelines/samples');

function ctxFor(spec: FileSpec, limits: Partial<ReadContext['limits']> = {}): ReadContext {
  return { spec, limits: { ...DEFAULT_READ_LIMITS, ...limits } };
}

function specFor(file: string, declared: Partial<FileSpec> = {}): FileSpec {
  return fileSpecFor(file, { sourceId: 'test', format: 'auto', ...declared }, 'test');
}

async function collect(items: AsyncIterable<DocItem>): Promise<DocItem[]> {
  const out: DocItem[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const docs = (items: DocItem[]): Doc[] => items.flatMap((i) => ('doc' in i ? [i.doc] : []));
const problems = (items: DocItem[]) => items.flatMap((i) => ('problem' in i ? [i.problem] : []));

describe('readApolloArray', () => {
  it('loads every record of the Apollo exam sample as a QA document with its turns', async () => {
    const file = join(SHARED, 'Medical_Exam_en_sampled.json');
    const expected = JSON.parse(await readFile(file, 'utf8')) as string[][];
    const items = await collect(readApolloArray(file, ctxFor(specFor(file))));
    expect(problems(items)).toEqual([]);
    const got = docs(items);
    expect(got).toHaveLength(100);
    got.forEach((doc, i) => {
      expect(doc.kind).toBe('qa');
      expect(doc.turns).toEqual(expected[i]);
      expect(doc.text).toBe(expected[i]!.join('\n\n'));
      expect(doc).toMatchObject({ source: 'exam', stage: 'sft', langHint: 'en' });
      expect(doc.createdAt).toBeUndefined();
      expect(doc.provenance).toEqual({ file, record: i, sourceId: 'test' });
    });
  });

  it('reads the Chinese multi-turn general sample (turn lists of 2 to 18 turns)', async () => {
    const file = join(SHARED, 'General_zh_sampled.json');
    const got = docs(await collect(readApolloArray(file, ctxFor(specFor(file)))));
    expect(got).toHaveLength(100);
    expect(new Set(got.map((d) => d.turns!.length)).size).toBeGreaterThan(3);
    expect(got.every((d) => d.source === 'general' && d.stage === 'sft' && d.langHint === 'zh')).toBe(true);
  });

  it('reads text chunks of a _text file', async () => {
    const file = join(SAMPLES, 'es/apollo/medicalWiki_es_text.json');
    const expected = JSON.parse(await readFile(file, 'utf8')) as string[];
    const got = docs(await collect(readApolloArray(file, ctxFor(specFor(file, { license: 'Apache-2.0' })))));
    expect(got.map((d) => d.text)).toEqual(expected);
    expect(got[0]).toMatchObject({ kind: 'text', source: 'encyclopedia', stage: 'pretrain', langHint: 'es', meta: { license: 'Apache-2.0' } });
    expect(got[0]!.turns).toBeUndefined();
  });

  it('salvages a truncated file and reports where it stops', async () => {
    const file = join(SAMPLES, 'mixed/medicalPaper_en_text.json');
    const items = await collect(readApolloArray(file, ctxFor(specFor(file))));
    expect(docs(items)).toHaveLength(6);
    expect(problems(items)).toEqual([expect.objectContaining({ reason: 'truncated_file', at: { file, record: 6 } })]);
  });

  it('drops elements of the wrong shape with their index', async () => {
    const file = join(SAMPLES, 'mixed/medicalWeb_es_text.json');
    const items = await collect(readApolloArray(file, ctxFor(specFor(file))));
    expect(docs(items).map((d) => d.provenance.record)).toEqual([0, 4]);
    expect(problems(items).map((p) => [p.at.record, p.reason])).toEqual([
      [1, 'invalid_record'],
      [2, 'wrong_kind'],
      [3, 'invalid_record'],
    ]);
    expect(problems(items)[1]!.detail).toContain('a turn list');
  });

  it('accepts both shapes when neither name nor spec fixes the kind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ingest-apollo-'));
    const file = join(dir, 'mixed.json');
    await writeFile(file, JSON.stringify(['A text chunk about influenza vaccines.', ['Q?', 'A.'], ['odd']]));
    const items = await collect(readApolloArray(file, ctxFor(specFor(file, { source: 'web', stage: 'pretrain' }))));
    expect(items.map((i) => ('doc' in i ? i.doc.kind : i.problem.reason))).toEqual(['text', 'qa', 'invalid_field']);
    await rm(dir, { recursive: true });
  });
});

describe('readJsonlSource', () => {
  it('drops each malformed line with the right reason and line number', async () => {
    const file = join(SAMPLES, 'mixed/malformed.jsonl');
    const items = await collect(readJsonlSource(file, ctxFor(specFor(file, { format: 'jsonl', source: 'web', stage: 'pretrain', lang: 'en' }), { maxChars: 20_000 })));
    expect(problems(items).map((p) => [p.at.line, p.reason])).toEqual([
      [2, 'malformed_json'],
      [3, 'invalid_utf8'],
      [4, 'empty'],
      [5, 'unknown_field'],
      [6, 'too_large'],
      [7, 'invalid_record'],
      [8, 'invalid_field'],
      [9, 'invalid_field'],
    ]);
    expect(problems(items).every((p) => p.at.file === file)).toBe(true);
    expect(problems(items)[3]!.detail).toContain('"author"');
    expect(problems(items)[4]!.detail).toContain('above the cap of 20000');
    const kept = docs(items);
    expect(kept.map((d) => [d.provenance.line, d.kind, d.meta?.recordId])).toEqual([
      [1, 'text', 'ok-hepatitis-a'],
      [10, 'qa', 'ok-qa-measles'],
    ]);
    expect(kept[1]!.turns).toHaveLength(2);
  });

  it('maps record fields onto the document', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ingest-jsonl-'));
    const file = join(dir, 'records.jsonl');
    await writeFile(
      file,
      [
        JSON.stringify({ id: 7, url: 'https://example.org/a', title: 'Statins', lang: 'en-GB', source: 'guideline', stage: 'sft', meta: { reviewed: true }, text: 'Statins lower LDL cholesterol.' }),
        JSON.stringify({ text: 'Plain record.' }),
        JSON.stringify({ text: 'Bad meta.', meta: { nested: { a: 1 } } }),
        JSON.stringify(['not', 'an', 'object']),
      ].join('\n'),
    );
    const items = await collect(readJsonlSource(file, ctxFor(specFor(file, { format: 'jsonl', source: 'web', stage: 'pretrain', lang: 'en', license: 'CC0' }))));
    const [first, second] = docs(items);
    expect(first).toMatchObject({
      text: 'Statins lower LDL cholesterol.',
      kind: 'text',
      source: 'guideline',
      stage: 'sft',
      langHint: 'en-GB',
      meta: { license: 'CC0', reviewed: true, title: 'Statins', recordId: '7' },
      provenance: { file, line: 1, url: 'https://example.org/a', sourceId: 'test' },
    });
    expect(second).toMatchObject({ source: 'web', stage: 'pretrain', langHint: 'en', provenance: { file, line: 2, sourceId: 'test' } });
    expect(problems(items).map((p) => [p.at.line, p.reason])).toEqual([
      [3, 'invalid_field'],
      [4, 'invalid_record'],
    ]);
    await rm(dir, { recursive: true });
  });

  it('drops records of the kind the source excludes', async () => {
    const file = join(SAMPLES, 'en/leaflets.jsonl');
    const items = await collect(readJsonlSource(file, ctxFor(specFor(file, { format: 'jsonl', source: 'web', stage: 'pretrain', kind: 'qa' }))));
    expect(problems(items).map((p) => p.reason)).toEqual(['wrong_kind', 'wrong_kind', 'wrong_kind']);
  });
});

describe('plain text and HTML files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingest-files-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads a text file as one document, normalizing line ends', async () => {
    const file = join(dir, 'note.txt');
    await writeFile(file, '\ufeffTitle\r\n\r\nFirst paragraph.\r\n');
    const [item] = await collect(readTextFile(file, ctxFor(specFor(file, { source: 'guideline', stage: 'pretrain', lang: 'fr' }))));
    expect(item).toMatchObject({ doc: { text: 'Title\n\nFirst paragraph.', kind: 'text', source: 'guideline', langHint: 'fr', provenance: { file, sourceId: 'test' } } });
  });

  it('drops an invalid UTF-8, empty or oversized text file', async () => {
    const spec = { source: 'web', stage: 'pretrain' } as const;
    const bad = join(dir, 'latin1.txt');
    await writeFile(bad, Buffer.from('Caf\xe9 au lait', 'latin1'));
    const empty = join(dir, 'empty.txt');
    await writeFile(empty, ' \n\n');
    const big = join(dir, 'big.txt');
    await writeFile(big, 'x'.repeat(2000));
    expect(problems(await collect(readTextFile(bad, ctxFor(specFor(bad, spec)))))).toEqual([{ reason: 'invalid_utf8', detail: 'file is not valid UTF-8', at: { file: bad } }]);
    expect(problems(await collect(readTextFile(empty, ctxFor(specFor(empty, spec)))))[0]!.reason).toBe('empty');
    expect(problems(await collect(readTextFile(big, ctxFor(specFor(big, spec), { maxFileBytes: 1000 }))))[0]!.reason).toBe('too_large');
    expect(problems(await collect(readTextFile(big, ctxFor(specFor(big, spec), { maxChars: 1999 }))))[0]!.reason).toBe('too_large');
  });

  it('decodes a windows-1256 page from its meta charset', async () => {
    const file = join(SAMPLES, 'ar/web/hasba-windows1256.html');
    const [doc] = docs(await collect(readHtmlFile(file, ctxFor(specFor(file, { source: 'web', stage: 'pretrain' })))));
    expect(doc!.meta).toMatchObject({ title: 'الحصبة عند الأطفال', charset: 'windows-1256' });
    expect(doc!.langHint).toBe('ar');
    expect(doc!.text.startsWith('الحصبة عند الأطفال\n\nالحصبة مرض فيروسي شديد العدوى')).toBe(true);
    expect(doc!.text).not.toMatch(/Home|Search|cookies|reserved|dataLayer/);
  });

  it('decodes a GBK page declared with http-equiv', async () => {
    const file = join(SAMPLES, 'zh/web/tangniaobingzu-gbk.html');
    const [doc] = docs(await collect(readHtmlFile(file, ctxFor(specFor(file, { source: 'web', stage: 'pretrain', lang: 'zh' })))));
    expect(doc!.meta).toMatchObject({ title: '糖尿病足的预防', charset: 'gbk' });
    expect(doc!.text).toContain('预防的关键是每天检查双脚');
    expect(doc!.text).not.toContain('\ufffd');
  });

  it('lets the page language override the declared one, and drops pages it cannot decode or that have no text', async () => {
    const spec = { source: 'web', stage: 'pretrain', lang: 'en' } as const;
    const fr = join(dir, 'fr.html');
    await writeFile(fr, '<html lang="fr"><body><p>Bonjour.</p></body></html>');
    expect(docs(await collect(readHtmlFile(fr, ctxFor(specFor(fr, spec)))))[0]!.langHint).toBe('fr');
    const odd = join(dir, 'odd.html');
    await writeFile(odd, '<meta charset="x-klingon"><p>text</p>');
    expect(problems(await collect(readHtmlFile(odd, ctxFor(specFor(odd, spec)))))[0]!.reason).toBe('unsupported_charset');
    const chrome = join(dir, 'chrome.html');
    await writeFile(chrome, '<body><nav>Home</nav><script>x()</script></body>');
    expect(problems(await collect(readHtmlFile(chrome, ctxFor(specFor(chrome, spec)))))[0]!.reason).toBe('empty');
  });
});
