import { seededRandom } from '@apollo/document';
import { countLetters, dominantScript, scriptOf, scriptOfCodeUnit, scriptProfile, scriptShare, scriptsOf, type ScriptProfile } from './script';
import { normalizeLangCode } from './languages';

describe('scriptOf', () => {
  it('gives the same script by table lookup for every BMP code unit, and none for surrogates', () => {
    const differ: number[] = [];
    for (let c = 0; c < 0x10000; c++) {
      const expected = c >= 0xd800 && c <= 0xdfff ? undefined : scriptOf(c);
      if (scriptOfCodeUnit(c) !== expected) differ.push(c);
    }
    expect(differ.slice(0, 5)).toEqual([]);
  });

  it('classifies letters of the target scripts and ignores digits and punctuation', () => {
    expect(scriptOf('a'.codePointAt(0)!)).toBe('latin');
    expect(scriptOf('é'.codePointAt(0)!)).toBe('latin');
    expect(scriptOf('病'.codePointAt(0)!)).toBe('han');
    expect(scriptOf('ب'.codePointAt(0)!)).toBe('arabic');
    expect(scriptOf('क'.codePointAt(0)!)).toBe('devanagari');
    expect(scriptOf('ि'.codePointAt(0)!)).toBe('devanagari'); // vowel sign: part of the word
    expect(scriptOf('の'.codePointAt(0)!)).toBe('kana');
    expect(scriptOf('한'.codePointAt(0)!)).toBe('hangul');
    expect(scriptOf('ж'.codePointAt(0)!)).toBe('cyrillic');
    for (const c of ['5', ' ', '।', '٣', '，', '×', '%', '-']) expect(scriptOf(c.codePointAt(0)!)).toBeUndefined();
  });
});

describe('scriptProfile', () => {
  it('counts letters and weighs scripts by UTF-8 bytes', () => {
    const p = scriptProfile('CT检查 2024');
    expect(p.letters).toBe(4);
    expect(p.bytes).toEqual({ latin: 2, han: 6 });
    expect(scriptShare(p, ['han'])).toBeCloseTo(0.75);
    expect(dominantScript(p)).toBe('han');
  });

  it('gives zero shares for a text without letters', () => {
    const p = scriptProfile('12345 67890 !!!');
    expect(p.letters).toBe(0);
    expect(scriptShare(p, ['latin'])).toBe(0);
    expect(dominantScript(p)).toBeUndefined();
  });

  it('reads characters outside the BMP as one letter', () => {
    expect(scriptProfile('𠀀').letters).toBe(1);
  });
});

describe('language codes', () => {
  it('maps cld3 variants and legacy codes to ISO 639-1', () => {
    expect(normalizeLangCode('zh-Latn')).toBe('zh');
    expect(normalizeLangCode('hi-Latn')).toBe('hi');
    expect(normalizeLangCode('iw')).toBe('he');
    expect(normalizeLangCode('fil')).toBe('fil');
    expect(normalizeLangCode('')).toBe('und');
  });

  it('knows the scripts of the languages that share a script with a target', () => {
    expect(scriptsOf('ur')).toEqual(['arabic']);
    expect(scriptsOf('ne')).toEqual(['devanagari']);
    expect(scriptsOf('pt')).toEqual(['latin']);
    expect(scriptsOf('ja')).toEqual(['han', 'kana']);
  });
});

describe('countLetters', () => {
  it('counts what scriptProfile counts, astral letters and lone surrogates included', () => {
    for (const t of ['', 'abc 123', 'Le cœur, l’été !', '患者发热三天', 'मरीज़ को बुखार है।', 'مريض ١٢٣', '𠀋𠀌 😀 x', 'a\ud800b\udc00c', '\ud83d']) {
      expect(countLetters(t)).toBe(scriptProfile(t).letters);
    }
  });
});

describe('scriptProfile and countLetters against a per-code-point reference', () => {
  // The plain definition: every code point through `scriptOf`, UTF-8 bytes by code point. A
  // high surrogate takes the next unit with it, whatever it is (as the table version does).
  function reference(text: string): ScriptProfile {
    const bytes: Partial<Record<string, number>> = {};
    let letters = 0;
    let letterBytes = 0;
    for (let i = 0; i < text.length; i++) {
      let cp = text.charCodeAt(i);
      let size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
      if (cp >= 0xd800 && cp <= 0xdbff) {
        if (i + 1 >= text.length) continue;
        cp = 0x10000 + ((cp - 0xd800) << 10) + (text.charCodeAt(i + 1) - 0xdc00);
        i++;
        size = 4;
      } else if (cp >= 0xdc00 && cp <= 0xdfff) {
        continue;
      }
      const s = scriptOf(cp);
      if (s === undefined) continue;
      letters++;
      letterBytes += size;
      bytes[s] = (bytes[s] ?? 0) + size;
    }
    return { letters, letterBytes, bytes };
  }

  it('agree on every BMP code unit in context, and on random text with lone and paired surrogates', () => {
    const texts: string[] = [];
    for (let c = 0; c < 0x10000; c += 1) texts.push(`a${String.fromCharCode(c)}`, `${String.fromCharCode(c)}`);
    const random = seededRandom(5);
    const atoms = ['a', 'é', '患', 'ض', 'र', 'ि', '😀', '𠀋', '\ud83d', '\udc00', ' ', '1', 'Я', 'ㄱ', 'か'];
    for (let i = 0; i < 2000; i++) {
      let t = '';
      for (let k = Math.floor(random() * 40); k > 0; k--) t += atoms[Math.floor(random() * atoms.length)]!;
      texts.push(t);
    }
    const canonical = (p: ScriptProfile) => JSON.stringify([p.letters, p.letterBytes, Object.entries(p.bytes).sort()]);
    const bad = texts.filter((t) => canonical(scriptProfile(t)) !== canonical(reference(t)) || countLetters(t) !== reference(t).letters);
    expect(bad.slice(0, 5)).toEqual([]);
  });
});
