import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDoc, type Doc } from '@apollo/document';
import { runStage, silentLogger, verifyStage, type StageOptions } from '@apollo/stage';
import { loadBenchmarks, type BenchmarkItem } from '../decontam/benchmark';
import { checkDocument } from '../decontam/decontaminate';
import { BenchmarkIndex, DEFAULT_DECONTAM_OPTIONS } from '../decontam/ngram-index';
import { readReport, reportFiles } from '../decontam/report';
import { dedupeStage } from '../stage';
import { fixtureDoc, writeDocFiles } from './fixtures/corpus';
import { MEDICAL_TEXTS } from './fixtures/medical-texts';

const BENCH = join(__dirname, 'fixtures', 'xmedbench-sample');

let items: BenchmarkItem[];
let index: BenchmarkIndex;
const item = (source: string, n = 0) => items.find((i) => i.id === `${source}:${n}`)!;
/** An item's option texts, without their labels. */
const optionTexts = (i: BenchmarkItem) => i.options.map((o) => o.text);

beforeAll(async () => {
  items = await loadBenchmarks([BENCH]);
  index = new BenchmarkIndex(items);
});

const paragraph = (lang: string) => MEDICAL_TEXTS.find((t) => t.lang === lang)!.base.join(lang === 'zh' ? '' : ' ');
const found = (doc: Doc) => {
  const v = checkDocument(doc, index, 'drop');
  return v.status === 'clean' ? [] : v.items.map((k) => items[k]!.id);
};

describe('benchmark files', () => {
  it('reads questions and options, with the older misspelt keys too', () => {
    expect(items.filter((i) => i.source === 'frenchmedmcqa')).toHaveLength(1);
    expect(item('frenchmedmcqa').options).toHaveLength(5);
    expect(optionTexts(item('medqa-usmle'))).toEqual(['Adenosine.', 'Inorganic phosphate.', 'Prostaglandin E2.', 'Transforming growth factor beta.']);
    expect(items.filter((i) => i.source === 'medmcqa').map((i) => i.id)).toEqual(['medmcqa:0', 'medmcqa:1']);
  });
});

describe('benchmark files in every format the eval reads', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'decontam-bench-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  // A question too short to match alone (under the verbatim minimum): only its options make it findable.
  const question = 'Le traitement de référence est :';
  const answers = {
    a: 'une corticothérapie par voie générale pendant trois semaines',
    b: 'une antibiothérapie probabiliste adaptée secondairement',
    c: 'une surveillance clinique simple sans aucun traitement',
  };
  const page = `Révisions de pharmacie.\n${question}\n${Object.values(answers).join('\n')}\n${paragraph('fr')}`;

  it('matches the options of FrenchMedMCQA original files, JSON lines with the older keys, CSV and PubMedQA originals', async () => {
    await writeFile(join(dir, 'fr-test.json'), JSON.stringify([{ id: 'x', question, answers, correct_answers: ['a'] }]));
    await writeFile(join(dir, 'fr.jsonl'), JSON.stringify({ question, option: `(A) ${answers.a}.\n(B) ${answers.b}.\n(C) ${answers.c}.`, anwer: '(A)', source: 'frenchmedmcqa' }) + '\n');
    await writeFile(join(dir, 'nutrition_test.csv'), 'Which vitamin deficiency causes scurvy in sailors on long voyages without fresh fruit?,A,B,C,D,C\n');
    const pqal = { '12345678': { QUESTION: 'Does regular hand washing by ward staff reduce hospital acquired infection rates?', CONTEXTS: ['Staff were observed.'], final_decision: 'yes' } };
    await writeFile(join(dir, 'ori_pqal.json'), JSON.stringify(pqal));
    const bench = await loadBenchmarks([`frenchmedmcqa:${join(dir, 'fr-test.json')}`, join(dir, 'fr.jsonl'), `mmlu-medical:${join(dir, 'nutrition_test.csv')}`, `pubmedqa:${join(dir, 'ori_pqal.json')}`]);
    expect(bench.map((i) => i.id)).toEqual(['frenchmedmcqa:0', 'frenchmedmcqa:1', 'mmlu-medical:0', 'pubmedqa:0']);
    const idx = new BenchmarkIndex(bench);
    const hits = (text: string, lang: string) => {
      const v = checkDocument(fixtureDoc(text, lang, 'web', 20), idx, 'drop');
      return v.status === 'clean' ? [] : v.items.map((k) => bench[k]!.id);
    };
    expect(hits(page, 'fr')).toEqual(['frenchmedmcqa:0', 'frenchmedmcqa:1']);
    expect(hits(`Quiz: which vitamin deficiency causes scurvy in sailors on long voyages without fresh fruit? Answer below.`, 'en')).toEqual(['mmlu-medical:0']);
    expect(hits(`Journal club. Does regular hand washing by ward staff reduce hospital acquired infection rates? We think so.`, 'en')).toEqual(['pubmedqa:0']);
  });

  it('names a file of the benchmark folder that is not a benchmark file instead of skipping it', async () => {
    const folder = join(dir, 'bench');
    await mkdir(folder);
    await writeFile(join(folder, 'en.jsonl'), JSON.stringify({ question, options: '(A) a.\n(B) b.', answer: '(A)', source: 'frenchmedmcqa' }) + '\n');
    await writeFile(join(folder, 'test.csv'), 'q,a,b,c,d,A\n');
    await expect(loadBenchmarks([folder])).rejects.toThrow(`${join(folder, 'test.csv')}: not_a_benchmark_file`);
    await rm(join(folder, 'test.csv'));
    expect((await loadBenchmarks([folder])).map((i) => i.id)).toEqual(['frenchmedmcqa:0']);
  });
});

