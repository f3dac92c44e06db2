import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadItems } from '../load';
import { ORIGINAL_FORMATS, originalFormatsTable, SOURCES, sourceInfo } from '../sources';

const DEV = join(__dirname, '../../../../pipelines/benchmarks/xmedbench-dev');

describe('the source table', () => {
  it('holds the 12 XMedBench sources with their test sizes (22,326 items) and the paper\'s 9 columns', () => {
    expect(SOURCES).toHaveLength(12);
    expect(SOURCES.reduce((n, s) => n + s.testItems, 0)).toBe(22326);
    expect(SOURCES.filter((s) => s.paperColumn).map((s) => s.paperColumn)).toEqual(['USMLE', 'MedMCQA', 'MMLU-en', 'MCMLE', 'CMMLU', 'FrenchMedMCQA', 'HEAD-QA', 'MMLU-ar', 'MMLU-hi']);
    expect(sourceInfo('pubmedqa')).toMatchObject({ language: 'en', options: 3, promptTemplate: 'pubmedqa' });
  });

  it('names every original format once, each loading its own source', () => {
    expect([...ORIGINAL_FORMATS.keys()]).toHaveLength(13);
    expect(ORIGINAL_FORMATS.get('medmcqa-hf')!.source.key).toBe('medmcqa');
    for (const s of SOURCES) expect(Object.keys(s.formats).length).toBeGreaterThanOrEqual(1);
  });

  it('agrees with the real dev items: option counts, languages, single answers where not flagged multi-answer', async () => {
    const { items } = await loadItems([DEV]);
    for (const item of items) {
      const s = sourceInfo(item.source)!;
      expect({ id: item.id, language: item.language }).toEqual({ id: item.id, language: s.language });
      if (item.source === 'cmexam') expect(item.options.length).toBeLessThanOrEqual(s.options);
      else expect({ id: item.id, options: item.options.length }).toEqual({ id: item.id, options: s.options });
      if (!s.multiAnswer) expect(item.gold).toHaveLength(1);
    }
    expect(items.some((i) => i.gold.length > 1)).toBe(true);
  });
});

describe('the original-formats table', () => {
  it('is the one in docs/eval.md', () => {
    expect(readFileSync(join(__dirname, '../../../../docs/eval.md'), 'utf8')).toContain(originalFormatsTable());
  });
});
