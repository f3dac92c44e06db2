import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsvRows } from '../csv';
import { objectKeysInTextOrder } from '../formats/json-key-order';
import type { XMedBenchItem } from '../item';
import { loadItems } from '../load';

// Real excerpts of the sources' files and of XMedBench's unified files: fixtures/README.md says where each comes from.
const FIXTURES = join(__dirname, 'fixtures');
const original = (format: string, name: string) => `${format}:${join(FIXTURES, 'original', name)}`;
const unified = (name: string) => join(FIXTURES, 'unified', name);
const reconstructed = (format: string, name: string) => `${format}:${join(FIXTURES, 'reconstructed', name)}`;
const DEV = join(__dirname, '../../../../pipelines/benchmarks/xmedbench-dev');

/** What an item says, without where it was read. */
const content = (i: XMedBenchItem) => ({ source: i.source, question: i.question, context: i.context, optionsText: i.optionsText, answerText: i.answerText, gold: i.gold, hash: i.hash });

async function items(path: string): Promise<XMedBenchItem[]> {
  return (await loadItems([path])).items;
}

let dev: Map<string, XMedBenchItem>;
beforeAll(async () => {
  dev = new Map((await items(DEV)).map((i) => [i.hash, i]));
});

describe('an original file read in its format gives XMedBench\'s unified items, in the same order', () => {
  it('PubMedQA ori_pqal.json: the first CONTEXTS section as context, records in file order, not PMID order', async () => {
    const fromOriginal = await items(original('pubmedqa', 'ori_pqal.json'));
    const fromUnified = await items(unified('pubmedqa.jsonl'));
    expect(fromOriginal.map(content)).toEqual(fromUnified.map(content));
    // The file's second and third PMIDs (16418930, 9488747) sort before its first (21645374).
    expect(fromOriginal.map((i) => i.question.slice(0, 20))).toEqual(['Do mitochondria play', 'Landolt C and snelle', 'Syncope during bathi']);
    const pqal = JSON.parse(readFileSync(join(FIXTURES, 'original', 'ori_pqal.json'), 'utf8')) as Record<string, { CONTEXTS: string[] }>;
    expect(fromOriginal[0]!.context).toBe(pqal['21645374']!.CONTEXTS[0]);
    expect(pqal['21645374']!.CONTEXTS).toHaveLength(2);
    expect(fromOriginal.map((i) => i.optionsText)).toEqual(Array(3).fill('(A) Yes.\n(B) No.\n(C) Maybe.'));
  });

  it('CMMLU anatomy.csv: option texts kept exactly (a trailing ideographic space, a leading space) before XMedBench\'s period', async () => {
    const fromOriginal = await items(original('cmmlu-medical', 'anatomy.csv'));
    const fromUnified = await items(unified('cmmlu-medical.jsonl'));
    expect(fromOriginal).toHaveLength(34);
    expect(fromOriginal.map(content)).toEqual(fromUnified.map(content));
    expect(fromOriginal[28]!.options.slice(0, 2).map((o) => o.text)).toEqual(['舌咽神经.迷走神经.副神经.颈内静脉\u3000.', ' 舌下神经.迷走神经.副神经.颈内静脉\u3000.']);
    expect(fromOriginal[33]!.optionsText.split('\n')[0]).toBe('(A)  由平滑肌纤维构成.');
  });

  it('so the first n items of a source are the same items from either file (what --limit n keeps)', async () => {
    for (const [path, twin] of [
      [original('pubmedqa', 'ori_pqal.json'), unified('pubmedqa.jsonl')],
      [original('cmmlu-medical', 'anatomy.csv'), unified('cmmlu-medical.jsonl')],
    ] as const) {
      const a = await items(path);
      const b = await items(twin);
      for (const n of [1, 2, 3]) expect(a.slice(0, n).map((i) => i.id)).toEqual(b.slice(0, n).map((i) => i.id));
    }
  });
});

