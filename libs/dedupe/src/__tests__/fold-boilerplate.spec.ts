import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDoc, type Doc } from '@apollo/document';
import { runStage, silentLogger, verifyStage, type StageOptions } from '@apollo/stage';
import { siteOf } from '../boilerplate';
import { Fingerprinter } from '../fingerprint';
import { estimateJaccard } from '../minhash';
import { normalizeForMatching } from '../normalize';
import { dedupeStage } from '../stage';
import { foldTraditionalChinese, traditionalToSimplifiedTable } from '../zh-fold';
import { MEDICAL_TEXTS, variants } from './fixtures/medical-texts';

describe('traditional / simplified Chinese folding', () => {
  it('folds common traditional medical characters to their simplified forms', () => {
    expect(foldTraditionalChinese('醫藥治療診斷，腦與心臟的身體檢查後發現')).toBe('医药治疗诊断，脑与心脏的身体检查后发现');
    expect(foldTraditionalChinese('plain English text')).toBe('plain English text');
    expect(normalizeForMatching('高血壓患者應定期監測血壓並遵醫囑服藥。')).toBe(normalizeForMatching('高血压患者应定期监测血压并遵医嘱服药。'));
    expect(normalizeForMatching('醫藥', { foldChinese: false })).toBe('醫藥');
  });

  it('has a table of about a thousand one-to-one pairs with no chains', () => {
    const t = traditionalToSimplifiedTable();
    expect(t.size).toBeGreaterThanOrEqual(1000);
    for (const [cp, simp] of t) {
      expect(String.fromCodePoint(cp)).not.toBe(simp);
      // A simplified form is never itself folded again: one pass reaches the fixed point.
      expect(t.has(simp.codePointAt(0)!)).toBe(false);
    }
  });

  it('makes a traditional copy of a simplified paragraph an exact duplicate, and a near one after edits', () => {
    const zh = MEDICAL_TEXTS.find((t) => t.lang === 'zh')!;
    const reverse = new Map<string, string>();
    for (const [cp, simp] of traditionalToSimplifiedTable()) if (!reverse.has(simp)) reverse.set(simp, String.fromCodePoint(cp));
    const toTraditional = (s: string) => [...s].map((c) => reverse.get(c) ?? c).join('');
    const v = variants(zh);
    const traditional = toTraditional(v.base);
    expect(traditional).not.toBe(v.base);
    const fp = new Fingerprinter({ shingles: { words: 5, chars: 5 }, numHashes: 112, seed: 42 });
    expect(Buffer.from(fp.fingerprint(traditional, 'zh').exactHash)).toEqual(Buffer.from(fp.fingerprint(v.base, 'zh').exactHash));
    const edited = fp.fingerprint(toTraditional(v.inserted), 'zh');
    expect(estimateJaccard(edited.signature, fp.fingerprint(v.base, 'zh').signature)).toBeGreaterThanOrEqual(0.8);
    const unfolded = new Fingerprinter({ shingles: { words: 5, chars: 5 }, numHashes: 112, seed: 42, foldChinese: false });
    expect(estimateJaccard(unfolded.fingerprint(traditional, 'zh').signature, unfolded.fingerprint(v.base, 'zh').signature)).toBeLessThan(0.8);
  });
});

