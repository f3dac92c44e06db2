import { docId, LANGS, SOURCE_TYPES, type SourceType } from '@apollo/document';
import { clusterDocuments, type Clustering } from '../cluster';
import { DocTableBuilder, type DocTable } from '../doc-table';
import { Fingerprinter } from '../fingerprint';
import { DEFAULT_SOURCE_PRIORITY, sourceRanks } from '../keep-policy';
import { estimateJaccard } from '../minhash';
import { FLAG_NO_SHINGLES } from '../signature-file';
import { normalizeForMatching } from '../normalize';
import { shingleModeFor, textShingles } from '../shingles';
import { arabicSpellingVariant, MEDICAL_TEXTS, variants } from './fixtures/medical-texts';

interface TestDoc {
  name: string;
  text: string;
  lang: string;
  source: SourceType;
}

const fingerprinter = new Fingerprinter({ shingles: { words: 5, chars: 5 }, numHashes: 112, seed: 42 });
const options = { bands: 14, rows: 8, threshold: 0.8, exactOnly: false };

function table(docs: TestDoc[], priority = DEFAULT_SOURCE_PRIORITY, numHashes = 112): DocTable {
  const b = new DocTableBuilder(numHashes, sourceRanks(priority), 2);
  docs.forEach((d, ordinal) => {
    const fp = fingerprinter.fingerprint(d.text, d.lang);
    b.add({
      rank: 0,
      ordinal,
      exactHash: fp.exactHash,
      id: docId('text', d.text),
      contentLength: fp.contentLength,
      sourceIndex: SOURCE_TYPES.indexOf(d.source),
      langIndex: LANGS.indexOf(d.lang as (typeof LANGS)[number]),
      flags: fp.noShingles ? FLAG_NO_SHINGLES : 0,
      signature: numHashes > 0 ? fp.signature : new Uint32Array(0),
    });
  });
  return b.build();
}

function exactJaccard(a: string, b: string, lang: string): number {
  const na = normalizeForMatching(a);
  const nb = normalizeForMatching(b);
  const sa = new Set(textShingles(na, shingleModeFor(lang, na)));
  const sb = new Set(textShingles(nb, shingleModeFor(lang, nb)));
  let inter = 0;
  for (const x of sa) if (sb.has(x)) inter++;
  return inter / (sa.size + sb.size - inter);
}

const keptName = (docs: TestDoc[], c: Clustering, name: string) => docs[c.keptOf[docs.findIndex((d) => d.name === name)]!]!.name;

describe.each(MEDICAL_TEXTS.map((t) => [t.lang, t] as const))('planted duplicates in %s', (lang, texts) => {
  const v = variants(texts);
  const docs: TestDoc[] = [
    { name: 'inserted', text: v.inserted, lang, source: 'web' },
    { name: 'unrelated', text: v.unrelated, lang, source: 'web' },
    { name: 'reformatted', text: v.reformatted, lang, source: 'web' },
    { name: 'base', text: v.base, lang, source: 'encyclopedia' },
    { name: 'deleted', text: v.deleted, lang, source: 'dialogue' },
    { name: 'punctuated', text: v.punctuated, lang, source: 'web' },
    { name: 'copy', text: v.base, lang, source: 'web' },
  ];

  it('the fixtures are what they claim: near duplicates above 0.8, the unrelated text far below', () => {
    expect(exactJaccard(v.base, v.inserted, lang)).toBeGreaterThan(0.84);
    expect(exactJaccard(v.base, v.deleted, lang)).toBeGreaterThan(0.84);
    expect(exactJaccard(v.base, v.unrelated, lang)).toBeLessThan(0.05);
  });

  it('finds every variant, keeps the document from the preferred source, and leaves the unrelated one alone', () => {
    const t = table(docs);
    const c = clusterDocuments(t, options);
    for (const name of ['inserted', 'reformatted', 'deleted', 'punctuated', 'copy', 'base']) expect(keptName(docs, c, name)).toBe('base');
    expect(keptName(docs, c, 'unrelated')).toBe('unrelated');
    expect(c.stats.kept).toBe(2);
    expect(c.stats.exactDuplicates).toBeGreaterThanOrEqual(1); // the copy at least
    expect(c.stats.exactDuplicates + c.stats.nearDuplicates).toBe(5);
    expect(c.clusterSize[docs.findIndex((d) => d.name === 'base')]).toBe(6);
  });

  it('keeps the longer text when sources are equal', () => {
    const same = docs.map((d) => ({ ...d, source: 'web' as const }));
    const c = clusterDocuments(table(same), options);
    expect(keptName(same, c, 'base')).toBe('inserted');
  });

  it('treats only identical normalized text as exact in exact-only mode', () => {
    const c = clusterDocuments(table(docs, DEFAULT_SOURCE_PRIORITY, 0), { ...options, exactOnly: true });
    expect(keptName(docs, c, 'copy')).toBe('base');
    expect(keptName(docs, c, 'inserted')).toBe('inserted');
    expect(keptName(docs, c, 'deleted')).toBe('deleted');
    expect(c.stats.nearDuplicates).toBe(0);
  });
});

