import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { docId, normalizeForId } from '../normalize';
import { seededRandom } from '../random';

// normalizeForId as it was before whitespace folding was skipped for already folded text, kept
// verbatim: every id stored so far was computed with it, so the two must agree on every string.
const NON_ASCII = /[^\u0000-\u007f]/; // eslint-disable-line no-control-regex -- the ASCII range starts at NUL
function reference(text: string): string {
  const nfkc = NON_ASCII.test(text) ? text.normalize('NFKC') : text;
  return nfkc.replace(/\s+/gu, ' ').trim();
}

/** The texts on which normalizeForId and the reference disagree (first few), to compare with []. */
function disagreements(texts: Iterable<string>): string[] {
  const bad: string[] = [];
  for (const text of texts) {
    if (normalizeForId(text) !== reference(text)) bad.push(text);
    if (bad.length === 5) break;
  }
  return bad;
}

function* codePoints(from: number, to: number): Generator<string> {
  for (let c = from; c <= to; c++) yield String.fromCodePoint(c);
}


// Every `\s` char of this runtime (the set folding acts on), and chars that only look like spaces.
const WHITESPACE = [...codePoints(0, 0xffff)].filter((c) => /\s/u.test(c));
const NOT_WHITESPACE = ['\u0085', '\u180e', '\u200b', '\u200c', '\u200d', '\u2060', '\u00ad'];

