import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { resolveInputFiles, resolveSourceFiles } from './source-files';
import { parseSourceSpecs } from './source-spec';

describe('parseSourceSpecs', () => {
  const file = 'pipelines/test.json';

  it('accepts a full spec and defaults the format to auto', () => {
    const specs = parseSourceSpecs(
      [
        { id: 'es-wiki', path: 'samples/es', source: 'encyclopedia', stage: 'pretrain', kind: 'text', lang: 'es', license: 'CC-BY', note: 'n', maxChars: 100 },
        { id: 'release', path: 'data/apollo' },
      ],
      file,
    );
    expect(specs[0]).toEqual({ id: 'es-wiki', path: 'samples/es', format: 'auto', source: 'encyclopedia', stage: 'pretrain', kind: 'text', lang: 'es', license: 'CC-BY', note: 'n', maxChars: 100 });
    expect(specs[1]).toEqual({ id: 'release', path: 'data/apollo', format: 'auto' });
  });

  it.each([
    [[{ id: 'a', path: 'x', format: 'xml' }], 'pipelines/test.json: sources[0] (a): unknown format "xml"'],
    [[{ id: 'a', path: 'x' }, { id: 'b', path: 'y', source: 'blog' }], 'pipelines/test.json: sources[1] (b): unknown source type "blog"'],
    [[{ id: 'a', path: 'x', stage: 'finetune' }], 'sources[0] (a): unknown stage "finetune"'],
    [[{ id: 'a', path: 'x', kind: 'chat' }], 'sources[0] (a): unknown kind "chat"'],
    [[{ id: 'a', path: 'x', lang: 'English' }], 'sources[0] (a): "lang" must be a language code'],
    [[{ id: 'a', path: 'x', licence: 'MIT' }], 'sources[0] (a): unknown field "licence"'],
    [[{ path: 'x' }], 'pipelines/test.json: sources[0]: "id" must be'],
    [[{ id: 'a' }], 'sources[0] (a): "path" must be a non-empty string'],
    [[{ id: 'a', path: 'x' }, { id: 'a', path: 'y' }], 'sources[1] (a): id "a" is already used by sources[0]'],
    [[{ id: 'a', path: 'x', maxChars: 0 }], 'sources[0] (a): "maxChars" must be a positive integer'],
    [['samples/es'], 'pipelines/test.json: sources[0]: a source must be an object'],
  ])('rejects %j', (raw, message) => {
    expect(() => parseSourceSpecs(raw, file)).toThrow(message);
  });

  it('requires a list', () => {
    expect(() => parseSourceSpecs({ id: 'a' }, file)).toThrow('pipelines/test.json: "sources" must be a list');
  });
});