describe('planted benchmark items', () => {
  it('finds an item copied verbatim into a web page', () => {
    const q = item('medqa-usmle');
    const text = `Question of the day\n${q.question}\nA. Adenosine\nB. Inorganic phosphate\n\n${paragraph('en')}`;
    expect(found(fixtureDoc(text, 'en', 'web', 1))).toEqual(['medqa-usmle:0']);
  });

  it('finds lightly edited items: names and words changed, case and spacing changed (en, es, fr)', () => {
    const mmlu = item('mmlu-medical').question.replace('David', 'Daniel').replace('cellist', 'violinist').toUpperCase().replace(/ /g, '  ');
    expect(found(fixtureDoc(`Forum post:\n${mmlu}\nAny ideas?`, 'en', 'web', 2))).toEqual(['mmlu-medical:0']);
    const es = item('headqa').question.replace('persona', 'paciente');
    expect(found(fixtureDoc(`${paragraph('es')}\n${es}\n${optionTexts(item('headqa')).join('\n')}`, 'es', 'web', 3))).toEqual(['headqa:0']);
    const fr = item('frenchmedmcqa').question.replace(/,/g, '');
    expect(found(fixtureDoc(`${fr} ${paragraph('fr')}`, 'fr', 'paper', 4))).toEqual(['frenchmedmcqa:0']);
  });

  it('finds a Chinese item with its opening rewritten through 13-character n-grams, not a sentence that merely starts alike', () => {
    expect(found(fixtureDoc('皮肤的最表浅层，由角化或不全角化的扁平细胞组成，称为角化层。', 'zh', 'book', 5))).toEqual(['cmexam:0']);
    expect(found(fixtureDoc(`钙的生理功能有很多。${paragraph('zh')}`, 'zh', 'web', 6))).toEqual([]);
    const withOptions = `钙的生理功能有：抗氧化；维持视觉；与骨骼牙齿发育有关；促进食欲。`;
    expect(found(fixtureDoc(withOptions, 'zh', 'exam', 7))).toEqual(['cmmlu-medical:0']);
  });

  it('finds questions shorter than an n-gram verbatim, Arabic spelling variants included, but not very short phrases', () => {
    expect(found(fixtureDoc(`Clinic notes. Tip of ultrasonic scaler after usage, cleaned by the nurse.`, 'en', 'web', 8))).toEqual(['medmcqa:1']);
    expect(found(fixtureDoc('سؤال: سبب اساسي للتعب في التمارين عالية الكثافة هو نقص الاكسجين', 'ar', 'web', 9))).toEqual(['mmlu-medical-ar:0']);
    const strict = new BenchmarkIndex(items, { ...DEFAULT_DECONTAM_OPTIONS, minVerbatimWords: 9 });
    expect(checkDocument(fixtureDoc('Tip of ultrasonic scaler after usage, cleaned by the nurse.', 'en', 'web', 10), strict, 'drop').status).toBe('clean');
  });

  it('leaves same-topic text alone in all six languages', () => {
    for (const t of MEDICAL_TEXTS) expect(found(fixtureDoc([...t.base, ...t.unrelated].join(t.joiner), t.lang, 'web', 11))).toEqual([]);
  });

  it('cuts only the lines holding the item, drops what would be left too short, and always drops exam QA whole', () => {
    const q = item('medqa-usmle');
    const doc = fixtureDoc(`${paragraph('en')}\n${q.question}\n${optionTexts(q).join(' ')}\n${MEDICAL_TEXTS[0]!.unrelated.join(' ')}`, 'en', 'web', 12);
    const v = checkDocument(doc, index, 'cut');
    expect(v.status).toBe('cut');
    if (v.status !== 'cut') return;
    expect(v.removedLines).toBe(2);
    expect(v.doc.text).toBe(`${paragraph('en')}\n${MEDICAL_TEXTS[0]!.unrelated.join(' ')}`);
    expect(v.doc.id).not.toBe(doc.id);
    expect(v.doc.meta?.decontamCutFrom).toBe(doc.id);
    expect(checkDocument(fixtureDoc(q.question, 'en', 'web', 13), index, 'cut')).toMatchObject({ status: 'drop', why: 'too_little_left' });
    const made = makeDoc({ kind: 'qa', turns: [q.question, 'The answer is (A).'], source: 'exam', stage: 'sft', provenance: {} }, { file: 'fixture' });
    if (!made.ok) throw new Error('bad qa doc');
    expect(checkDocument({ ...made.value, lang: 'en' }, index, 'cut')).toMatchObject({ status: 'drop', why: 'qa' });
  });
});

