import { copyFile, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Doc, DocItem } from '@apollo/document';
import { runStage, silentLogger } from '@apollo/stage';
import { apolloFileName, parseApolloFileName, readApolloFile, readApolloRelease } from '../apollo';
import type { Manifest } from '../manifest';
import { convertStage } from '../stage';
import { DATA, fixtureDocs, tempDir, writeDocFiles } from './fixtures';

async function collect(items: AsyncIterable<DocItem>): Promise<DocItem[]> {
  const out: DocItem[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** What the release format keeps of a document. */
const essence = (d: Doc) => JSON.stringify([d.lang, d.source, d.kind, d.kind === 'qa' ? d.turns : d.text]);

describe('Apollo release file names', () => {
  it('maps source types to the release names and back', () => {
    expect(apolloFileName({ lang: 'en', source: 'encyclopedia', kind: 'text' })).toBe('medicalWiki_en_text.json');
    expect(apolloFileName({ lang: 'zh', source: 'paper', kind: 'qa' })).toBe('medicalPaper_zh_qa.json');
    expect(apolloFileName({ lang: 'fr', source: 'exam', kind: 'qa' })).toBe('medicalExam_fr.json');
    expect(apolloFileName({ lang: 'ar', source: 'dialogue', kind: 'qa' })).toBe('medicalPatient_ar.json');
    expect(apolloFileName({ lang: 'en', source: 'general', kind: 'text' })).toBeUndefined();
    expect(parseApolloFileName('medicalGuideline_en_text.json')).toEqual({ lang: 'en', source: 'guideline', kind: 'text' });
    expect(parseApolloFileName('code_zh.json')).toEqual({ lang: 'zh', source: 'code', kind: 'qa' });
    expect(parseApolloFileName('medicalExam_en_clean.json')).toBeUndefined();
    expect(parseApolloFileName('medicalBook_de_text.json')).toBeUndefined();
    expect(parseApolloFileName('general_en_qa.json')).toBeUndefined();
  });
});

describe('Apollo release format', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir('apollo');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes the release files on --apollo-format and reads them back into the same documents', async () => {
    const docs = fixtureDocs(5);
    const files = await writeDocFiles(join(dir, 'in'), docs, 2);
    const out = join(dir, 'out');
    const outcome = await runStage(convertStage, { input: files, output: out, workers: 1, apolloFormat: true, shardMaxBytes: 5000 }, undefined, silentLogger);
    expect(outcome.exitCode).toBe(0);
    const names = (await readdir(join(out, 'apollo'))).sort();
    expect(names).toEqual([
      'general_zh.json',
      'medicalBook_en_qa.json',
      'medicalExam_ar.json',
      'medicalExam_es.json',
      'medicalExam_fr.json',
      'medicalExam_hi.json',
      'medicalGuideline_en_text.json',
      'medicalPaper_zh_qa.json',
    ]);
    const guideline = JSON.parse(await readFile(join(out, 'apollo', 'medicalGuideline_en_text.json'), 'utf8')) as unknown[];
    expect(guideline.every((x) => typeof x === 'string')).toBe(true);
    const exams = JSON.parse(await readFile(join(out, 'apollo', 'medicalExam_es.json'), 'utf8')) as string[][];
    expect(exams).toHaveLength(5);
    expect(exams[0]).toHaveLength(2);

    const back = await collect(readApolloRelease(join(out, 'apollo')));
    expect(back.every((i) => 'doc' in i)).toBe(true);
    const read = back.map((i) => (i as { doc: Doc }).doc);
    expect(read.map(essence).sort()).toEqual(docs.map(essence).sort());
    // Ids are content hashes, so the round trip keeps them too.
    expect(new Set(read.map((d) => d.id))).toEqual(new Set(docs.map((d) => d.id)));
    expect(read.find((d) => d.source === 'exam')!.stage).toBe('sft');

    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.apollo!.files.find((f) => f.path === 'apollo/medicalExam_es.json')!.records).toBe(5);
    expect(manifest.apollo!.skipped).toEqual({});
  });

  it('reads a file of the real release, and reports malformed elements with their index', async () => {
    const file = join(dir, 'medicalBook_en_qa.json');
    await copyFile(join(DATA, 'apollo-train-samples', 'Medical_Book_en_sampled.json'), file);
    const items = await collect(readApolloFile(file));
    expect(items).toHaveLength(100);
    const first = (items[0] as { doc: Doc }).doc;
    expect(first).toMatchObject({ kind: 'qa', source: 'book', stage: 'pretrain', lang: 'en', provenance: { file, record: 0 } });
    expect(first.turns![0]).toBe('What is characteristic of microfilaria of W. bancrofti?');

    const bad = join(dir, 'medicalWeb_es_text.json');
    await writeFile(bad, JSON.stringify(['Texto médico válido.', ['not', 'a string'], '   ']));
    const badItems = await collect(readApolloFile(bad));
    expect(badItems.map((i) => ('doc' in i ? 'doc' : i.problem.reason))).toEqual(['doc', 'invalid_record', 'empty']);
    expect('problem' in badItems[1]! && badItems[1].problem.at).toEqual({ file: bad, record: 1 });
  });
});