describe('resolving source files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingest-spec-'));
    await mkdir(join(dir, 'data', 'release', 'sub'), { recursive: true });
    await writeFile(join(dir, 'data', 'release', 'medicalWiki_fr_text.json'), '[]');
    await writeFile(join(dir, 'data', 'release', 'sub', 'medicalExam_zh.json'), '[]');
    await writeFile(join(dir, 'data', 'release', 'README.md'), 'not an input');
    await writeFile(join(dir, 'data', 'release', '.hidden.json'), '[]');
    await writeFile(join(dir, 'data', 'notes.json'), '[]');
    await writeFile(join(dir, 'data', 'page.html'), '<p>x</p>');
    await writeFile(join(dir, 'pipe.json'), '{}');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('lists folder files recursively in sorted order, relative to the pipeline folder, with specs from the names', async () => {
    const files = await resolveSourceFiles(
      parseSourceSpecs([{ id: 'release', path: 'data/release', license: 'Apache-2.0', ignore: ['README.md'] }], 'pipe.json'),
      'pipe.json',
      dir,
      ['.*'],
    );
    expect(files).toEqual([
      { file: join('data', 'release', 'medicalWiki_fr_text.json'), sourceId: 'release', format: 'apollo', source: 'encyclopedia', stage: 'pretrain', kind: 'text', lang: 'fr', license: 'Apache-2.0' },
      { file: join('data', 'release', 'sub', 'medicalExam_zh.json'), sourceId: 'release', format: 'apollo', source: 'exam', stage: 'sft', kind: 'qa', lang: 'zh', license: 'Apache-2.0' },
    ]);
  });

  it("refuses a folder holding a file the source cannot read, naming it, unless an ignore glob leaves it out", async () => {
    const spec = parseSourceSpecs([{ id: 'release', path: 'data/release' }], 'pipe.json');
    await expect(resolveSourceFiles(spec, 'pipe.json', dir)).rejects.toThrow(
      `pipe.json: sources[0] (release): 1 file(s) under ${join(dir, 'data', 'release')} have no format the crawl reads (.json, .jsonl, .txt, .html, .urls): ${join(dir, 'data', 'release', 'README.md')}.`,
    );
    // A hidden file with a format is an input like any other: here one whose name says nothing.
    await expect(resolveSourceFiles(spec, 'pipe.json', dir, ['*.md'])).rejects.toThrow(`${join('data', 'release', '.hidden.json')} is not an Apollo release file name`);
    expect(() => parseSourceSpecs([{ id: 'a', path: 'x', ignore: 'README.md' }], 'pipe.json')).toThrow('sources[0] (a): "ignore" must be a list of globs');
  });

  it('lets declared values win over the file name', async () => {
    const [spec] = await resolveSourceFiles(
      parseSourceSpecs([{ id: 'x', path: 'data/release/medicalWiki_fr_text.json', source: 'web', lang: 'fr-CA' }], 'pipe.json'),
      'pipe.json',
      dir,
    );
    expect(spec).toMatchObject({ source: 'web', stage: 'pretrain', kind: 'text', lang: 'fr-CA' });
  });

  it('names the source when a file has no known source type, or is missing, or is listed twice', async () => {
    await expect(resolveSourceFiles(parseSourceSpecs([{ id: 'notes', path: 'data/notes.json' }], 'pipe.json'), 'pipe.json', dir)).rejects.toThrow(
      'pipe.json: sources[0] (notes): data/notes.json is not an Apollo release file name; set "source"',
    );
    await expect(resolveSourceFiles(parseSourceSpecs([{ id: 'gone', path: 'data/none' }], 'pipe.json'), 'pipe.json', dir)).rejects.toThrow(
      'pipe.json: sources[0] (gone): path not found',
    );
    const twice = parseSourceSpecs(
      [
        { id: 'all', path: 'data/release', ignore: ['README.md', '.*'] },
        { id: 'one', path: 'data/release/sub/medicalExam_zh.json' },
      ],
      'pipe.json',
    );
    await expect(resolveSourceFiles(twice, 'pipe.json', dir)).rejects.toThrow(/listed twice \(pipe.json: sources\[0\] \(all\) and pipe.json: sources\[1\] \(one\)\)/);
  });

  it('resolves ad-hoc inputs with command-line defaults for files whose names say nothing', async () => {
    const files = await resolveInputFiles([join(dir, 'data', 'page.html'), join(dir, 'data', 'release')], { format: 'auto', lang: 'fr' }, { source: 'web', stage: 'pretrain' }, dir, ['README.md', '.*']);
    expect(files.map((f) => [relative(dir, join(dir, f.file)), f.source, f.stage, f.lang, f.format])).toEqual([
      [join('data', 'page.html'), 'web', 'pretrain', 'fr', 'html'],
      [join('data', 'release', 'medicalWiki_fr_text.json'), 'encyclopedia', 'pretrain', 'fr', 'apollo'],
      [join('data', 'release', 'sub', 'medicalExam_zh.json'), 'exam', 'sft', 'fr', 'apollo'],
    ]);
  });
});
