import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkPipeline, ConfigError, loadPipelineFile, pipelineJsonSchema, settingsMarkdown } from '@apollo/stage';
import { PIPELINE_CATALOG } from '../catalog';

const PIPELINES = resolve(__dirname, '../../../../pipelines');
const APOLLO = join(PIPELINES, 'apollo-corpus.json');

describe('the pipeline catalog', () => {
  it('accepts the bundled pipeline, with its output and paths relative to the file', async () => {
    const pipeline = await loadPipelineFile(APOLLO, PIPELINE_CATALOG);
    expect(pipeline.output).toBe(resolve(PIPELINES, '..', 'output', 'apollo-corpus'));
    expect(Object.keys(pipeline.stages).sort()).toEqual(['convert', 'crawl', 'dedupe']);
  });

  it('is the schema committed for editors (pipelines/pipeline.schema.json)', () => {
    const committed = JSON.parse(readFileSync(join(PIPELINES, 'pipeline.schema.json'), 'utf8')) as unknown;
    // On a difference: node dist/tools/pipeline/main.js schema --write pipelines/pipeline.schema.json
    expect(committed).toEqual(pipelineJsonSchema(PIPELINE_CATALOG));
  });

  describe('a pipeline file with mistakes', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'catalog-'));
    });
    afterEach(() => rm(dir, { recursive: true, force: true }));

    it('is refused whole, every problem named by file and key path', async () => {
      const file = join(dir, 'bad.json');
      await writeFile(
        file,
        JSON.stringify({
          name: 'bad',
          outptu: 'x',
          sources: [{ id: 'a', path: 'nowhere', format: 'jsonl', source: 'web', stage: 'pretrain' }],
          stages: {
            langidd: { detector: 'eld' },
            dedupe: { treshold: 0.5, bands: 0, decontaminate: ['benchmarks/none'] },
            convert: { compression: 'ZSTD' },
            crawl: { crawler: { delayMs: -1, stateDirectory: 'x' } },
          },
        }),
      );
      let error: ConfigError | undefined;
      try {
        await loadPipelineFile(file, PIPELINE_CATALOG);
      } catch (err) {
        error = err as ConfigError;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect(error!.problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
        '(top level): unknown key "outptu" (did you mean "output"?); known: $schema, name, description, output, sources, stages',
        `sources[0] (a).path: not found: ${join(dir, 'nowhere')} (paths are relative to the pipeline file)`,
        'stages: unknown stage "langidd" (did you mean "langid"?); known: crawl, langid, dedupe, convert',
        expect.stringMatching(/^stages\.dedupe: unknown key "treshold" \(did you mean "threshold"\?\)/),
        'stages.dedupe.bands: must be an integer >= 1, got 0',
        `stages.dedupe.decontaminate: not found: ${join(dir, 'benchmarks', 'none')} (relative paths are resolved against the pipeline file's folder)`,
        'stages.convert.compression: must be one of SNAPPY, GZIP, UNCOMPRESSED, got "ZSTD"',
        'stages.crawl.crawler.delayMs: must be an integer >= 0, got -1',
        expect.stringMatching(/^stages\.crawl\.crawler: unknown key "stateDirectory" \(did you mean "stateDir"\?\)/),
      ]);
      expect(error!.problems.every((p) => p.where === file)).toBe(true);
    });

    it('names a stage section that is not an object, and a file that is not JSON', async () => {
      expect(checkPipeline({ stages: { dedupe: [] } }, 'p.json', PIPELINE_CATALOG)).toEqual([{ where: 'p.json', path: 'stages.dedupe', message: 'must be an object of settings, got []' }]);
      await writeFile(join(dir, 'broken.json'), '{"stages": ');
      await expect(loadPipelineFile(join(dir, 'broken.json'), PIPELINE_CATALOG)).rejects.toThrow(`${join(dir, 'broken.json')}: not valid JSON`);
    });
  });
});

describe("the stage pages' settings tables", () => {
  // Each stage page holds its settings table between `<!-- settings:<stage> -->` and
  // `<!-- /settings -->`, as `node dist/tools/pipeline/main.js settings <stage>` prints it.
  it.each(Object.keys(PIPELINE_CATALOG.stages))('docs/%s.md lists the stage settings as declared', (stage) => {
    const page = readFileSync(resolve(__dirname, '../../../../docs', `${stage}.md`), 'utf8');
    const m = new RegExp(`<!-- settings:${stage} -->\\n([\\s\\S]*?)\\n<!-- /settings -->`).exec(page);
    expect(m).not.toBeNull();
    expect(m![1]).toBe(settingsMarkdown(PIPELINE_CATALOG.stages[stage]!));
  });
});
