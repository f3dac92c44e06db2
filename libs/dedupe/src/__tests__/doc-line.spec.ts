import { seededRandom, validateDoc, type Doc } from '@apollo/document';
import { isCanonicalLine } from '../doc-line';


const PIECES = ['a', 'Z', ' ', 'é', '醫', 'مستشفى', '😀', '"', '\\', '/', '\n', '\t', '\r', '\b', '\f', '\u0001', '\u001f', '\u2028', '\u007f', '\\u', '\ud800', '\udfff', '{', '}', ',', ':'];

function text(rnd: () => number): string {
  let s = 'x';
  const n = 1 + Math.floor(rnd() * 12);
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(rnd() * PIECES.length)]!;
  return s;
}

function makeLine(rnd: () => number): string {
  const t = text(rnd);
  const fields: [string, string][] = [
    ['id', '"0123456789abcdef0123456789abcdef"'],
    ['kind', '"text"'],
    ['source', '"web"'],
    ['stage', '"pretrain"'],
    ['lang', '"en"'],
    ['langScore', '0.95'],
    ['provenance', `{"file":${JSON.stringify(text(rnd))},"line":3}`],
    ['createdAt', '"2026-01-01T00:00:00.000Z"'],
  ];
  fields.splice(Math.floor(rnd() * (fields.length + 1)), 0, ['text', JSON.stringify(t)]);
  let line = '{' + fields.map(([k, v]) => `"${k}":${v}`).join(',') + '}';
  // Ways to write the same document otherwise (or, sometimes, a different one).
  const variant = Math.floor(rnd() * 12);
  const at = (pattern: string, replacement: string) => {
    const i = line.indexOf(pattern, line.indexOf('"text":"') + 8);
    if (i >= 0) line = line.slice(0, i) + replacement + line.slice(i + pattern.length);
  };
  if (variant === 1) at('\\n', '\\u000a');
  if (variant === 2) at('/', '\\/');
  if (variant === 3) at('é', '\\u00e9');
  if (variant === 4) at('\\u001f', '\\u001F');
  if (variant === 5) at('\\ud800', '\\uD800');
  if (variant === 6) line = line.replace('"kind":"text"', '"kind": "text"');
  if (variant === 7) line = line.replace('0.95', '9.5e-1');
  if (variant === 8) line = line.replace('"text":', '"text":"shadowed","text":');
  if (variant === 9) line = line.replace('"lang":"en"', '"lang":"fr","lang":"en"');
  if (variant === 10) at('😀', '\\ud83d\\ude00');
  if (variant === 11) at('a', '\\u0061');
  return line;
}

describe('isCanonicalLine', () => {
  it('agrees with comparing the line to JSON.stringify of its document', () => {
    const rnd = seededRandom(7);
    let canonical = 0;
    let other = 0;
    let conservative = 0;
    for (let k = 0; k < 20_000; k++) {
      const line = makeLine(rnd);
      const checked = validateDoc(JSON.parse(line), { file: 'f' });
      if (!checked.ok) throw new Error(checked.problem.detail);
      const doc: Doc = checked.value;
      const expected = line === JSON.stringify(doc);
      const got = isCanonicalLine(doc, line);
      // Never copyable by mistake; not copyable though canonical only with a backslash before u or / in the text's string.
      if (got && !expected) throw new Error(`says canonical: ${line}`);
      if (!got && expected && !/\\[u/]/.test(JSON.stringify(doc.text))) throw new Error(`says not canonical: ${line}`);
      if (!got && expected) conservative++;
      if (expected) canonical++;
      else other++;
    }
    expect(canonical).toBeGreaterThan(5000);
    expect(other).toBeGreaterThan(5000);
    expect(conservative).toBeLessThan(canonical);
  });

  it('leaves a literal backslash-u in the text to the full path', () => {
    const doc = { id: '0'.repeat(32), text: 'C:\\users', kind: 'text', source: 'web', stage: 'pretrain', provenance: {}, createdAt: 'now' } as Doc;
    const line = JSON.stringify(doc);
    expect(isCanonicalLine(doc, line)).toBe(false);
    expect(isCanonicalLine({ ...doc, text: 'C:\\Users' }, JSON.stringify({ ...doc, text: 'C:\\Users' }))).toBe(true);
  });
});