describe('decontamination in the dedupe stage', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'decontam-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('drops planted items, and reports per benchmark source what was found and where', async () => {
    const q = item('medqa-usmle');
    const docs = MEDICAL_TEXTS.map((t, i) => fixtureDoc(t.base.join(t.joiner), t.lang, 'paper', i));
    const planted = [
      fixtureDoc(`${q.question}\n${optionTexts(q).join('\n')}`, 'en', 'web', 100),
      fixtureDoc(`${MEDICAL_TEXTS.find((t) => t.lang === 'hi')!.unrelated.join(' ')} ${item('mmlu-medical-hi').question} ${optionTexts(item('mmlu-medical-hi')).join(' ')}`, 'hi', 'web', 101),
      fixtureDoc('下列哪一层为上皮的最表浅层，由角化或不全角化的扁平细胞组成？', 'zh', 'exam', 102),
    ];
    const inputs = await writeDocFiles(dir, [[...docs.slice(0, 3), planted[0]!], [...docs.slice(3), planted[1]!, planted[2]!]]);
    const out = join(dir, 'out');
    const opts: StageOptions = { input: inputs, output: out, workers: 1, quiet: true, decontaminate: [BENCH] };
    expect((await runStage(dedupeStage, opts, undefined, silentLogger)).exitCode).toBe(0);
    const report = await verifyStage(out);
    expect(report.problems).toEqual([]);
    expect(report.dropped.benchmark_contamination).toBe(3);
    expect(report.docsOut).toBe(6);

    const r = await readReport(out);
    expect(r.documents).toEqual({ dropped: 3, cut: 0 });
    expect(r.sources['medqa-usmle']).toMatchObject({ items: 1, found: 1 });
    expect(r.sources['medqa-usmle']!.foundItems[0]!.documents.map((d) => d.docId)).toEqual([planted[0]!.id]);
    expect(r.sources['mmlu-medical-hi']!.foundItems[0]!.documents[0]!.docId).toBe(planted[1]!.id);
    expect(r.sources.cmexam!.found).toBe(1);
    expect(r.sources.headqa).toEqual({ items: 1, found: 0, documents: { dropped: 0, cut: 0 }, foundItems: [] });
    expect(r.sources.cmexam!.documents).toEqual({ dropped: 1, cut: 0 });
    const md = await readFile(reportFiles(out).markdown, 'utf8');
    expect(md).toContain('| source | items | found in corpus | documents dropped | documents cut |');
    expect(md).toContain('| medqa-usmle | 1 | 1 | 1 | 0 |');
    expect(md).toContain(planted[0]!.id.slice(0, 12));
  });
});
