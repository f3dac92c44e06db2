import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ItemError } from '../item-error';
import { itemFiles, parseItemPath, resolveItemPath } from '../item-paths';
import { loadItems } from '../load';

const ITEM = { question: 'Q?', options: '(A) a.\n(B) b.', answer: '(A)', source: 'medqa-usmle' };
const tmp = () => mkdtempSync(join(tmpdir(), 'bench-items-'));

describe('item paths', () => {
  it('split a known format prefix from the path, and leave other text a path', () => {
    expect(parseItemPath('pubmedqa:/data/ori_pqal.json')).toMatchObject({ format: { name: 'pubmedqa' }, path: '/data/ori_pqal.json' });
    expect(parseItemPath('medmcqa-hf:rel/dev.json')).toMatchObject({ format: { name: 'medmcqa-hf', source: { key: 'medmcqa' } }, path: 'rel/dev.json' });
    expect(parseItemPath('/data/en.json')).toEqual({ format: null, path: '/data/en.json' });
    expect(parseItemPath('C:/data/en.json')).toEqual({ format: null, path: 'C:/data/en.json' });
  });

  it('resolve the path part against a base, keeping the prefix, for relative and absolute paths', () => {
    expect(resolveItemPath('pubmedqa:data/x.json', '/work')).toBe('pubmedqa:/work/data/x.json');
    expect(resolveItemPath('pubmedqa:/abs/x.json', '/work')).toBe('pubmedqa:/abs/x.json');
    expect(resolveItemPath('dev/en.json', '/work')).toBe('/work/dev/en.json');
    expect(resolveItemPath('/abs/en.json', '/work')).toBe('/abs/en.json');
  });

  it('name an unknown format and the known ones', () => {
    expect(() => resolveItemPath('pubmed:/x.json', '/work')).toThrow(/pubmed:\/x\.json: unknown_format: .*"pubmed" is not a format \(formats: medqa-usmle, medmcqa, medmcqa-hf, /);
  });
});

describe('folders of benchmark files', () => {
  it('read every .json and .jsonl file (any case), sorted, with the format prefix on each', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'b.JSONL'), JSON.stringify(ITEM) + '\n');
    writeFileSync(join(dir, 'a.json'), JSON.stringify([ITEM]));
    expect(await itemFiles([dir])).toEqual([join(dir, 'a.json'), join(dir, 'b.JSONL')]);
    expect(await itemFiles([`medqa-usmle:${dir}`])).toEqual([`medqa-usmle:${join(dir, 'a.json')}`, `medqa-usmle:${join(dir, 'b.JSONL')}`]);
    expect((await loadItems([dir])).items).toHaveLength(2);
  });

  it('report a file that is not a benchmark file by name instead of skipping it', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'en.json'), JSON.stringify([ITEM]));
    writeFileSync(join(dir, 'README.md'), '# notes');
    writeFileSync(join(dir, 'mmlu.csv'), 'q,a,b,c,d,A\n');
    const err = await itemFiles([dir]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ItemError);
    expect((err as ItemError).message).toBe(
      `${join(dir, 'README.md')}: not_a_benchmark_file: the folder ${dir} holds README.md, mmlu.csv, which are not unified XMedBench item files (.json, .jsonl); prefix a source's original files with <format>:`,
    );
    // The CSV is read when its format is given; the Markdown file still is not one.
    await expect(itemFiles([`mmlu-medical:${dir}`])).rejects.toThrow(/holds README\.md, en\.json, which are not mmlu-medical files \(\.csv\)/);
  });

  it('report subfolders, empty folders and missing paths', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'sub'));
    await expect(itemFiles([dir])).rejects.toThrow(`${join(dir, 'sub')}: not_a_benchmark_file: the folder ${dir} holds sub, which is not one of`);
    await expect(itemFiles([join(dir, 'sub')])).rejects.toThrow(`${join(dir, 'sub')}: no_benchmark_files: empty folder`);
    await expect(itemFiles([join(dir, 'nope')])).rejects.toThrow(`${join(dir, 'nope')}: not_found: no such file or folder`);
    await expect(itemFiles([`cmexam:${join(dir, 'nope.csv')}`])).rejects.toThrow(`${join(dir, 'nope.csv')}: not_found`);
  });

  it('refuse a unified file that is neither .json nor .jsonl', async () => {
    const file = join(tmp(), 'test.csv');
    writeFileSync(file, 'q,a,b,c,d,A\n');
    await expect(loadItems([file])).rejects.toThrow(`${file}: not_a_benchmark_file: unified XMedBench items are read from .json (one array) and .jsonl files`);
  });
});

describe('records with a field missing', () => {
  it('name the file, the record or line, and the field', async () => {
    const dir = tmp();
    const medqa = join(dir, 'us.jsonl');
    writeFileSync(medqa, `${JSON.stringify({ question: 'Q?', options: { A: 'a', B: 'b' }, answer_idx: 'A' })}\n${JSON.stringify({ question: 'Q?', answer_idx: 'A' })}\n`);
    const err = await loadItems([`medqa-usmle:${medqa}`]).catch((e: unknown) => e);
    expect((err as Error).message).toBe(`${medqa}:2: missing_field: missing field "options"`);
    expect(err).toMatchObject({ at: { file: medqa, line: 2 }, field: 'options', reason: 'missing_field' });

    const cmb = join(dir, 'cmb.json');
    writeFileSync(cmb, JSON.stringify([{ question: '问?', answer: 'A' }]));
    await expect(loadItems([`cmb-single:${cmb}`])).rejects.toThrow(`${cmb} record 0: missing_field: missing field "option"`);
    writeFileSync(cmb, JSON.stringify([{ question: '问?', option: 'A 甲', answer: 'A' }]));
    await expect(loadItems([`cmb-single:${cmb}`])).rejects.toThrow(`${cmb} record 0: bad_field: field "option" must be a JSON object, got string`);

    const unified = join(dir, 'zh.jsonl');
    writeFileSync(unified, `${JSON.stringify({ question: '问?', option: '(A) 甲.\n(B) 乙.', source: 'cmexam' })}\n`);
    await expect(loadItems([unified])).rejects.toThrow(`${unified}:1: missing_field: missing field "answer" (or "anwer")`);
  });
});