describe('normalizeForId agrees with NFKC + fold + trim', () => {
  it('knows the whole `\\s` set, including the chars NFKC maps to U+0020', () => {
    expect(WHITESPACE.map((c) => c.charCodeAt(0).toString(16))).toEqual(
      ['9', 'a', 'b', 'c', 'd', '20', 'a0', '1680', '2000', '2001', '2002', '2003', '2004', '2005', '2006', '2007', '2008', '2009', '200a', '2028', '2029', '202f', '205f', '3000', 'feff'],
    );
  });

  it('on every BMP code unit, lone surrogates included, alone and in context', () => {
    const contexts = [
      (c: string) => c,
      (c: string) => `a${c}`,
      (c: string) => `${c}a`,
      (c: string) => `a ${c} b`,
      (c: string) => `${c}${c}`,
      (c: string) => ` ${c} `,
      (c: string) => `x${c}  ${c}y`,
      (c: string) => `\n${c}\t`,
      (c: string) => `é${c}e\u0301`,
      (c: string) => `${c}\u0301\u0316`,
      (c: string) => `\u1100${c}\u1161`,
      (c: string) => `क${c}\u093c`,
    ];
    for (const context of contexts) expect(disagreements([...codePoints(0, 0xffff)].map(context))).toEqual([]);
  });

  it('on every astral code point, alone and between spaces', () => {
    const all = [...codePoints(0x10000, 0x10ffff)];
    expect(disagreements(all)).toEqual([]);
    expect(disagreements(all.map((c) => `a ${c}  b `))).toEqual([]);
  });

  it('on every canonical and compatibility decomposition, and its starter-follower pairs', () => {
    const sequences: string[] = [];
    for (const c of codePoints(0, 0x10ffff)) {
      for (const form of ['NFD', 'NFKD'] as const) {
        const decomposed = c.normalize(form);
        if (decomposed === c) continue;
        const parts = [...decomposed];
        sequences.push(decomposed, ` ${decomposed}\u00a0`, `${c}${decomposed}`, `${decomposed}${c}`);
        for (let i = 1; i < parts.length; i++) sequences.push(`${parts[i - 1]}${parts[i]}`, `${parts[0]}${parts[i]}`, `${parts[i]}${parts[0]}`);
      }
    }
    expect(sequences.length).toBeGreaterThan(10000);
    expect(disagreements(sequences)).toEqual([]);
  });

  it('on every pair of whitespace kinds, with look-alikes that are not `\\s`', () => {
    const kinds = [...WHITESPACE, ...NOT_WHITESPACE];
    const texts: string[] = [];
    for (const w1 of kinds) {
      texts.push(w1, `a${w1}b`, `${w1}a`, `a${w1}`);
      for (const w2 of kinds) texts.push(`${w1}${w2}`, `a${w1}${w2}b`, `${w1}a${w2}`, `a ${w1}${w2} b`, `${w1} ${w2}`, `患${w1}者${w2}`);
    }
    expect(disagreements(texts)).toEqual([]);
  });

  it('on combining sequences, jamo, nukta forms, mixed scripts and known cases', () => {
    const cases = [
      '',
      ' ',
      '  ',
      '\n',
      'a',
      ' a',
      'a ',
      'a  b',
      'a b',
      'a\u00a0b',
      'é vs e\u0301',
      'e\u0301\u0323 e\u0323\u0301 e\u0316\u0301 e\u0301\u0316',
      'ǖ u\u0308\u0304 u\u0304\u0308',
      'क़ ख़ ग़ ज़ ड़ ढ़ फ़ य़ \u0915\u093c \u0958 \u0929 \u0928\u093c \u0931 \u0930\u093c',
      '\u0958\u0959\u095a\u095b\u095c\u095d\u095e\u095f',
      'मरीज़ को बुख़ार है।  डॉक्टर से मिलें',
      '\u1100\u1161 \u1100\u1161\u11a8 \uac00\u11a8 \u1100\u1161\u11a8\u11a8 \u3131\u314f \uffa1\uffc2',
      '患者出现发热，体温３９℃。\n\n建议：多饮水（每日２Ｌ）',
      'المريض يعاني من الحمى\u00a0الشديدة ﻻ ﷲ \u0627\u0653 \u0622 \u064b\u0651 \u0651\u064b',
      'La fièvre\u2009: ﬁèvre de 39\u00a0°C, ½ dose, ² ³ ™ Ⅻ ①',
      '¿Qué es la fiebre?\r\n\tUna temperatura elevada.',
      '\ufeffBOM at start, ZWJ 👩\u200d⚕️ emoji, 𝐀𝐁𝐂 math, 🇫🇷 flag',
      '\ud800 lone high \udc00 lone low \udbff\udfff',
      'ﾊﾟ ﾊﾞ ｶﾞ \u30ab\u3099 \u304b\u3099 \u309b',
      'Ω Ω K Å Å',
      '\u0000 \u0001\u001f\u007f\u0080\u009f',
    ];
    expect(disagreements(cases)).toEqual([]);
  });

  it('on random windows of the sample corpora, as is and with tricky chars spliced in', () => {
    const root = join(__dirname, '..', '..', '..', '..', 'pipelines', 'samples');
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(json|jsonl|txt|html)$/.test(f));
    const corpus = files.map((f) => readFileSync(join(root, f), 'utf8')).join('\n');
    expect(corpus.length).toBeGreaterThan(100_000);
    expect(corpus).toMatch(/[\u0600-\u06ff]/u); // Arabic, Devanagari, Han and Latin with accents are all there
    expect(corpus).toMatch(/[\u0900-\u097f]/u);
    expect(corpus).toMatch(/[\u4e00-\u9fff]/u);
    const splice = [' ', '  ', '\n', '\t', '\u00a0', '\u3000', '\u2003', '\u0301', '\u093c', '\u1161', '\u11a8', '\uff0c', '\ufb01', '\u0345', '\u0334', '\ud83d', '\ude00'];
    const next = seededRandom(0x1d);
    const texts: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const start = Math.floor(next() * corpus.length);
      const window = corpus.slice(start, start + Math.floor(next() * 400));
      texts.push(window);
      let spliced = window;
      for (let k = Math.floor(next() * 4); k > 0; k--) {
        const at = Math.floor(next() * (spliced.length + 1));
        spliced = spliced.slice(0, at) + splice[Math.floor(next() * splice.length)]! + spliced.slice(at);
      }
      texts.push(spliced);
    }
    expect(disagreements(texts)).toEqual([]);
  });

  it('on random short strings over an alphabet of starters, marks, followers and spaces', () => {
    const alphabet = [...'aeAé ', ...WHITESPACE, ...NOT_WHITESPACE, '\u0301', '\u0308', '\u0316', '\u0323', '\u0334', '\u0345', '\u093c', '\u094d', '\u0928', '\u0915', '\u1100', '\u1161', '\u11a8', '\uac00', '\uff0c', '\u00a8', '\u2474', '\u0627', '\u0653', '\u064b', '\u0651', '\ud83d', '\ude00'];
    const next = seededRandom(7);
    const texts: string[] = [];
    for (let i = 0; i < 50_000; i++) {
      let text = '';
      for (let n = Math.floor(next() * 10); n > 0; n--) text += alphabet[Math.floor(next() * alphabet.length)]!;
      texts.push(text);
    }
    expect(disagreements(texts)).toEqual([]);
  });
});

describe('docId', () => {
  it('keeps the ids computed before (pinned with the reference implementation)', () => {
    const pinned: [Parameters<typeof docId>[0], string, string][] = [
      ['text', ' Fever and  cough', '75675a27e7651d8b073c2eada4cb0ec9'],
      ['text', '患者出现发热，体温３９℃。\n\n建议：多饮水', 'ea81c42c7af0ac6a8cfb5c9136e73bdc'],
      ['text', 'المريض يعاني من الحمى\u00a0الشديدة', '40ff049966bd7321d12fa5d0a453054b'],
      ['text', 'मरीज़ को बुख़ार है।  डॉक्टर से मिलें', '3b6052dd6c28595c90781539913c9b09'],
      ['qa', 'Qu\u0065\u0301 es la fiebre?\n\nUna temperatura elevada.', '9fbc3c6bc437da9d42017235aae4064b'],
      ['text', 'La fièvre\u2009: ﬁèvre de 39\u00a0°C', 'ba8a32a88db17178c79f6e1a542b52a5'],
    ];
    for (const [kind, text, id] of pinned) expect(docId(kind, text)).toBe(id);
  });
});
