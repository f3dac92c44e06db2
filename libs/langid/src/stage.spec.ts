import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDoc, type Doc } from '@apollo/document';
import { runStage, silentLogger } from '@apollo/stage';
import { langidStage } from './stage';

const TEXTS: { text: string; langHint?: string }[] = [
  { text: 'The patient has had a high fever and a dry cough for three days.', langHint: 'en' },
  { text: '患者发热三天，伴有咳嗽、咽痛和全身乏力等症状。', langHint: 'zh' },
  { text: 'Le patient présente une fièvre élevée et une toux sèche depuis trois jours.' },
  { text: 'يعاني المريض من ارتفاع في درجة الحرارة وسعال جاف منذ ثلاثة أيام.' },
  { text: 'मरीज़ को पिछले तीन दिनों से तेज़ बुखार और सूखी खाँसी है।', langHint: 'en' },
  { text: 'El paciente tiene fiebre alta y tos seca desde hace tres días.' },
  { text: 'Der Patient hat seit drei Tagen hohes Fieber und trockenen Husten.' },
  { text: 'Paracetamol 500 mg' },
  {
    text:
      'The patient has had a high fever and a dry cough for three days, and the chest X-ray shows an infiltrate. '.repeat(30) +
      '患者发热三天，伴有咳嗽、咽痛和全身乏力等症状。胸部X线片提示右下肺浸润影，建议住院治疗。'.repeat(60),
  },
];

function doc(text: string, i: number, langHint?: string): Doc {
  const made = makeDoc({ kind: 'text', text, source: 'web', stage: 'pretrain', provenance: { url: `https://example.org/${i}` }, ...(langHint ? { langHint } : {}) }, { file: 'test', record: i });
  if (!made.ok) throw new Error(made.problem.detail);
  return made.value;
}

