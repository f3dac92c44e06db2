import { join } from 'node:path';
import { loadItems, type XMedBenchItem } from '@apollo/benchmark-items';
import { answerPrefix, buildPrompt, ShotPool } from '../prompt';
import { APOLLO_SPEC, APOLLO_TEMPLATES, DEFAULT_SPEC, promptSpecHashes } from '../prompt-spec';

const DEV = join(__dirname, '../../../../pipelines/benchmarks/xmedbench-dev');
const EOS = '<|endoftext|>';

// Hand-written from REFERENCE.md section 2 (instruction, labels, answer sentence per language).
const EN = (q: string, o: string) =>
  `User:You are a medical doctor answering real-world medical exam questions. Select one correct answer from A to D.\nQuestion: ${q}\nOptions:\n${o}\nAssistant:`;
const ZH = (q: string, o: string) => `User:您是一名医生，正在回答现实世界的医学考试问题。请从A到D中选择一个正确答案。\n问题: ${q}\n选项:\n${o}\nAssistant:`;
const ES = (q: string, o: string) =>
  `User:Usted es un médico que responde preguntas de exámenes médicos del mundo real. Elija una respuesta correcta de la A a la D.\npregunta: ${q}\nOpciones:\n${o}\nAssistant:`;
const FR = (q: string, o: string) =>
  `User:Vous êtes un médecin et répondez à des questions d'examen médical du monde réel. Veuillez choisir une bonne réponse de A à E.\nquestion: ${q}\nPossibilités:\n${o}\nAssistant:`;
const HI = (q: string, o: string) =>
  `User:आप एक डॉक्टर हैं जो वास्तविक दुनिया की मेडिकल परीक्षा के सवालों का जवाब दे रहे हैं। कृपया A से D तक सही उत्तर चुनें।\nसवाल: ${q}\nविकल्प:\n${o}\nAssistant:`;
const AR = (q: string, o: string) =>
  `User:أنت طبيب يجيب على أسئلة الفحص الطبي في العالم الحقيقي. الرجاء اختيار الإجابة الصحيحة من أ إلى د.\nسؤال: ${q}\nخيارات:\n${o}\nAssistant:`;
const PUB = (c: string, q: string, o: string) =>
  'User:You are a medical doctor answering real-world medical exam questions. Select one correct answer from A to C. ' +
  'Choose ‘yes’ or ‘no’ if the evidence in the context supports a definitive answer. ' +
  'Choose ‘maybe’ if the evidence in the context does not support a definitive answer.' +
  `\nContext: ${c} \nQuestion: ${q}\nOptions:\n${o}\nAssistant:`;

const ANSWER: Record<string, (a: string) => string> = {
  en: (a) => `The correct answer is ${a}.`,
  zh: (a) => `正确答案是${a}.`,
  es: (a) => `La respuesta correcta es ${a}.`,
  fr: (a) => `La bonne réponse est ${a}.`,
  hi: (a) => `सही उत्तर है${a}.`,
  ar: (a) => `${a}الإجابة الصحيحة هي.`,
};
const RENDER: Record<string, (i: XMedBenchItem) => string> = {
  en: (i) => EN(i.question, i.optionsText),
  zh: (i) => ZH(i.question, i.optionsText),
  es: (i) => ES(i.question, i.optionsText),
  fr: (i) => FR(i.question, i.optionsText),
  hi: (i) => HI(i.question, i.optionsText),
  ar: (i) => AR(i.question, i.optionsText),
  pubmedqa: (i) => PUB(i.context!, i.question, i.optionsText),
};
const shotText = (key: string, i: XMedBenchItem) => `${RENDER[key]!(i)}${ANSWER[key === 'pubmedqa' ? 'en' : key]!(i.answerText)}${EOS}\n`;

let items: XMedBenchItem[];
beforeAll(async () => {
  items = (await loadItems([DEV])).items;
});

/** The first four short items of a source: three shots, then the item. */
function group(source: string): [XMedBenchItem[], XMedBenchItem] {
  const g = items.filter((i) => i.source === source && i.question.length < 400).slice(0, 4);
  return [g.slice(0, 3), g[3]!];
}

describe('apollo prompts equal the reference strings', () => {
  it.each([
    ['medqa-usmle', 'en'],
    ['headqa', 'es'],
    ['frenchmedmcqa', 'fr'],
    ['mmlu-medical-hi', 'hi'],
    ['mmlu-medical-ar', 'ar'],
    ['pubmedqa', 'pubmedqa'],
  ])('%s (%s)', (source, key) => {
    const [shots, item] = group(source);
    const expected = shots.map((s) => shotText(key, s)).join('') + RENDER[key]!(item);
    const built = buildPrompt(APOLLO_SPEC, item, shots, EOS);
    expect(built.text).toBe(expected);
    expect(built.shotIds).toEqual(shots.map((s) => s.id));
    expect(built.shotsDropped).toBe(0);
    expect(built.chars).toBe([...expected].length);
  });

  it('Chinese: shots in Chinese, the item in English (reference quirk); the default uses Chinese', () => {
    const [shots, item] = group('cmexam');
    const built = buildPrompt(APOLLO_SPEC, item, shots, EOS);
    expect(built.text).toBe(shots.map((s) => shotText('zh', s)).join('') + EN(item.question, item.optionsText));
    expect(built.templateKey).toBe('en');
    const fixed = buildPrompt(DEFAULT_SPEC, item, shots, '<eos>');
    expect(fixed.text).toBe(shots.map((s) => shotText('zh', s).replace(EOS, '<eos>')).join('') + ZH(item.question, item.optionsText));
  });

  it('writes multi-letter answers of shots in full', () => {
    const multi = items.find((i) => i.gold.length > 1)!;
    const [, item] = group('cmexam');
    expect(buildPrompt(APOLLO_SPEC, item, [multi], EOS).text.startsWith(shotText('zh', multi))).toBe(true);
    expect(shotText('zh', multi)).toContain(`正确答案是${multi.answerText}.${EOS}\n`);
  });

  it('answer prefixes end where the letter goes', () => {
    expect(answerPrefix(APOLLO_TEMPLATES.en)).toBe('The correct answer is (');
    expect(answerPrefix(APOLLO_TEMPLATES.zh)).toBe('正确答案是(');
    expect(answerPrefix(APOLLO_TEMPLATES.hi)).toBe('सही उत्तर है(');
    expect(answerPrefix(APOLLO_TEMPLATES.ar)).toBe('(');
  });
});

