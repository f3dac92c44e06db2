import { foldArabic, NEEDS_NFKC, normalizeForMatching, normalizeForMatchingSteps } from '../normalize';
import { murmur3Bytes, murmur3String, murmur3Words } from '../murmur3';
import { ShingleScratch, shingleHashes, shingleModeFor, textShingles, tokenHashes } from '../shingles';
import { exactHash, exactHashReference, Fingerprinter } from '../fingerprint';

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

  it('computes in one pass the string the step-by-step definition gives', () => {
    const cases = [
      '  Ｔｙｐｅ２ Diabetes,\n\tIS  “chronic”!!  ',
      'STRAẞE Straße ß',
      'فَقْرُ الـدَّم أكثر إلى آخر ٱلطب مستشفى',
      '醫藥治療診斷，腦與心臟的身體檢查後發現 醫藥',
      'insu\u200blin\u00ad \ufeffa\u200b,\u200bb',
      'ΟΔΥΣΣΕΥΣ ΣΑΣ σ.',
      'x😀y 𝐀𝐁 𠀀𠀁 \ud800 lone\udc00 high\ud83d',
      '\u0000a\u0007b\u001fc\u007f\u0085d',
      'a\u00a0b\u2003c\u3000d\u2028e\u2029f\u202fg\u205fh\u1680i',
      '— !!! ... *** ¿? —',
      '',
      ' ',
      ',a,',
      '①②③ ﬁ ㎎ ½',
      'डेंगू बुखार। Ⅻ',
    ];
    for (const text of cases) {
      for (const foldChinese of [true, false]) {
        expect(normalizeForMatching(text, { foldChinese })).toBe(normalizeForMatchingSteps(text, { foldChinese }));
      }
    }
  });

  it('agrees with the definition on random text from every script the corpus holds', () => {
    // Code points drawn from ranges of letters, marks, punctuation, symbols, spaces, format and
    // control characters, surrogates (lone and paired) and astral planes.
    const ranges = [
      [0x0, 0x7f],
      [0x80, 0x24f],
      [0x370, 0x3ff],
      [0x600, 0x6ff],
      [0x900, 0x97f],
      [0x2000, 0x206f],
      [0x20a0, 0x2bff],
      [0x3000, 0x30ff],
      [0x4e00, 0x9fff],
      [0xd800, 0xdfff],
      [0xfb00, 0xffff],
      [0x1d400, 0x1d7ff],
      [0x1f300, 0x1faff],
      [0x20000, 0x2a6df],
    ] as const;
    let seed = 99;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    for (let trial = 0; trial < 400; trial++) {
      let text = '';
      const length = Math.floor(next() * 60);
      for (let k = 0; k < length; k++) {
        const [lo, hi] = ranges[Math.floor(next() * ranges.length)]!;
        const cp = lo + Math.floor(next() * (hi - lo + 1));
        text += cp >= 0xd800 && cp <= 0xdfff ? String.fromCharCode(cp) : String.fromCodePoint(cp);
        if (next() < 0.2) text += ' ';
      }
      expect(normalizeForMatching(text)).toBe(normalizeForMatchingSteps(text));
    }
  });

  it('lower-cases each code point on its own, as the whole text is lower-cased, but for capital sigma', () => {
    // The one-pass form folds case per code point: V8's toLowerCase must not look at the
    // neighbours of any code point but U+03A3 (final sigma).
    const odd: string[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if ((cp >= 0xd800 && cp <= 0xdfff) || cp === 0x3a3) continue;
      const c = String.fromCodePoint(cp);
      const l = c.toLowerCase();
      if (`Α${c}Β`.toLowerCase() !== `α${l}β` || `${c} `.toLowerCase() !== `${l} ` || `I${c}`.toLowerCase() !== `i${l}`) odd.push(cp.toString(16));
    }
    expect(odd).toEqual([]);
  });

  it('agrees with the definition on every code point, in upper-case context and with final sigma', () => {
    for (const foldChinese of [true, false]) {
      // Every BMP code point; the astral planes, with many fewer case pairs, sampled.
      for (let start = 0; start <= 0x10ffff; start += 0x8000) {
        let text = '';
        for (let cp = start; cp < Math.min(start + 0x8000, 0x110000); cp += cp < 0x10000 ? 1 : 13) {
          text += cp >= 0xd800 && cp <= 0xdfff ? String.fromCharCode(cp) : String.fromCodePoint(cp);
          if (cp % 7 === 0) text += 'A';
          if (cp % 11 === 0) text += ' ';
        }
        expect(normalizeForMatching(text, { foldChinese })).toBe(normalizeForMatchingSteps(text, { foldChinese }));
      }
      for (const text of ['ΟΔΥΣΣΕΥΣ', 'ΣΑΣ Σ. ΣΣ aΣ', 'İstanbul ΣΟΦΙΑ', 'Σ']) {
        expect(normalizeForMatching(text, { foldChinese })).toBe(normalizeForMatchingSteps(text, { foldChinese }));
      }
    }
  });

  it('skips NFKC only for texts it leaves unchanged', () => {
    const stable: string[] = [];
    for (let c = 0; c < 0x10000; c++) {
      const ch = String.fromCharCode(c);
      if (!NEEDS_NFKC.test(ch)) stable.push(ch);
    }
    expect(stable.every((ch) => ch.charCodeAt(0) < 0x100 && ch.normalize('NFKC') === ch)).toBe(true);
    expect(stable.length).toBe(256 - 14);
    let seed = 5;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let trial = 0; trial < 2000; trial++) {
      let text = '';
      for (let i = next() % 12; i >= 0; i--) text += stable[next() % stable.length];
      expect(text.normalize('NFKC')).toBe(text);
      expect(normalizeForMatching(text)).toBe(normalizeForMatchingSteps(text));
    }
  });

  it('handles a text longer than its reusable buffer, after a short one', () => {
    const long = 'Straße, '.repeat(20000);
    expect(normalizeForMatching('a b')).toBe('a b');
    expect(normalizeForMatching(long)).toBe(normalizeForMatchingSteps(long));
    expect(normalizeForMatching('c d')).toBe('c d');
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

  it('hashes each window as murmur3Words over its token hashes, whatever the size and count', () => {
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (const count of [1, 2, 5, 6, 40, 3000]) {
      const tokens = Uint32Array.from({ length: count }, next);
      for (const size of [1, 2, 3, 5, 7]) {
        const want = count <= size ? [murmur3Words(tokens, 0, count, 0x5bd1e995)] : Array.from({ length: count - size + 1 }, (_, i) => murmur3Words(tokens, i, size, 0x5bd1e995));
        expect(Array.from(shingleHashes(tokens, size))).toEqual(want);
      }
    }
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

  it('hashes each word as murmur3String does, for odd and even lengths and astral characters', () => {
    const text = 'a ab abc abcd 😀 x😀 डेंगू 乙型肝炎 z';
    const words = text.split(' ');
    expect(Array.from(tokenHashes(text, 'words'))).toEqual(words.map((w) => murmur3String(w, 0x9747b28c)));
  });

  it('gives the same shingles from reused buffers, whatever came before', () => {
    const scratch = new ShingleScratch();
    const sizes = { words: 5, chars: 5 };
    const long = Array.from({ length: 3000 }, (_, i) => `w${i % 977}`).join(' ');
    for (const [text, mode] of [
      ['a b c d e f g', 'words'],
      [long, 'words'],
      ['severe chest pain', 'words'],
      ['乙型 肝炎 病毒', 'chars'],
      ['', 'words'],
      ['a b c d e f g', 'words'],
    ] as const) {
      expect(Array.from(scratch.textShingles(text, mode, sizes))).toEqual(Array.from(textShingles(text, mode, sizes)));
    }
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

  it('gives the exact hashes of the step-by-step form: tags, UTF-8, lone surrogates, long texts', () => {
    const texts = ['aspirin', 'x😀y 乙型肝炎 डेंगू', 'lone \ud800 high', 'low \udc00', 'end\ud83d', '\udc00\ud800', 'é'.repeat(40000), '乙'.repeat(70000), ''];
    for (const t of texts) {
      expect(Buffer.from(exactHash(t, t)).toString('hex')).toBe(Buffer.from(exactHashReference(t, t)).toString('hex'));
      // An empty matching form: hashed on the raw text instead.
      expect(Buffer.from(exactHash('', `!! ${t} ??`)).toString('hex')).toBe(Buffer.from(exactHashReference('', `!! ${t} ??`)).toString('hex'));
    }
    // Pinned: the values signature files and indexes hold.
    expect(Buffer.from(exactHash('aspirin 100 mg daily', 'Aspirin, 100 mg daily.')).toString('hex')).toBe('0f15d1ed3ff98a346fe424b0e7d369fc');
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
