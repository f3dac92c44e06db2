import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_LIMITS, parseDocLine, readDocFile, seededRandom, type Doc, type DocItem } from '@apollo/document';
import { docTextBytes, parseDocLineBytes, readDocsWithText } from '../doc-line';
import { readJsonString, scanBytes, CONTROL_BYTE, FOUR_BYTE_LEAD } from '../json-string';
import { ByteBuffer } from '../parquet/bytes';
import { countChars } from '../tokens';
import { fixtureDocs, tempDir } from './fixtures';

/** Strings with every kind of character JSON escapes or does not, astral ones and lone surrogates included. */
function trickyStrings(count = 400): string[] {
  const random = seededRandom(11);
  const alphabet = ['a', ' ', '"', '\\', '/', '\n', '\r', '\t', '\b', '\f', '\u0000', '\u001f', '\u007f', 'é', '高', 'ض', 'र', '🩺', '𝛼', '\u2028', '\ufeff', '"text":"', '\\u0041'];
  const out = ['', 'x', '"', '\\', '\\"', 'ends with a backslash \\', '"text":"inner"', '🩺', '\ud83d', 'a\udc00b', 'x'.repeat(1000) + '高'];
  for (let i = 0; i < count; i++) {
    let s = '';
    const n = 1 + Math.floor(random() * 60);
    for (let k = 0; k < n; k++) s += alphabet[Math.floor(random() * alphabet.length)]!;
    // One string in five with a lone surrogate somewhere.
    if (random() < 0.2) {
      const at = Math.floor(random() * s.length);
      s = s.slice(0, at) + (random() < 0.5 ? '\ud800' : '\udfff') + s.slice(at);
    }
    out.push(s);
  }
  return out;
}

const hasLoneSurrogate = (s: string) => Buffer.from(s).toString() !== s;

/** Other spellings JSON.parse reads as the same string: every character \u-escaped, `\/`, upper-case hex. */
function respellings(s: string): string[] {
  const units = [...Array(s.length).keys()].map((i) => s.charCodeAt(i));
  const u = (c: number, upper = false) => '\\u' + (upper ? c.toString(16).toUpperCase() : c.toString(16)).padStart(4, '0');
  return [JSON.stringify(s), `"${units.map((c) => u(c)).join('')}"`, `"${units.map((c) => u(c, true)).join('')}"`, JSON.stringify(s).replaceAll('/', '\\/')];
}

describe('readJsonString', () => {
  it('gives the UTF-8 bytes of the string JSON.parse reads, or gives up on what UTF-8 cannot hold', () => {
    const scratch = new ByteBuffer(8);
    let read = 0;
    for (const s of trickyStrings()) {
      for (const token of respellings(s)) {
        const src = Buffer.from(`${token},"after":1}`);
        const got = readJsonString(src, 1, scratch);
        const value = JSON.parse(token) as string;
        if (hasLoneSurrogate(value)) {
          expect(got).toBeUndefined();
          continue;
        }
        expect(got).toBeDefined();
        expect(got!.end).toBe(Buffer.byteLength(token) - 1);
        expect(got!.utf8.equals(Buffer.from(value))).toBe(true);
        expect(got!.astral).toBe(countChars(value) !== value.length);
        read++;
      }
    }
    expect(read).toBeGreaterThan(1000);
  });

  it('gives up on tokens JSON.parse rejects, and on lone surrogates', () => {
    const scratch = new ByteBuffer();
    for (const token of ['"raw\ttab"', '"raw\nnewline"', '"\u0000"', '"\\x41"', '"\\\'"', '"\\u12"', '"\\u12g4"', '"unterminated', '"ends in escape\\', '"\\']) {
      expect(() => JSON.parse(token)).toThrow(/./);
      expect(readJsonString(Buffer.from(token), 1, scratch)).toBeUndefined();
    }
    for (const token of ['"\\ud83d\\u0041"', '"\\ud83d"', '"\\udc00\\ud83d"', '"a\\ud83d"']) {
      expect(hasLoneSurrogate(JSON.parse(token) as string)).toBe(true);
      expect(readJsonString(Buffer.from(token), 1, scratch)).toBeUndefined();
    }
  });
});

describe('scanBytes', () => {
  it('finds control bytes and 4-byte lead bytes at every position and alignment', () => {
    for (let len = 0; len < 12; len++) {
      for (let at = 0; at < len; at++) {
        for (const [b, want] of [
          [0x00, CONTROL_BYTE],
          [0x1f, CONTROL_BYTE],
          [0x20, 0],
          [0x7f, 0],
          [0xef, 0],
          [0xf0, FOUR_BYTE_LEAD],
          [0xff, FOUR_BYTE_LEAD],
        ] as const) {
          const buf = Buffer.alloc(len + 3, 0x61);
          buf[1 + at] = b;
          expect(scanBytes(buf, 1, 1 + len)).toBe(want);
          // Bytes outside the range do not count.
          buf.fill(0x61);
          buf[0] = b;
          buf[len + 1] = b;
          expect(scanBytes(buf, 1, 1 + len)).toBe(0);
        }
      }
    }
  });
});

/** A document line as a JSONL writer writes it. */
const line = (doc: unknown) => JSON.stringify(doc);

