import { join } from 'node:path';
import { itemMatchingText } from '@apollo/benchmark-items';
import { loadBenchmarks, type BenchmarkItem } from '../decontam/benchmark';
import { checkDocument } from '../decontam/decontaminate';
import { matchTokens } from '../decontam/match-tokens';
import { BenchmarkIndex } from '../decontam/ngram-index';
import { fixtureDoc } from './fixtures/corpus';

const DEV = join(__dirname, '..', '..', '..', '..', 'pipelines', 'benchmarks', 'xmedbench-dev');

let items: BenchmarkItem[];
let index: BenchmarkIndex;
const byQuestion = (start: string) => {
  const found = items.filter((i) => i.question.startsWith(start));
  if (found.length !== 1) throw new Error(`${found.length} dev items start with ${JSON.stringify(start)}`);
  return found[0]!;
};
const found = (text: string, lang: string) => {
  const v = checkDocument(fixtureDoc(text, lang, 'web', 1), index, 'drop');
  return v.status === 'clean' ? [] : v.items.map((k) => items[k]!.id);
};
const same = (a: Uint32Array, b: Uint32Array) => expect([...a]).toEqual([...b]);

beforeAll(async () => {
  items = await loadBenchmarks([DEV]);
  index = new BenchmarkIndex(items);
});

describe('the matching token stream', () => {
  it('leaves option labels of every style out, so a labelled copy gives the item stream (en, ar, hi)', () => {
    const item = { question: 'Axonal transport is:', options: [{ label: 'A', text: 'Antegrade' }, { label: 'B', text: 'Retrograde' }, { label: 'C', text: 'Antegrade and retrograde' }, { label: 'D', text: 'None' }] };
    const stream = matchTokens(itemMatchingText(item), 'words');
    for (const labels of [['(A)', '(B)', '(C)', '(D)'], ['（A）', '（B）', '（C）', '（D）'], ['A.', 'B.', 'C.', 'D.'], ['a)', 'b)', 'c)', 'd)'], ['A:', 'B:', 'C:', 'D:'], ['[A]', '[B]', '[C]', '[D]'], ['أ)', 'ب)', 'ج)', 'د)'], ['(क)', '(ख)', '(ग)', '(घ)']]) {
      const copy = `Axonal transport is: ${item.options.map((o, i) => `${labels[i]} ${o.text}.`).join('  ')}`;
      same(matchTokens(copy, 'words'), stream);
    }
    same(matchTokens('Question: Axonal transport is:\nOptions:\n(A). Antegrade\n(B). Retrograde\n(C). Antegrade and retrograde\n(D). None', 'words'), stream);
  });

  it('leaves the same one-letter words out of any text, so the article "a" never separates an item from its copy', () => {
    same(matchTokens('A 45-year-old man has a fever', 'words'), matchTokens('45-year-old man has fever', 'words'));
    expect(matchTokens('vitamin B12 and hepatitis B', 'words')).toHaveLength(4);
  });

  it('leaves out Chinese labels and field words, keeps Latin letters that are part of a word or number', () => {
    same(matchTokens('问题：男，50岁。\n选项：\nA．反应性浆细胞增多症 B、多发性骨髓瘤 （C）骨转移癌', 'chars'), matchTokens('男，50岁。反应性浆细胞增多症\n多发性骨髓瘤\n骨转移癌', 'chars'));
    same(matchTokens('A反应性', 'chars'), matchTokens('反应性', 'chars'));
    expect(matchTokens('Hb72g', 'chars')).toHaveLength(5);
  });
});

describe('the benchmark index on real dev items', () => {
  it('finds a short question with its options only through n-grams that span both, whatever the labels', () => {
    const item = byQuestion('Virus is cultured in');
    const texts = item.options.map((o) => o.text.replace(/\.$/u, ''));
    expect(found(`Micro notes.\n${item.question}\n${item.optionsText}\nSee the lecture.`, 'en')).toEqual([item.id]);
    expect(found(`Micro notes. ${item.question} ${texts.map((t, i) => `${'abcd'[i]}) ${t}`).join(' ')} See the lecture.`, 'en')).toEqual([item.id]);
    // The question alone (4 words) is an ordinary phrase: not matched.
    expect(found(`The virus is cultured in embryonated eggs, as the lecture said.`, 'en')).toEqual([]);
  });

  it('matches an item shorter than one n-gram as a whole, and only as a whole', () => {
    const short = items.filter((i) => index.modeOf[items.indexOf(i)] === 'words' && matchTokens(itemMatchingText(i), 'words').length < 13);
    expect(short.length).toBeGreaterThan(0);
    for (const item of short) {
      const k = items.indexOf(item);
      if (index.unmatchable.includes(k)) continue;
      const texts = item.options.map((o) => o.text);
      expect(found(`Quiz.\n${item.question}\n${item.optionsText}`, item.language)).toContain(item.id);
      // A word put into the question: neither the item nor its question is there whole.
      const words = item.question.split(' ');
      const edited = [...words.slice(0, 2), 'really', ...words.slice(2)].join(' ');
      expect(found(`Quiz.\n${edited}\n${texts.join('\n')}`, item.language)).not.toContain(item.id);
    }
  });

  it('does not match a question that other items share on its own ("Which of the following is true?")', () => {
    const stub = byQuestion('Which of the following is true?');
    expect(index.questionMatched(items.indexOf(stub))).toBe(false);
    expect(found('Which of the following is true about iron deficiency in athletes? Read on.', 'en')).toEqual([]);
    expect(found(`${stub.question}\n${stub.optionsText}`, 'en')).toEqual([stub.id]);
  });

  it('needs more than a stock phrase that several items share: a run one and a half n-grams long, or an n-gram of one item', () => {
    const vignette =
      'A 40-year-old man comes to the physician because of a rash on his hands for 2 weeks. Examination of this patient is most likely to show which of the following findings?';
    expect(found(vignette, 'en')).toEqual([]);
    const item = byQuestion('A 32-year-old woman comes to the physician because of fatigue and joint pain');
    expect(found(`${item.question}\n${item.optionsText}`, 'en')).toEqual([item.id]);
  });

  it('does not count a run of generic options as a copy of the item: an exam record of the Apollo release sharing 22 characters of options', () => {
    // Apollo release (FreedomIntelligence/Apollo, Apache-2.0), Medical_Exam_zh_sampled.json record 95: another
    // question whose options run "体液免疫功能正常 / 细胞免疫功能正常 / 体液..." as medqa-mcmle's "动物新生期切除胸腺的后果是" does.
    const record =
      '问题: 新生期摘除胸腺的小鼠\n选项:\n(A). 体液免疫功能正常\n(B). 细胞免疫功能正常\n(C). 体液免疫功能正常，细胞免疫功能受损\n(D). 细胞免疫功能正常，体液免疫功能受损\n(E). 体液与细胞免疫功能均受损';
    expect(found(record, 'zh')).toEqual([]);
    const item = byQuestion('动物新生期切除胸腺的后果是');
    expect(found(`${item.question}\n${item.optionsText}`, 'zh')).toEqual([item.id]);
  });
});
