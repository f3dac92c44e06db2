import { foldArabic, normalizeForMatching } from '../normalize';
import { murmur3Bytes, murmur3String, murmur3Words } from '../murmur3';
import { shingleHashes, shingleModeFor, textShingles, tokenHashes } from '../shingles';
import { exactHash, Fingerprinter } from '../fingerprint';

describe('normalizeForMatching', () => {
  it('folds compatibility forms, case, punctuation and whitespace', () => {
    expect(normalizeForMatching('  Ｔｙｐｅ２ Diabetes,\n\tIS  “chronic”!!  ')).toBe('type2 diabetes is chronic');
    expect(normalizeForMatching('Dose: 500 mg (b.i.d.)')).toBe('dose 500 mg b i d');
    expect(normalizeForMatching('STRAẞE Straße')).toBe('strasse strasse');
  });

  it('removes Arabic tatweel and diacritics and unifies alef forms', () => {
    expect(foldArabic('فَقْرُ الـدَّم')).toBe('فقر الدم');
    expect(normalizeForMatching('أكثر إلى آخر ٱلطب مستشفى')).toBe('اكثر الي اخر الطب مستشفي');
  });

  it('keeps Devanagari vowel signs and virama, which are letters, not diacritics', () => {
    expect(normalizeForMatching('डेंगू बुखार।')).toBe('डेंगू बुखार');
  });

  it('drops zero-width format characters inside words', () => {
    expect(normalizeForMatching('insu\u200blin\u00ad')).toBe('insulin');
  });

  it('leaves nothing of a text made of punctuation and symbols', () => {
    expect(normalizeForMatching('— !!! ... *** ¿? —')).toBe('');
  });
});

describe('murmur3', () => {
  it('matches the reference vectors of MurmurHash3_x86_32', () => {
    const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
    expect(murmur3Bytes(utf8(''))).toBe(0);
    expect(murmur3Bytes(utf8(''), 1)).toBe(0x514e28b7);
    expect(murmur3Bytes(utf8('hello'))).toBe(0x248bfa47);
    expect(murmur3Bytes(utf8('The quick brown fox jumps over the lazy dog'))).toBe(0x2e4ff723);
  });

  it('hashes strings as their UTF-16LE bytes and words as their little-endian bytes', () => {
    for (const s of ['a', 'ab', 'insulin', 'डेंगू', '乙型肝炎', 'x😀y']) {
      expect(murmur3String(s, 7)).toBe(murmur3Bytes(new Uint8Array(Buffer.from(s, 'utf16le')), 7));
    }
    expect(murmur3String('xxinsulinyy', 3, 2, 9)).toBe(murmur3String('insulin', 3));
    const words = Uint32Array.of(1, 0xdeadbeef, 42, 7);
    expect(murmur3Words(words, 1, 2, 9)).toBe(murmur3Bytes(new Uint8Array(words.buffer, 4, 8), 9));
  });
});

describe('shingles', () => {
  it('makes one word shingle per window of 5 words', () => {
    const tokens = tokenHashes('a b c d e f g', 'words');
    expect(tokens.length).toBe(7);
    expect(shingleHashes(tokens, 5).length).toBe(3);
    expect(new Set(textShingles('a b c d e f g', 'words')).size).toBe(3);
  });

  it('gives one shingle of all tokens to a text shorter than the shingle size', () => {
    expect(textShingles('severe chest pain', 'words').length).toBe(1);
    expect(textShingles('severe chest pain', 'words')).not.toEqual(textShingles('severe chest', 'words'));
    expect(textShingles('肝硬化', 'chars').length).toBe(1);
  });

  it('gives no shingle to a text without tokens', () => {
    expect(textShingles('', 'words').length).toBe(0);
    expect(textShingles(normalizeForMatching('?!…'), 'chars').length).toBe(0);
  });

  it('shingles Chinese by characters, skipping spaces, and counts astral characters once', () => {
    expect(textShingles('乙型肝炎病毒', 'chars').length).toBe(2);
    expect(textShingles('乙型 肝炎 病毒', 'chars')).toEqual(textShingles('乙型肝炎病毒', 'chars'));
    expect(tokenHashes('𠀀𠀁a', 'chars').length).toBe(3);
  });

  it('chooses the mode by language, and by script when the language is unknown', () => {
    expect(shingleModeFor('zh', 'abc def')).toBe('chars');
    expect(shingleModeFor('ar', 'فقر الدم')).toBe('words');
    expect(shingleModeFor(undefined, '乙型病毒性肝炎 hbv')).toBe('chars');
    expect(shingleModeFor('und', 'hepatitis b virus')).toBe('words');
  });
});

describe('fingerprint', () => {
  const fp = new Fingerprinter({ shingles: { words: 5, chars: 5 }, numHashes: 112, seed: 42 });

  it('gives equal exact hashes and signatures to texts equal after normalization', () => {
    const a = fp.fingerprint('Aspirin, 100 mg daily.', 'en');
    const b = fp.fingerprint('ASPIRIN 100 MG   DAILY!', 'en');
    expect(Buffer.from(a.exactHash).equals(Buffer.from(b.exactHash))).toBe(true);
    expect(a.signature).toEqual(b.signature);
    expect(a.noShingles).toBe(false);
  });

  it('flags punctuation-only texts and hashes them on their raw form', () => {
    const a = fp.fingerprint('!!!', 'en');
    const b = fp.fingerprint('???', 'en');
    expect(a.noShingles).toBe(true);
    expect(Buffer.from(a.exactHash).equals(Buffer.from(b.exactHash))).toBe(false);
    expect(Buffer.from(exactHash('', ' !!! ')).equals(Buffer.from(a.exactHash))).toBe(true);
  });

  it('computes no signature in exact-only mode', () => {
    const exactOnly = new Fingerprinter({ shingles: { words: 5, chars: 5 }, numHashes: 0, seed: 42 });
    expect(exactOnly.fingerprint('some text here', 'en').signature.length).toBe(0);
  });
});