describe('traditional copies in a run', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dedupe-zh-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('drops a traditional-character copy of a simplified document as an exact duplicate', async () => {
    const mk = (text: string, source: 'guideline' | 'web') => {
      const made = makeDoc({ kind: 'text', text, source, stage: 'pretrain', provenance: { file: 'zh', record: 0 } }, { file: 'zh' });
      if (!made.ok) throw new Error(made.problem.detail);
      return { ...made.value, lang: 'zh', langScore: 0.99 };
    };
    const simplified = mk('高血压患者应定期监测血压并遵医嘱服药。糖尿病患者需要控制饮食，定期检查血糖和肾脏功能。', 'guideline');
    const traditional = mk('高血壓患者應定期監測血壓並遵醫囑服藥。糖尿病患者需要控制飲食，定期檢查血糖和腎臟功能。', 'web');
    const input = join(dir, 'zh.jsonl');
    await writeFile(input, [traditional, simplified].map((d) => JSON.stringify(d)).join('\n') + '\n');
    const out = join(dir, 'out');
    await runStage(dedupeStage, { input: [input], output: out, workers: 1, quiet: true } as StageOptions, undefined, silentLogger);
    const rejects = (await readFile(join(out, 'rejects', '00000.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { reason: string; duplicateOf: string; doc: Doc });
    expect(rejects.map((r) => [r.reason, r.doc.id, r.duplicateOf])).toEqual([['exact_duplicate', traditional.id, simplified.id]]);
  });
});

const NAV = 'Home | Conditions | Medicines | Find a doctor | About us | Contact us | Sign in to your patient account';
const FOOTER = 'This information is not a substitute for professional medical advice. Always consult your doctor or pharmacist.';
const COOKIES = 'We use cookies to improve your experience on our website. By continuing to browse you agree to our cookie policy.';

function page(content: string, url: string, i: number): Doc {
  const text = [NAV, '', content, '', FOOTER, COOKIES].join('\n');
  const made = makeDoc({ kind: 'text', text, source: 'web', stage: 'pretrain', provenance: { url, file: 'pages', record: i } }, { file: 'pages' });
  if (!made.ok) throw new Error(made.problem.detail);
  return { ...made.value, lang: 'en', langScore: 0.99 };
}

describe('boilerplate lines', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dedupe-boiler-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const en = MEDICAL_TEXTS.find((t) => t.lang === 'en')!;
  // Six pages of one site, each with one different sentence of content between the site's
  // navigation, disclaimer and cookie notice; and a copy of one page's content on another site.
  function corpus(): Doc[] {
    const sentences = [...en.base.slice(0, 3), ...en.unrelated.slice(0, 3)];
    const docs = sentences.map((s, i) => page(s, `https://health.example.org/page/${i}`, i));
    const copy = makeDoc({ kind: 'text', text: sentences[0]!, source: 'web', stage: 'pretrain', provenance: { url: 'https://other.example.net/leaflet', file: 'pages', record: 99 } }, { file: 'pages' });
    if (!copy.ok) throw new Error('bad doc');
    return [...docs, { ...copy.value, lang: 'en', langScore: 0.99 }];
  }

  async function run(name: string, extra: Record<string, unknown>) {
    const input = join(dir, 'pages.jsonl');
    await writeFile(input, corpus().map((d) => JSON.stringify(d)).join('\n') + '\n');
    const out = join(dir, name);
    const opts = { input: [input], output: out, workers: 1, quiet: true, ...extra } as StageOptions;
    expect((await runStage(dedupeStage, opts, undefined, silentLogger)).exitCode).toBe(0);
    expect((await verifyStage(out)).problems).toEqual([]);
    const kept = (await readFile(join(out, 'docs', '00000.jsonl'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Doc);
    return kept;
  }

  it('takes the site of a document from its URL host, else its source id', () => {
    expect(siteOf(corpus()[0]!)).toBe('host:health.example.org');
    const d = corpus()[0]!;
    expect(siteOf({ ...d, provenance: { sourceId: 'msd-manuals' } })).toBe('source:msd-manuals');
    expect(siteOf({ ...d, provenance: { file: 'x.jsonl' } })).toBeUndefined();
  });

  it('finds content copied to another site once the boilerplate is left out, and keeps pages sharing only boilerplate', async () => {
    // Without removal the boilerplate hides the copy: page 0 and the leaflet look different.
    const plain = await run('plain', {});
    expect(plain).toHaveLength(7);
    const cleaned = await run('cleaned', { boilerplateMinDocs: 3 });
    // The six pages are different; the leaflet is a copy of page 0's content (the same text once
    // the boilerplate is left out), so one of those two goes.
    expect(cleaned).toHaveLength(6);
    const sentences = [...en.base.slice(0, 3), ...en.unrelated.slice(0, 3)];
    for (const s of sentences) expect(cleaned.filter((d) => d.text.includes(s))).toHaveLength(1);
    const pages = cleaned.filter((d) => d.provenance.url!.includes('health.example.org'));
    expect(pages.every((d) => d.text.includes(NAV))).toBe(true);
  });

  it('runs as separate jobs per phase and rank with the same result, and says which phase is missing', async () => {
    const docs = corpus();
    const half = Math.ceil(docs.length / 2);
    const inputs = [join(dir, 'p0.jsonl'), join(dir, 'p1.jsonl')];
    await writeFile(inputs[0]!, docs.slice(0, half).map((d) => JSON.stringify(d)).join('\n') + '\n');
    await writeFile(inputs[1]!, docs.slice(half).map((d) => JSON.stringify(d)).join('\n') + '\n');
    const out = join(dir, 'split');
    const job = (o: Partial<StageOptions>) => runStage(dedupeStage, { input: inputs, output: out, workers: 1, quiet: true, worldSize: 2, boilerplateMinDocs: 3, ...o } as StageOptions, undefined, silentLogger);
    await expect(job({ phase: 'signatures', rank: 0 })).rejects.toThrow(/lines\.run is missing: run --phase boilerplate-lines/);
    for (const rank of [1, 0]) await job({ phase: 'boilerplate-lines', rank });
    await job({ phase: 'boilerplate' });
    for (const rank of [0, 1]) await job({ phase: 'signatures', rank });
    await job({ phase: 'cluster' });
    for (const rank of [0, 1]) await job({ phase: 'filter', rank });
    expect((await verifyStage(out)).problems).toEqual([]);
    const kept = (await Promise.all(['00000', '00001'].map((r) => readFile(join(out, 'docs', `${r}.jsonl`), 'utf8'))))
      .join('')
      .split('\n')
      .filter(Boolean);
    expect(kept).toHaveLength(6);
  });

  it('strips the boilerplate from the kept text when asked, with the id following the text', async () => {
    const kept = await run('stripped', { boilerplateMinDocs: 3, boilerplateStrip: true });
    expect(kept).toHaveLength(6);
    for (const d of kept.filter((x) => x.provenance.url!.includes('health.example.org'))) {
      expect(d.text).not.toContain(NAV);
      expect(d.text).not.toContain(COOKIES);
      expect(d.meta?.boilerplateRemovedLines).toBe(3);
      expect(d.id).not.toBe(d.meta?.boilerplateFrom);
    }
    // A line seen on fewer pages than the setting stays.
    const high = await run('high', { boilerplateMinDocs: 7, boilerplateStrip: true });
    expect(high.filter((d) => d.text.includes(NAV)).length).toBeGreaterThan(0);
    expect(high.every((d) => d.meta?.boilerplateRemovedLines === undefined)).toBe(true);
  });
});
