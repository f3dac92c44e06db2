import iconv from 'iconv-lite';
import { charsetFromContentType, decodeBytes, metaCharset, normalizeCharset, sniffHtmlCharset } from './charset';
import { extractHtmlText, foldWhitespace } from './html-text';

const page = (body: string, head = '<title>T</title>') => `<!DOCTYPE html><html lang="es-MX"><head>${head}</head><body>${body}</body></html>`;

describe('extractHtmlText', () => {
  it('keeps headings, paragraphs, list items and table rows in reading order', () => {
    const html = page(`
      <h1>Dengue</h1>
      <p>Fiebre   alta y
         dolor de <b>cabeza</b>.<br>Segunda línea.</p>
      <ul><li>Reposo</li><li>Líquidos &amp; <i>paracetamol</i></li></ul>
      <table><tr><th>Edad</th><th>Dosis</th></tr><tr><td>Adultos</td><td><p>1 g</p></td></tr></table>
      <p>Fin.</p>`);
    expect(extractHtmlText(html).text).toBe(
      'Dengue\n\nFiebre alta y dolor de cabeza.\nSegunda línea.\n\nReposo\nLíquidos & paracetamol\n\nEdad\tDosis\nAdultos\t1 g\n\nFin.',
    );
  });

  it('removes scripts, styles, comments, navigation, forms, site chrome and hidden elements', () => {
    const html = page(
      `<header><a href="/">Logo</a><h2>Site name</h2></header>
       <nav><ul><li>Home</li></ul></nav>
       <script>document.write("<p>no</p>")</script><style>p { color: red }</style><noscript>Enable JS</noscript>
       <template><p>tpl</p></template><!-- <p>comment</p> -->
       <form><label>Search</label><input></form>
       <div><p>Visible text.</p><p hidden>hidden attr</p><p style="color:red; display: none">display none</p>
       <span aria-hidden="true">icon</span><div style="visibility:hidden">invisible</div></div>
       <aside>Related links</aside><footer>Copyright</footer>`,
      '<title>Page</title><script>var a = 1;</script><style>body{}</style>',
    );
    expect(extractHtmlText(html).text).toBe('Visible text.');
  });

  it('prefers <main>/<article> and keeps an article header and footer', () => {
    const html = page(`<div class="promo"><p>Subscribe now</p></div>
      <article><header><h1>Lyme disease</h1><p>Updated 2024</p></header><p>Tick-borne infection.</p><footer>Sources: guidelines</footer></article>
      <p>Comments (3)</p>`);
    const result = extractHtmlText(html);
    expect(result.fromMain).toBe(true);
    expect(result.text).toBe('Lyme disease\n\nUpdated 2024\n\nTick-borne infection.\n\nSources: guidelines');
  });

  it('returns the title and the primary language subtag', () => {
    const result = extractHtmlText(page('<p>x</p>', '<title>  Gripe &amp;\n resfriado </title>'));
    expect(result.title).toBe('Gripe & resfriado');
    expect(result.lang).toBe('es');
    expect(extractHtmlText('<p>no html element</p>').lang).toBeUndefined();
  });

  it('keeps line breaks inside <pre> and tolerates unclosed tags', () => {
    expect(extractHtmlText('<pre>a   b\nc</pre><p>one<p>two<div>three').text).toBe('a b\nc\n\none\n\ntwo\n\nthree');
  });

  it('gives empty text for a page of boilerplate only', () => {
    expect(extractHtmlText(page('<nav>Home</nav><footer>(c)</footer>')).text).toBe('');
  });
});