describe('records of an original file that are in XMedBench\'s dev split hash to their dev twins', () => {
  it('MMLU medical_genetics_test.csv: option texts as the CSV writes them, no period added', async () => {
    const mmlu = await items(original('mmlu-medical', 'medical_genetics_test.csv'));
    expect(mmlu).toHaveLength(16);
    const twin = dev.get(mmlu[7]!.hash);
    expect(twin && content(twin)).toEqual(content(mmlu[7]!));
    expect(mmlu[7]!.optionsText.split('\n')[0]).toBe('(A) asparagine has been replaced by phenylalanine.');
    expect(mmlu[0]!.optionsText.split('\n')[0]).toBe('(A) telomeres.');
    expect(mmlu[14]!.options.map((o) => o.text)).toEqual(['46,XX', '47,XXX', '69,XYY', '45,X']);
  });

  it('the Arabic MMLU medical_genetics_test.csv (AceGPT\'s translation)', async () => {
    const ar = await items(original('mmlu-medical-ar', 'arabic_mmlu_medical_genetics_test.csv'));
    expect(ar).toHaveLength(16);
    for (const k of [1, 14]) {
      const twin = dev.get(ar[k]!.hash);
      expect(twin && content(twin)).toEqual(content(ar[k]!));
    }
    expect(ar[0]!.optionsText.split('\n')[0]).toBe('(A) أطراف الصبغيات.');
  });

  it('records rebuilt from dev items in the layouts of originals the stored material lacks (MedQA, MedMCQA, CMB, CMExam, Hindi MMLU)', async () => {
    for (const path of [
      reconstructed('medqa-usmle', 'medqa-us.jsonl'),
      reconstructed('medqa-mcmle', 'medqa-mainland.jsonl'),
      reconstructed('medmcqa', 'medmcqa-dev.json'),
      reconstructed('cmb-single', 'cmb-exam.json'),
      reconstructed('cmexam', 'cmexam-test.csv'),
      reconstructed('mmlu-medical-hi', 'mmlu_hi.csv'),
    ]) {
      const read = await items(path);
      expect(read.length).toBeGreaterThanOrEqual(2);
      for (const item of read) expect({ path, twin: dev.get(item.hash) && content(dev.get(item.hash)!) }).toEqual({ path, twin: content(item) });
    }
  });
});

describe('real records whose XMedBench twins are not in the stored material', () => {
  it('HEAD-QA HEAD.json: answers in aid order, "ra" as the release writes it (a string), a period after each text', async () => {
    const head = await items(original('headqa', 'HEAD.json'));
    expect(head).toHaveLength(3);
    expect(head[0]!.question).toBe('Los potenciales postsinápticos excitadores:');
    expect(head[0]!.optionsText.split('\n')).toEqual(['(A) Son de tipo todo o nada..', '(B) Son hiperpolarizantes..', '(C) Se pueden sumar..', '(D) Se propagan a largas distancias..', '(E) Presentan un periodo refractario..']);
    expect(head.map((i) => i.answerText)).toEqual(['(C)', '(B)', '(B)']);
  });

  it('FrenchMedMCQA dev.json: lower-case letters, a list of correct answers, the question\'s no-break space kept', async () => {
    const fr = await items(original('frenchmedmcqa', 'frenchmedmcqa_dev.json'));
    expect(fr.map((i) => i.answerText)).toEqual(['(E)', '(B)']);
    expect(fr[1]!.question.endsWith('tritium\u00a0?')).toBe(true);
    expect(fr[0]!.optionsText).toBe('(A) Glycolyse.\n(B) Lipolyse.\n(C) Néoglucogénèse.\n(D) Glycogénolyse.\n(E) Cétogénèse.');
  });
});

describe('reading', () => {
  it('names file and line of a malformed record', async () => {
    await expect(loadItems([reconstructed('medqa-usmle', 'medqa-bad.jsonl')])).rejects.toThrow(/medqa-bad\.jsonl:2: bad_answer/);
  });

  it('parses quoted CSV fields, and gives the same rows with CRLF line ends', async () => {
    const file = join(FIXTURES, 'original', 'medical_genetics_test.csv');
    const rows = [];
    for await (const r of readCsvRows(file)) rows.push(r);
    expect(rows).toHaveLength(16);
    expect(rows[14]).toEqual({ row: ['Which of the following is an example of monosomy?', '46,XX', '47,XXX', '69,XYY', '45,X', 'D'], line: 15 });
    const crlf = join(mkdtempSync(join(tmpdir(), 'bench-csv-')), 'crlf.csv');
    writeFileSync(crlf, readFileSync(file, 'utf8').replace(/\n/g, '\r\n'));
    const again = [];
    for await (const r of readCsvRows(crlf)) again.push(r);
    expect(again).toEqual(rows);
  });

  it('lists an object\'s keys in the order its text writes them', () => {
    expect(objectKeysInTextOrder('{"21645374": {"a": [1, {"x": "}"}]}, "9488747": "\\"q\\"", "b\\"c": 0}')).toEqual(['21645374', '9488747', 'b"c']);
    expect(objectKeysInTextOrder('[{"a": 1}]')).toEqual([]);
  });
});
