import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { itemMatchingText } from '@apollo/benchmark-items';
import { loadBenchmarks, type BenchmarkItem } from '../decontam/benchmark';
import { readCleanTexts, type CleanText } from '../decontam/clean-texts';
import { matchTokens } from '../decontam/match-tokens';
import { BenchmarkIndex } from '../decontam/ngram-index';
import { buildPlantedSet, measurePlanted, PLANTED_FORMS } from '../decontam/planted-set';

const REPO = join(__dirname, '..', '..', '..', '..');
const DEV = join(REPO, 'pipelines', 'benchmarks', 'xmedbench-dev');
const SAMPLES = join(REPO, 'pipelines', 'samples');
/** The sample corpus's texts in the six languages (not its planted contamination, nor its malformed and mixed-language files). */
const CLEAN = ['en', 'zh', 'es', 'fr', 'ar', 'hi', 'apollo'].map((d) => join(SAMPLES, d));
const SEED = 7;

let items: BenchmarkItem[];
let clean: CleanText[];
/** Per source: the item with the shortest question, the one with the shortest question and options together, and its first item. */
let subset: number[];

beforeAll(async () => {
  items = await loadBenchmarks([DEV]);
  clean = readCleanTexts(CLEAN);
  const length = (k: number, text: string) => matchTokens(text, BenchmarkIndex.itemMode(items[k]!)).length;
  const picked = new Set<number>();
  for (const source of new Set(items.map((i) => i.source))) {
    const ks = items.flatMap((i, k) => (i.source === source ? [k] : []));
    const shortest = (f: (k: number) => number) => ks.reduce((a, b) => (f(b) < f(a) ? b : a));
    picked.add(shortest((k) => length(k, items[k]!.question)));
    picked.add(shortest((k) => length(k, itemMatchingText(items[k]!))));
    picked.add(ks[0]!);
  }
  subset = [...picked].sort((a, b) => a - b);
});

describe('the planted set', () => {
  it('is built from real items of all twelve sources and clean text in all six languages', () => {
    expect(new Set(subset.map((k) => items[k]!.source)).size).toBe(12);
    expect([...new Set(clean.map((c) => c.lang))].sort()).toEqual(['ar', 'en', 'es', 'fr', 'hi', 'zh']);
    expect(items.find((i) => i.question === 'Gingivitis')).toBeDefined();
  });

  it('is the same for the same seed, and an item gets the same documents whichever other items are planted', () => {
    const a = buildPlantedSet(items, clean, SEED, subset);
    const b = buildPlantedSet(items, clean, SEED, subset.slice(1));
    expect(a.slice(PLANTED_FORMS.length).map((p) => p.doc.text)).toEqual(b.map((p) => p.doc.text));
    expect(buildPlantedSet(items, clean, SEED + 1, subset)[0]!.doc.text).not.toBe(a[0]!.doc.text);
    const embedded = a.filter((p) => p.form === 'embedded').map((p) => p.doc.text.length);
    expect(Math.min(...embedded)).toBeGreaterThan(2000);
  });

  it('finds every item of every source in every form that holds its options, its question alone when that is matched, and flags no clean text', () => {
    const r = measurePlanted(items, clean, SEED, undefined, subset);
    const index = new BenchmarkIndex(items);
    for (const [source, s] of Object.entries(r.sources)) {
      for (const form of PLANTED_FORMS) {
        if (form === 'question') continue;
        expect({ source, form, missed: s.missed[form] }).toEqual({ source, form, missed: [] });
      }
      const questionAlone = subset.filter((k) => items[k]!.source === source && index.questionMatched(k)).length;
      expect({ source, question: s.found.question }).toEqual({ source, question: questionAlone });
    }
    expect(Object.values(r.clean).flatMap((c) => c.flagged)).toEqual([]);
    expect(Object.keys(r.clean).sort()).toEqual(['ar', 'en', 'es', 'fr', 'hi', 'zh']);
  });

  it('misses the questions alone that are too short to tell from ordinary phrases', () => {
    const index = new BenchmarkIndex(items);
    const gingivitis = items.findIndex((i) => i.question === 'Gingivitis');
    expect(index.questionMatched(gingivitis)).toBe(false);
    const r = measurePlanted(items, clean, SEED, undefined, [gingivitis]);
    expect(r.sources.medmcqa!.missed.question).toEqual([items[gingivitis]!.id]);
    expect(r.sources.medmcqa!.found.verbatim).toBe(1);
  });
});

describe('clean texts', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clean-texts-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('reads text arrays, turn lists and JSON lines, with the language from the path or the record', async () => {
    await writeFile(join(dir, 'medicalWiki_fr_text.json'), JSON.stringify(['La varicelle est une maladie virale.', ['Question ?', 'Réponse.']]));
    await writeFile(join(dir, 'pages.jsonl'), `${JSON.stringify({ lang: 'hi', text: 'डेंगू बुखार' })}\n\n${JSON.stringify({ lang: 'es', turns: ['¿Dolor?', 'Sí.'] })}\n`);
    expect(readCleanTexts([dir])).toEqual([
      { lang: 'fr', text: 'La varicelle est une maladie virale.', origin: `${join(dir, 'medicalWiki_fr_text.json')}#0` },
      { lang: 'fr', text: 'Question ?\nRéponse.', origin: `${join(dir, 'medicalWiki_fr_text.json')}#1` },
      { lang: 'hi', text: 'डेंगू बुखार', origin: `${join(dir, 'pages.jsonl')}#1` },
      { lang: 'es', text: '¿Dolor?\nSí.', origin: `${join(dir, 'pages.jsonl')}#3` },
    ]);
  });

  it('names the file and record whose language or text cannot be read', async () => {
    await writeFile(join(dir, 'notes.txt'), 'Some text.');
    expect(() => readCleanTexts([dir])).toThrow(`${join(dir, 'notes.txt')}: language not known`);
    await rm(join(dir, 'notes.txt'));
    await writeFile(join(dir, 'x_en_text.json'), JSON.stringify(['ok', 3]));
    expect(() => readCleanTexts([dir])).toThrow(`${join(dir, 'x_en_text.json')}#1: no text`);
  });
});
