import { join } from 'node:path';
import { loadItems } from '../load';
import { readCsvRows } from '../csv';
import type { XMedBenchItem } from '../item';

const DIR = join(__dirname, 'fixtures/original');
const DEV = join(__dirname, '../../../../pipelines/benchmarks/xmedbench-dev');
const f = (format: string, name: string) => `${format}:${join(DIR, name)}`;

const FILES = [
  f('medqa-usmle', 'medqa-us.jsonl'),
  f('medqa-mcmle', 'medqa-mainland.jsonl'),
  f('medmcqa', 'medmcqa-dev.json'),
  f('pubmedqa', 'ori_pqal.json'),
  f('headqa', 'HEAD_ES.json'),
  f('frenchmedmcqa', 'frenchmedmcqa-test.json'),
  f('mmlu-medical', 'nutrition_test.csv'),
  f('mmlu-medical-ar', 'mmlu_ar_medical_genetics.csv'),
  f('mmlu-medical-hi', 'mmlu_hi_medical_genetics.csv'),
  f('cmmlu-medical', 'cmmlu_anatomy.csv'),
  f('cmexam', 'cmexam-test.csv'),
  f('cmb-single', 'cmb-exam.json'),
];

describe('loaders for the sources\' original formats', () => {
  let items: XMedBenchItem[];
  let dev: Map<string, XMedBenchItem>;
  beforeAll(async () => {
    const loaded = await loadItems(FILES);
    items = loaded.items;
    expect(loaded.counts).toEqual({
      'medqa-usmle': 2,
      'medqa-mcmle': 1,
      medmcqa: 2,
      pubmedqa: 2,
      headqa: 2,
      frenchmedmcqa: 2,
      'mmlu-medical': 2,
      'mmlu-medical-ar': 1,
      'mmlu-medical-hi': 1,
      'cmmlu-medical': 1,
      cmexam: 2,
      'cmb-single': 1,
    });
    dev = new Map((await loadItems([DEV])).items.map((i) => [i.hash, i]));
  });

  it('maps the first record of every format to exactly the XMedBench dev item it became (same content hash)', () => {
    for (const file of FILES) {
      const first = items.find((i) => i.file === file.slice(file.indexOf(':') + 1) && i.index === 0)!;
      const twin = dev.get(first.hash);
      expect({ file, twin: twin?.source }).toEqual({ file, twin: first.source });
      expect(first.optionsText).toBe(twin!.optionsText);
      expect(first.gold).toEqual(twin!.gold);
      expect(first.language).toBe(twin!.language);
      expect(first.context ?? '').toBe(twin!.context ?? '');
    }
  });

  it('reads multi-answer golds, unordered option ids, quoted CSV fields and joined contexts', () => {
    const by = (source: string, index: number) => items.find((i) => i.source === source && i.index === index)!;
    expect(by('frenchmedmcqa', 1).gold).toEqual(['A', 'C']);
    expect(by('frenchmedmcqa', 1).answerText).toBe('(AC)');
    expect(by('cmexam', 1).gold).toEqual(['A', 'B', 'C', 'E']);
    expect(by('headqa', 0).options.map((o) => o.text.trim())).toEqual(['Pepsinógeno..', 'Tripsinógeno..', 'Insulina..', 'Tripsina..']);
    expect(by('headqa', 1).gold).toEqual(['D']);
    expect(by('mmlu-medical', 1).question).toBe('A "quoted" question, with a comma\nand a line break?');
    expect(by('mmlu-medical', 1).gold).toEqual(['B']);
    expect(by('pubmedqa', 1).context).toBe('Aspirin was given to 40 patients. Fever fell in 38.');
    expect(by('pubmedqa', 1).gold).toEqual(['A']);
    expect(by('medmcqa', 1).gold).toEqual(['B']);
    expect(by('medqa-usmle', 1).options).toHaveLength(5);
  });

  it('names file and line of a malformed record', async () => {
    await expect(loadItems([f('medqa-usmle', 'medqa-bad.jsonl')])).rejects.toThrow(/medqa-bad\.jsonl:2: bad_answer/);
  });

  it('parses CSV across chunk boundaries and CRLF', async () => {
    const rows = [];
    for await (const r of readCsvRows(join(DIR, 'mmlu_ar_medical_genetics.csv'))) rows.push(r);
    expect(rows).toEqual([{ row: ['ما هو مثال على الهيموسومية؟', '46، XX', '47، XXX', '69، XYY', '45، X', 'D'], line: 1 }]);
  });
});