describe('clusterDocuments', () => {
  it('makes Arabic spelling variants exact duplicates', () => {
    const base = variants(MEDICAL_TEXTS.find((t) => t.lang === 'ar')!).base;
    const variant = arabicSpellingVariant(base);
    expect(variant).not.toBe(base);
    const docs: TestDoc[] = [
      { name: 'variant', text: variant, lang: 'ar', source: 'web' },
      { name: 'base', text: base, lang: 'ar', source: 'book' },
    ];
    const c = clusterDocuments(table(docs), options);
    expect(keptName(docs, c, 'variant')).toBe('base');
    expect(c.stats.exactDuplicates).toBe(1);
  });

  it('does not merge a document that shares only half of its text', () => {
    const en = MEDICAL_TEXTS.find((t) => t.lang === 'en')!;
    const half = [...en.base.slice(0, 4), ...en.unrelated.slice(0, 3)].join(' ');
    const docs: TestDoc[] = [
      { name: 'base', text: en.base.join(' '), lang: 'en', source: 'web' },
      { name: 'half', text: half, lang: 'en', source: 'web' },
    ];
    const c = clusterDocuments(table(docs), options);
    expect(c.stats.kept).toBe(2);
  });

  it('verifies band collisions: sharing one band is not enough to be joined', () => {
    const b = new DocTableBuilder(112, sourceRanks(DEFAULT_SOURCE_PRIORITY));
    const sigA = Uint32Array.from({ length: 112 }, (_, i) => i);
    const sigB = Uint32Array.from({ length: 112 }, (_, i) => (i < 8 ? i : 1000 + i));
    const sigC = Uint32Array.from({ length: 112 }, (_, i) => (i < 100 ? i : 5000 + i));
    [sigA, sigB, sigC].forEach((signature, ordinal) =>
      b.add({ rank: 0, ordinal, exactHash: new Uint8Array(16).fill(ordinal), id: String(ordinal).repeat(32), contentLength: 10, sourceIndex: 0, langIndex: 0, flags: 0, signature }),
    );
    const c = clusterDocuments(b.build(), options);
    expect(estimateJaccard(sigA, sigB)).toBeLessThan(0.1);
    expect(c.stats.rejectedPairs).toBeGreaterThanOrEqual(1);
    expect(c.keptOf[1]).toBe(1);
    // C agrees with A on 100 of 112 values (0.89): joined, and A (smaller id) is kept.
    expect(c.keptOf[2]).toBe(0);
    expect(c.stats.nearDuplicates).toBe(1);
  });

  it('never near-deduplicates documents without shingles, but removes their exact copies', () => {
    const docs: TestDoc[] = [
      { name: 'a', text: '* * *', lang: 'en', source: 'web' },
      { name: 'b', text: '- - -', lang: 'en', source: 'web' },
      { name: 'c', text: '* * *', lang: 'en', source: 'book' },
    ];
    const c = clusterDocuments(table(docs), options);
    expect(c.stats.noShingles).toBe(3);
    expect(keptName(docs, c, 'a')).toBe('c');
    expect(keptName(docs, c, 'b')).toBe('b');
  });

  it('follows a configured source priority', () => {
    const en = variants(MEDICAL_TEXTS.find((t) => t.lang === 'en')!);
    const docs: TestDoc[] = [
      { name: 'web', text: en.base, lang: 'en', source: 'web' },
      { name: 'book', text: en.deleted, lang: 'en', source: 'book' },
    ];
    expect(keptName(docs, clusterDocuments(table(docs), options), 'web')).toBe('book');
    expect(keptName(docs, clusterDocuments(table(docs, ['web', 'book']), options), 'book')).toBe('web');
  });

  it('gives the same clusters whatever the document order', () => {
    const all: TestDoc[] = MEDICAL_TEXTS.flatMap((t) => {
      const v = variants(t);
      return [
        { name: `${t.lang}-base`, text: v.base, lang: t.lang, source: 'web' as const },
        { name: `${t.lang}-ins`, text: v.inserted, lang: t.lang, source: 'web' as const },
        { name: `${t.lang}-del`, text: v.deleted, lang: t.lang, source: 'web' as const },
        { name: `${t.lang}-unrel`, text: v.unrelated, lang: t.lang, source: 'web' as const },
      ];
    });
    const decisions = (docs: TestDoc[]) => {
      const c = clusterDocuments(table(docs), options);
      return Object.fromEntries(docs.map((d, i) => [d.name, docs[c.keptOf[i]!]!.name]));
    };
    const forward = decisions(all);
    expect(decisions([...all].reverse())).toEqual(forward);
    expect(Object.values(forward).filter((k) => k.endsWith('-ins')).length).toBe(18);
  });
});