describe('charsets', () => {
  it('reads the charset of a Content-Type header', () => {
    expect(charsetFromContentType('text/html; charset="windows-1256"')).toBe('windows-1256');
    expect(charsetFromContentType('text/html;charset=GBK')).toBe('GBK');
    expect(charsetFromContentType('text/html')).toBeUndefined();
  });

  it('finds <meta charset> and http-equiv declarations', () => {
    expect(metaCharset(Buffer.from('<html><head><meta charset="gbk"><title>x</title>'))).toBe('gbk');
    expect(metaCharset(Buffer.from('<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'))).toBe('windows-1256');
    expect(metaCharset(Buffer.from('<html><body>charset=x</body>'))).toBeUndefined();
  });

  it('orders BOM, header, meta, default', () => {
    const meta = Buffer.from('<meta charset="gbk">');
    expect(sniffHtmlCharset(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), meta]), 'latin1')).toEqual({ label: 'utf-8', from: 'bom' });
    expect(sniffHtmlCharset(meta, 'windows-1256')).toEqual({ label: 'windows-1256', from: 'header' });
    expect(sniffHtmlCharset(meta)).toEqual({ label: 'gbk', from: 'meta' });
    expect(sniffHtmlCharset(Buffer.from('<p>x</p>'))).toEqual({ label: 'utf-8', from: 'default' });
  });

  it('maps labels as browsers do and rejects unknown ones', () => {
    expect(normalizeCharset('ISO-8859-1')).toBe('windows-1252');
    expect(normalizeCharset('GB2312')).toBe('gbk');
    expect(normalizeCharset('klingon-8')).toBeUndefined();
  });

  it('decodes GBK and windows-1256 bytes', () => {
    expect(decodeBytes(iconv.encode('糖尿病足的预防', 'gbk'), 'GB2312')).toEqual({ text: '糖尿病足的预防', charset: 'gbk' });
    expect(decodeBytes(iconv.encode('الحصبة عند الأطفال', 'windows-1256'), 'windows-1256')?.text).toBe('الحصبة عند الأطفال');
    expect(decodeBytes(Buffer.from([0xef, 0xbb, 0xbf, 0x61]), 'utf-8')?.text).toBe('a');
  });

  it('decodes UTF-8 exactly as iconv-lite does, valid or not, with or without a BOM', () => {
    let seed = 11;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const pieces = [[0x61], [0x20], [0xef, 0xbb, 0xbf], [0xc3, 0xa9], [0xe4, 0xb8, 0xad], [0xf0, 0x9f, 0x98, 0x80], [0xc3], [0xe4, 0xb8], [0x80], [0xff], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x00]];
    const samples = [Buffer.alloc(0), Buffer.from('\uFEFF'), Buffer.from('\uFEFF\uFEFFtwo'), Buffer.from('plain ascii'), Buffer.from('ümlaut 中文 😀')];
    for (let n = 0; n < 3000; n++) {
      const bytes: number[] = [];
      const length = Math.floor(random() * 12);
      for (let i = 0; i < length; i++) bytes.push(...pieces[Math.floor(random() * pieces.length)]!);
      samples.push(Buffer.from(bytes));
    }
    for (const bytes of samples) {
      for (const label of ['utf-8', 'UTF8', 'utf8']) {
        expect(decodeBytes(bytes, label)).toEqual({ text: iconv.decode(bytes, 'utf-8'), charset: 'utf-8' });
      }
      // A view into a larger buffer decodes only its own bytes.
      const padded = Buffer.concat([Buffer.from('xx'), bytes, Buffer.from('yy')]);
      expect(decodeBytes(padded.subarray(2, 2 + bytes.length), 'utf-8')?.text).toBe(iconv.decode(bytes, 'utf-8'));
    }
  });
});

describe('foldWhitespace', () => {
  // The one-pass version must equal the regex chain it replaced, on every JavaScript whitespace
  // character, hard breaks and surrogate halves included.
  const reference = (raw: string) =>
    raw
      .split('\uE000')
      .map((line) => line.replace(/\s+/g, ' ').trim())
      .filter((line) => line.length > 0)
      .join('\n');
  const alphabet = ['a', 'é', '中', '\uD83D', '\uDE00', '\uE000', '\u200B', '\u0085', '\u180E', ...' \t\n\v\f\r\u00A0\u1680\u2000\u2005\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF'];

  it('equals split/replace/trim/join on random text', () => {
    let seed = 7;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let n = 0; n < 5000; n++) {
      let raw = '';
      const length = Math.floor(random() * 40);
      for (let i = 0; i < length; i++) raw += alphabet[Math.floor(random() * alphabet.length)]!;
      expect(JSON.stringify(foldWhitespace(raw))).toBe(JSON.stringify(reference(raw)));
    }
  });

  it('equals it on text of words and single spaces, where it copies whole stretches', () => {
    let seed = 3;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const words = ['fever', 'a', '中文', '\uD83D\uDE00', ' ', ' ', ' ', ' ', '  ', '\uE000', '\n', '\u00A0', ' \t'];
    for (let n = 0; n < 5000; n++) {
      let raw = '';
      const length = Math.floor(random() * 30);
      for (let i = 0; i < length; i++) raw += words[Math.floor(random() * words.length)]!;
      expect(JSON.stringify(foldWhitespace(raw))).toBe(JSON.stringify(reference(raw)));
    }
  });

  it('keeps single lines, drops empty ones', () => {
    expect(foldWhitespace('')).toBe('');
    expect(foldWhitespace(' \uE000 \uE000')).toBe('');
    expect(foldWhitespace('  one   two \uE000\uE000 three\n\tfour ')).toBe('one two\nthree four');
  });
});