function docLines(): string[] {
  const docs = fixtureDocs(3);
  const base = docs[0]!;
  const lines = docs.map(line);
  for (const text of trickyStrings(150)) lines.push(line({ ...base, text: `t ${text}` }));
  const raw = JSON.stringify(base);
  const kindAt = raw.indexOf(',"kind"');
  const { text: _text, ...withoutText } = base;
  lines.push(
    // Duplicate or disguised text keys: JSON.parse keeps the last.
    raw.slice(0, -1) + ',"text":"second"}',
    raw.slice(0, -1) + ',"te\\u0078t":"second"}',
    raw.slice(0, -1) + ',"text" : ""}',
    raw.slice(0, -1) + ',"meta2":{"text":1}}',
    // "text" where it is no key.
    line({ ...base, meta: { note: '"text": in a string', kind: 'text' } }),
    // Whitespace between tokens, other key orders, keys the layout does not expect.
    raw.replace('"text":', '"text" :'),
    raw.replace(',"kind"', ' ,"kind"'),
    line({ text: base.text, ...withoutText }),
    line({ id: base.id.toUpperCase(), text: base.text, kind: base.kind, source: base.source, stage: base.stage, provenance: {}, createdAt: base.createdAt, lang: 'en' }),
    // Invalid documents: unknown field, empty and whitespace text, wrong types, too long.
    raw.slice(0, -1) + ',"extra":1}',
    line({ ...base, text: '' }),
    line({ ...base, text: ' \n\t ' }),
    line({ ...base, createdAt: 5 }),
    line({ ...base, text: 'x'.repeat(DEFAULT_LIMITS.maxChars + 1) }),
    // Not JSON, not a document, CR line ends, a BOM, blank lines.
    raw.slice(0, -1),
    raw.slice(0, kindAt) + raw.slice(kindAt).replace(':', ''),
    '[1,2]',
    raw + '\r',
    '\ufeff' + raw,
    '',
    '   ',
  );
  return lines;
}

describe('parseDocLineBytes', () => {
  it('finds what parseDocLine finds, or leaves the line to it', () => {
    const scratch = new ByteBuffer(16);
    const at = { file: 'in.jsonl', line: 3 };
    let fast = 0;
    const lines = docLines().map((l) => Buffer.from(l));
    // Invalid UTF-8 inside the text, and a lone surrogate's bytes (CESU), which TextDecoder rejects.
    const good = lines[0]!;
    lines.push(Buffer.concat([good.subarray(0, 60), Buffer.from([0xc3, 0x28]), good.subarray(60)]));
    lines.push(Buffer.concat([good.subarray(0, 60), Buffer.from([0xed, 0xa0, 0x80]), good.subarray(60)]));
    lines.push(Buffer.concat([good.subarray(0, 60), Buffer.from([0x09]), good.subarray(60)]));
    for (const buf of lines) {
      const full = parseDocLine(buf, at);
      const got = parseDocLineBytes(buf, at, DEFAULT_LIMITS, scratch);
      if (!got) continue;
      fast++;
      expect(full.kind).toBe('doc');
      const doc = (full as { doc: Doc }).doc;
      // The same keys in the same order, the same values.
      expect(JSON.stringify(got.doc)).toBe(JSON.stringify(doc));
      expect(got.doc).toEqual(doc);
      expect(got.text.utf8.equals(Buffer.from(doc.text))).toBe(true);
      expect(got.text.codePoints).toBe(countChars(doc.text));
    }
    // The documents as JsonlWriter writes them all take the byte-level path.
    expect(fast).toBeGreaterThanOrEqual(fixtureDocs(3).length + 150 - trickyStrings(150).filter(hasLoneSurrogate).length);
  });

  it('applies the reader limits as validateDoc does', () => {
    const buf = Buffer.from(line({ ...fixtureDocs(1)[0]!, text: 'x'.repeat(50) }));
    const scratch = new ByteBuffer();
    expect(parseDocLineBytes(buf, { file: 'f' }, { maxChars: 49 }, scratch)).toBeUndefined();
    expect(parseDocLineBytes(buf, { file: 'f' }, { maxChars: 50 }, scratch)).toBeDefined();
  });
});

describe('readDocsWithText', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir('doc-line');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('yields what readDocFile yields, with each text as UTF-8 until the next document is read', async () => {
    const file = join(dir, 'mixed.jsonl');
    const content = Buffer.concat([Buffer.from(docLines().join('\n') + '\n'), Buffer.from([0xff, 0x0a]), Buffer.from(docLines()[0]!)]);
    await writeFile(file, content);
    const expected: DocItem[] = [];
    for await (const item of readDocFile(file)) expected.push(item);
    const got: DocItem[] = [];
    let withBytes = 0;
    let previous: Doc | undefined;
    for await (const item of readDocsWithText(file)) {
      got.push(item);
      if (previous) expect(docTextBytes(previous)).toBeUndefined();
      if ('doc' in item) {
        const text = docTextBytes(item.doc);
        if (text) {
          withBytes++;
          expect(text.utf8.equals(Buffer.from(item.doc.text))).toBe(true);
        }
        previous = item.doc;
      }
    }
    expect(got).toEqual(expected);
    expect(got.map((i) => JSON.stringify(i))).toEqual(expected.map((i) => JSON.stringify(i)));
    expect(withBytes).toBeGreaterThan(100);
    expect(got.filter((i) => 'problem' in i).map((i) => ('problem' in i ? i.problem.reason : ''))).toContain('invalid_utf8');
  });
});
