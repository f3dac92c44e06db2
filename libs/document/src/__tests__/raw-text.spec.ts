import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  attachRawText,
  type Doc,
  isCanonicalJsonString,
  JsonlWriter,
  makeDoc,
  RAW_TEXT,
  rawTextOf,
  readDocFile,
  seededRandom,
  topLevelStringSpan,
} from '../index';

const bytes = (s: string) => Buffer.from(s);
const spanText = (line: string, key = 'text') => {
  const b = bytes(line);
  const span = topLevelStringSpan(b, key);
  return span && b.subarray(span.start, span.end).toString();
};

/** Strings with every kind of character JSON escapes or does not: the texts at stake. */
function trickyStrings(): string[] {
  const random = seededRandom(7);
  const alphabet = ['a', ' ', '"', '\\', '\n', '\r', '\t', '\b', '\f', '\u0000', '\u001f', '\u007f', '/', 'é', '高', 'ض', 'र', '🩺', '\u2028', '{', '}', '[', ']', ',', ':', '"text":"'];
  const out = ['x', '"', '\\', '\\"', 'ends with a backslash \\', '"text":"inner"', '\u0008\u000c'];
  for (let i = 0; i < 300; i++) {
    let s = '';
    const n = 1 + Math.floor(random() * 40);
    for (let k = 0; k < n; k++) s += alphabet[Math.floor(random() * alphabet.length)]!;
    out.push(s);
  }
  return out;
}

describe('topLevelStringSpan', () => {
  it('finds the top-level member as JSON.parse reads it, whatever comes before and after', () => {
    for (const t of trickyStrings()) {
      const variants = [
        JSON.stringify({ text: t }),
        JSON.stringify({ id: 'x"y', meta: { text: 'nested', list: [1, '"]}', { text: 'deeper' }] }, text: t, n: -1.5e3, ok: true, nil: null }),
        ` { "a" : [ ] , "text" : ${JSON.stringify(t)} , "b" : { } } `,
      ];
      for (const line of variants) {
        const span = spanText(line);
        expect(span).toBeDefined();
        expect(JSON.parse(`"${span}"`)).toBe((JSON.parse(line) as { text: string }).text);
      }
    }
  });

  it('answers nothing when the member is missing, repeated, escaped, not a string or not at the top level', () => {
    expect(spanText('{"meta":{"text":"nested"}}')).toBeUndefined();
    expect(spanText('{"text":"first","text":"second"}')).toBeUndefined();
    expect(spanText('{"te\\u0078t":"escaped key"}')).toBeUndefined();
    expect(spanText('{"text":"a","te\\u0078t":"b"}')).toBeUndefined();
    expect(spanText('{"text":42}')).toBeUndefined();
    expect(spanText('{"text":["a"]}')).toBeUndefined();
    expect(spanText('["text","a"]')).toBeUndefined();
    expect(spanText('{}')).toBeUndefined();
    expect(spanText('{"text":"unterminated')).toBeUndefined();
  });
});

describe('isCanonicalJsonString', () => {
  const canonical = (json: string) => {
    const b = bytes(json);
    return isCanonicalJsonString(b, 1, b.length - 1);
  };

  it('accepts every string as JSON.stringify writes it', () => {
    for (const t of trickyStrings()) expect(canonical(JSON.stringify(t))).toBe(true);
    for (let c = 0; c < 0x20; c++) expect(canonical(JSON.stringify(String.fromCharCode(c)))).toBe(true);
  });

  it('rejects other spellings of the same strings', () => {
    for (const json of ['"\\u4e2d"', '"\\/"', '"\\u000a"', '"\\u0008"', '"\\u001F"', '"\\u0041"', '"\\ud800"', '"a\\u00e9"']) {
      expect(JSON.parse(json)).toEqual(expect.any(String));
      expect(canonical(json)).toBe(false);
    }
  });
});

describe('raw text passthrough', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'raw-text-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const doc = (text: string, i: number): Doc => {
    const made = makeDoc({ kind: 'text', text, source: 'web', stage: 'pretrain', provenance: { file: 'f.jsonl', line: i + 1 } }, { file: 'f.jsonl', line: i + 1 }, { maxChars: 1e7 });
    if (!made.ok) throw new Error(made.problem.detail);
    return made.value;
  };

  it('writes documents read from a file exactly as JSON.stringify, across read-buffer refills and changed documents', async () => {
    const texts = trickyStrings().map((t) => `${t} ${'高血压 '.repeat(t.length % 7)}`.trim() || 'x');
    const docs = texts.map(doc);
    const input = join(dir, 'in.jsonl');
    await writeFile(input, docs.map((d) => JSON.stringify(d) + '\n').join(''));
    const out = join(dir, 'out.jsonl');
    const w = new JsonlWriter(out);
    const expected: string[] = [];
    let passed = 0;
    let i = 0;
    // Small reads: many lines span two reads, and the buffer is refilled between lines.
    for await (const item of readDocFile(input, { highWaterMark: 64, rawText: true })) {
      if (!('doc' in item)) throw new Error('unexpected problem');
      let d: Doc = { ...item.doc, lang: 'en', langScore: 0.5, meta: { n: i } };
      if (i % 5 === 4) d = { ...d, text: d.text + ' changed' };
      if (rawTextOf(d)) passed++;
      w.addDoc(d);
      expected.push(JSON.stringify(d) + '\n');
      i++;
    }
    await w.commit();
    expect((await readFile(out, 'utf8')) === expected.join('')).toBe(true);
    // The unchanged documents took the copy path (all but the changed fifth).
    expect(passed).toBe(docs.length - Math.floor(docs.length / 5));
  });

  it('does not use a view once its buffer has been refilled, nor text spelled otherwise', () => {
    const owner = { fills: 1 };
    const d = doc('héllo "world"', 0);
    const line = bytes(JSON.stringify(d));
    attachRawText(d, d.text, line, owner);
    expect(rawTextOf(d)).toBeDefined();
    owner.fills++;
    expect(rawTextOf(d)).toBeUndefined();

    const escaped = doc('中文', 1);
    attachRawText(escaped, escaped.text, bytes(JSON.stringify(escaped).replace('中文', '\\u4e2d\\u6587')));
    expect(escaped[RAW_TEXT]).toBeUndefined();
  });

  it('falls back to JSON.stringify when the text does not directly follow the id', async () => {
    const d = doc('some text', 0);
    attachRawText(d, d.text, bytes(JSON.stringify(d)));
    const { id, ...rest } = d;
    const reordered = { ...rest, id } as Doc;
    expect(rawTextOf(reordered)).toBeDefined();
    const out = join(dir, 'reordered.jsonl');
    const w = new JsonlWriter(out);
    w.addDoc(reordered);
    await w.commit();
    expect(await readFile(out, 'utf8')).toBe(JSON.stringify(reordered) + '\n');
  });
});