describe('prompt length limits', () => {
  const mk = (id: string, question: string): XMedBenchItem => ({
    id,
    source: 'medmcqa',
    language: 'en',
    question,
    options: [
      { label: 'A', text: 'a.' },
      { label: 'B', text: 'b.' },
    ],
    optionsText: '(A) a.\n(B) b.',
    answerText: '(A)',
    gold: ['A'],
    hash: id,
    file: 'x',
    index: 0,
  });
  const item = mk('item', 'q'.repeat(1000));
  const shotLen = (n: number) => [...shotText('en', mk('s', 'x'.repeat(n)))].length;
  const itemLen = EN(item.question, item.optionsText).length;

  it('reference rule: each shot added only while prompt + shot + item < maxChars; long shots skipped, later ones kept', () => {
    // Shot sizes chosen so that the second would cross 4096 but the third fits.
    const big = mk('big', 'x'.repeat(2500));
    const small = mk('small', 'y'.repeat(100));
    const first = mk('first', 'z'.repeat(500));
    const built = buildPrompt(APOLLO_SPEC, item, [first, big, small], EOS);
    expect(built.shotIds).toEqual(['first', 'small']);
    expect(built.shotsDropped).toBe(1);
    expect(built.chars).toBeLessThan(4096);
  });

  it('the boundary is strict: exactly maxChars is too long', () => {
    const room = 4096 - itemLen; // a shot of exactly this length makes 4096
    const pad = room - shotLen(0);
    const exact = mk('exact', 'x'.repeat(pad));
    expect(shotLen(pad) + itemLen).toBe(4096);
    expect(buildPrompt(APOLLO_SPEC, item, [exact], EOS).shotIds).toEqual([]);
    const under = mk('under', 'x'.repeat(pad - 1));
    expect(buildPrompt(APOLLO_SPEC, item, [under], EOS).shotIds).toEqual(['under']);
  });

  it('counts code points, not UTF-16 units', () => {
    const astral = mk('astral', '𝛼'.repeat(10)); // 10 code points, 20 UTF-16 units
    expect(buildPrompt(DEFAULT_SPEC, astral, [], EOS).chars).toBe(EN(astral.question, astral.optionsText).length - 10);
  });

  it('default: removes shots from the end, never the item, and records it', () => {
    const shots = [mk('s1', 'a'.repeat(1200)), mk('s2', 'b'.repeat(200)), mk('s3', 'c'.repeat(1500))];
    const built = buildPrompt(DEFAULT_SPEC, item, shots, EOS);
    expect(built.shotIds).toEqual(['s1', 's2']);
    expect(built.shotsDropped).toBe(1);
    expect(built.overLimit).toBe(false);
    const huge = mk('huge', 'h'.repeat(5000));
    const alone = buildPrompt(DEFAULT_SPEC, huge, shots, EOS);
    expect(alone.shotIds).toEqual([]);
    expect(alone.overLimit).toBe(true);
    expect(alone.text).toBe(EN(huge.question, huge.optionsText));
  });
});

describe('ShotPool', () => {
  it('draws same-source shots with a seed, never the item, independent of other items', () => {
    const pool = new ShotPool(items);
    const item = items.find((i) => i.source === 'headqa')!;
    const a = pool.draw(item, 3, 1234);
    expect(a).toHaveLength(3);
    expect(a.every((s) => s.source === 'headqa' && s.hash !== item.hash)).toBe(true);
    expect(pool.draw(item, 3, 1234)).toEqual(a);
    expect(new ShotPool(items.slice().reverse().filter((i) => i.source === 'headqa')).draw(item, 3, 1234).map((s) => s.id).sort()).toEqual(
      a.map((s) => s.id).sort(),
    );
    expect(pool.draw(item, 3, 99).map((s) => s.id)).not.toEqual(a.map((s) => s.id));
    expect(pool.draw({ ...item, source: 'nosuch' }, 3, 1)).toEqual([]);
  });

  it('hashes per language change with the template, the quirk switch and the EOS string', () => {
    const a = promptSpecHashes(APOLLO_SPEC, EOS);
    const b = promptSpecHashes(DEFAULT_SPEC, EOS);
    expect(a.zh).not.toBe(b.zh);
    expect(a.es).not.toBe(a.fr);
    expect(promptSpecHashes(APOLLO_SPEC, '<eos>').en).not.toBe(a.en);
    expect(promptSpecHashes(APOLLO_SPEC, EOS)).toEqual(a);
  });
});