async function readJsonl<T>(file: string): Promise<T[]> {
  return (await readFile(file, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);
}

describe('langid stage', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'langid-stage-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('keeps target-language documents with lang, langScore and meta, and drops the rest with reasons', async () => {
    const input = join(dir, 'in.jsonl');
    await writeFile(input, TEXTS.map((t, i) => JSON.stringify(doc(t.text, i, t.langHint))).join('\n') + '\n');
    const output = join(dir, 'out');
    const outcome = await runStage(langidStage, { input: [input], output, workers: 1, quiet: true }, undefined, silentLogger);
    expect(outcome.exitCode).toBe(0);

    const kept = await readJsonl<Doc>(join(output, 'docs', '00000.jsonl'));
    expect(kept.map((d) => d.lang)).toEqual(['en', 'zh', 'fr', 'ar', 'hi', 'es']);
    for (const d of kept) {
      expect(d.langScore).toBeGreaterThan(0.5);
      expect(d.langScore).toBeLessThanOrEqual(1);
      expect(d.meta?.langShare).toBeGreaterThan(0.6);
    }

    const rejects = await readJsonl<{ reason: string; detail?: string; lang?: string; doc: Doc }>(join(output, 'rejects', '00000.jsonl'));
    expect(rejects.map((r) => [r.reason, r.detail?.split(' ')[0]])).toEqual([
      ['lang_not_target', 'de'],
      ['too_short', '13'],
      ['lang_mixed', expect.stringMatching(/^(en|zh):0\.\d\d$/)],
    ]);
    expect(rejects[0]!.doc.text).toBe(TEXTS[6]!.text);

    const stats = JSON.parse(await readFile(join(output, 'stats', '00000.json'), 'utf8'));
    expect(stats.dropped).toEqual({ lang_not_target: 1, too_short: 1, lang_mixed: 1 });
    expect(stats.extra).toMatchObject({ hint_agrees: 2, hint_differs: 1, kept_en: 1, kept_hi: 1 });
  });

  it('drops link lists as not_prose and romanized Hindi as romanized_hindi, or keeps it as hi in Latin letters when configured', async () => {
    const texts = [
      // The department menu of a hospital site (hulin32/hospital-register-system), one link per line.
      '医院简介\n普通门诊\n妇科\n乳腺科\n新生儿科\n儿外科\n麻醉手术室\n儿内科\n分院妇产科\n分院儿内科',
      // A code-mixed medical question of the MMCQS data.
      'Hi. Mujhe haal hi mein MRSA ka case tha jis se main theek ho gaya hoon. Lekin jahan ek chot thi, wahan meri left inner thigh par skin ke us hisse par khujli wala ek rash hai.',
      TEXTS[0]!.text,
    ];
    const input = join(dir, 'in3.jsonl');
    await writeFile(input, texts.map((t, i) => JSON.stringify(doc(t, i))).join('\n') + '\n');
    const dropped = join(dir, 'out3');
    await runStage(langidStage, { input: [input], output: dropped, workers: 1, quiet: true }, undefined, silentLogger);
    const rejects = await readJsonl<{ reason: string; lang?: string }>(join(dropped, 'rejects', '00000.jsonl'));
    expect(rejects.map((r) => [r.reason, r.lang])).toEqual([
      ['not_prose', undefined],
      ['romanized_hindi', 'hi'],
    ]);

    const kept = join(dir, 'out4');
    await runStage(langidStage, { input: [input], output: kept, workers: 1, quiet: true }, { stages: { langid: { romanizedHindi: 'keep' } } }, silentLogger);
    const docs = await readJsonl<Doc>(join(kept, 'docs', '00000.jsonl'));
    expect(docs.map((d) => [d.lang, d.meta?.langScript])).toEqual([
      ['hi', 'latin'],
      ['en', undefined],
    ]);
  });

  it('does not judge QA documents as prose: an SFT answer that is a list stays', async () => {
    const list = ['Aspirin', 'Ibuprofen', 'Naproxen', 'Diclofenac', 'Celecoxib', 'Ketoprofen', 'Indomethacin', 'Meloxicam', 'Piroxicam'].join('\n');
    const made = makeDoc({ kind: 'qa', turns: ['Which drugs are common NSAIDs used for pain and inflammation in adults?', list], source: 'general', stage: 'sft', provenance: { file: 'gen' } }, { file: 'gen' });
    if (!made.ok) throw new Error(made.problem.detail);
    const input = join(dir, 'in5.jsonl');
    await writeFile(input, JSON.stringify(made.value) + '\n');
    const output = join(dir, 'out5');
    await runStage(langidStage, { input: [input], output, workers: 1, quiet: true }, undefined, silentLogger);
    expect((await readJsonl<Doc>(join(output, 'docs', '00000.jsonl'))).map((d) => d.lang)).toEqual(['en']);
    // The same list as a text document is a list of labels.
    const asText = makeDoc({ kind: 'text', text: list, source: 'web', stage: 'pretrain', provenance: { file: 'gen' } }, { file: 'gen' });
    if (!asText.ok) throw new Error(asText.problem.detail);
    await writeFile(input, JSON.stringify(asText.value) + '\n');
    await runStage(langidStage, { input: [input], output: join(dir, 'out6'), workers: 1, quiet: true }, undefined, silentLogger);
    expect((await readJsonl<{ reason: string }>(join(dir, 'out6', 'rejects', '00000.jsonl'))).map((r) => r.reason)).toEqual(['not_prose']);
  });

  it('takes the detector, languages and thresholds from the pipeline section', async () => {
    const input = join(dir, 'in2.jsonl');
    await writeFile(input, [TEXTS[0]!, TEXTS[2]!].map((t, i) => JSON.stringify(doc(t.text, i))).join('\n') + '\n');
    const output = join(dir, 'out2');
    const pipeline = { stages: { langid: { detector: 'cld3', languages: ['en'], thresholds: { en: 0.3 } } } };
    await runStage(langidStage, { input: [input], output, workers: 1, quiet: true }, pipeline, silentLogger);
    const run = JSON.parse(await readFile(join(output, 'run.json'), 'utf8'));
    expect(run.config).toMatchObject({ detector: 'cld3', languages: ['en'], thresholds: { en: 0.3, fr: 0.9 } });
    expect((await readJsonl<Doc>(join(output, 'docs', '00000.jsonl'))).map((d) => d.lang)).toEqual(['en']);
    const rejects = await readJsonl<{ reason: string; detail: string }>(join(output, 'rejects', '00000.jsonl'));
    expect(rejects.map((r) => [r.reason, r.detail])).toEqual([['lang_not_target', 'fr']]);
  });
});
