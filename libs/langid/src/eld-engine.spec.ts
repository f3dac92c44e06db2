import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eld } from 'eld/small';
import { loadEldEngine, loadEldTable } from './eld-detector';
import type { EldEngine } from './eld-engine';
import { decodeEldTable, ELD_VERSION, encodeEldTable } from './eld-table-file';
import { seededRandom } from '@apollo/document';

// The engine must give eld's answer for every text: the same language, the same score to the
// last bit and the same reliability flag. Texts: the labelled set (730 texts in 25 languages,
// short and long), 330-byte pieces and 1,000-character cuts of them, and edge cases of eld's
// tokenizer (long words, surrogate pairs, apostrophes, text past its 350/380-byte cuts).
const evalTexts = readFileSync(join(__dirname, '..', 'data', 'eval-set.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => (JSON.parse(l) as { text: string }).text);

const EDGE_CASES = [
  '',
  '   ',
  '12345 67890',
  'Hi',
  'a',
  'ab cd',
  'abc',
  'abcd',
  'abcde',
  "l'eau d'une source n'est pas toujours potable, c'est l'hôpital qui l'a dit",
  "don't `quote' ’tis",
  "a ' b a' b a 'b '' x''y ’’ ’ `` end'",
  "'leading and trailing'",
  "''' only apostrophes '''",
  "l'hôpital, l’école ; aujourd'hui... c'est-à-dire « l'eau » !",
  'tab\tnew\nline\r\n\u00a0nbsp\u2003em space',
  'Pneumonoultramicroscopicsilicovolcanoconiosis'.repeat(3) + ' is a lung disease',
  'x'.repeat(69) + ' ' + 'y'.repeat(70) + ' ' + 'z'.repeat(71) + ' ' + 'w'.repeat(75),
  '😀 患者 😷 𠀋𠀌 发热 🤒 fever',
  'İstanbul ŞİŞLİ hastanesi ÇOK iyi',
  'Straße Größe ÄRZTE',
  '\ud83d',
  'abc\udc00def',
  'the '.repeat(200),
  'مريض '.repeat(120),
  'बुखार '.repeat(90) + 'fever '.repeat(50),
];

/**
 * Random texts over what the one-pass tokenizer (`encodeInput`) treats specially: separator
 * runs with apostrophes (kept at a run's end), runs at either end (trim), upper case with
 * context (final sigma) or two-unit lower case (İ), astral and lone surrogates, whitespace.
 */
function* randomTexts(): Generator<string> {
  const random = seededRandom(11);
  const atoms = ['a', 'B', 'é', 'É', 'ß', 'Σ', 'σ', 'ΟΔΟΣ', 'İ', 'I', 'ı', 'K', '\u212a', 'Ω', 'я', 'Я', '患', 'ض', 'र', 'ि', "'", '`', '\u2019', ' ', '  ', '\t', '\n', '\u00a0', '\u3000', ',', '.', '-', '1', '😀', '\ud83d', '\udc00', 'word', 'WORD', "l'eau", 'x'.repeat(72)];
  for (let i = 0; i < 3000; i++) {
    let t = '';
    const n = 1 + Math.floor(random() * (i % 10 === 0 ? 400 : 30));
    // Every other text without Σ and İ, which send a text to the string path.
    const pool = i % 2 === 0 ? atoms.filter((a) => !a.includes('Σ') && !a.includes('İ')) : atoms;
    for (let k = 0; k < n; k++) t += pool[Math.floor(random() * pool.length)]!;
    yield t;
  }
}

function* texts(): Generator<string> {
  yield* EDGE_CASES;
  yield* randomTexts();
  for (const t of evalTexts) {
    yield t;
    yield t.slice(0, 1000);
    for (let i = 0; i < t.length; i += 330) yield t.slice(i, i + 330);
  }
}

let engine: EldEngine;
beforeAll(async () => {
  engine = await loadEldEngine();
});

describe('EldEngine', () => {
  it("gives eld's language, score and reliability for every text", () => {
    let compared = 0;
    const diffs: string[] = [];
    for (const text of texts()) {
      const want = eld.detect(text);
      const wantScore = want.language ? (Object.values(want.getScores())[0] ?? 0) : 0;
      const got = engine.detect(text);
      compared++;
      if (got.language !== want.language || got.score !== wantScore || got.reliable !== want.isReliable()) {
        diffs.push(`${JSON.stringify(text.slice(0, 60))}: eld ${want.language} ${wantScore} ${want.isReliable()}, engine ${got.language} ${got.score} ${got.reliable}`);
      }
    }
    expect(compared).toBeGreaterThan(5000);
    expect(diffs).toEqual([]);
  });

  it('detects the six languages of the corpus', () => {
    expect(engine.detect('The patient has had a high fever and a dry cough for three days.').language).toBe('en');
    expect(engine.detect('患者发热三天，伴有咳嗽、咽痛和全身乏力等症状。').language).toBe('zh');
    expect(engine.detect('El paciente tiene fiebre alta y tos seca desde hace tres días.').language).toBe('es');
    expect(engine.detect('Le patient présente une fièvre élevée et une toux sèche depuis trois jours.').language).toBe('fr');
    expect(engine.detect('يعاني المريض من ارتفاع في درجة الحرارة وسعال جاف منذ ثلاثة أيام.').language).toBe('ar');
    expect(engine.detect('मरीज़ को पिछले तीन दिनों से तेज़ बुखार और सूखी खाँसी है।').language).toBe('hi');
  });
});

describe('the cached eld table', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'eld-table-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is compiled from the installed eld release', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'node_modules', 'eld', 'package.json'), 'utf8')) as { version: string };
    expect(ELD_VERSION).toBe(pkg.version);
  });

  it('is written on first use, read back identical, and rebuilt when damaged', async () => {
    const file = join(dir, 'eld.bin');
    const built = await loadEldTable(file);
    expect(built.keyLo.length).toBeGreaterThan(80000);
    const bytes = readFileSync(file);
    expect(decodeEldTable(bytes, file)).toEqual(built);
    expect(encodeEldTable(built).equals(bytes)).toBe(true);

    const damaged = Buffer.from(bytes);
    damaged[1000] = damaged[1000]! ^ 0xff;
    expect(() => decodeEldTable(damaged, file)).toThrow(`${file}: not a usable eld table: checksum mismatch`);
    expect(() => decodeEldTable(bytes.subarray(0, 20), file)).toThrow('bad magic');
    writeFileSync(file, damaged);
    expect(await loadEldTable(file)).toEqual(built);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });
});
