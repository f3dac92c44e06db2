import { htmlparser2Module } from './lazy-modules';

/** The main text of an HTML page, with the page's title and declared language. */
export interface HtmlText {
  /** Blocks in reading order: paragraphs and headings separated by a blank line, list items and table rows by a newline. */
  text: string;
  title?: string;
  /** Primary subtag of `<html lang>`, lower-cased (`ar-EG` -> `ar`). */
  lang?: string;
  /** True when the text came from `<main>`/`<article>` only. */
  fromMain: boolean;
}

/** Never text: code, styling, embedded documents and controls. */
const ALWAYS_SKIPPED = new Set([
  'head',
  'script',
  'style',
  'noscript',
  'template',
  'nav',
  'aside',
  'form',
  'iframe',
  'object',
  'embed',
  'canvas',
  'svg',
  'select',
  'button',
  'dialog',
]);

/** Site chrome when outside `<main>`/`<article>`; inside an article they hold its own heading and byline. */
const CHROME = new Set(['header', 'footer']);

const MAIN = new Set(['main', 'article']);

/** Elements that end the line of text before them and start a new one. */
const BLOCK = new Set([
  'address',
  'article',
  'blockquote',
  'body',
  'caption',
  'center',
  'dd',
  'details',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'main',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'tbody',
  'tfoot',
  'thead',
  'ul',
]);

/** Blocks joined to their neighbours by a single newline rather than a blank line. */
const LINE = new Set(['li', 'dt', 'dd', 'tr']);

/** Marks a hard line break (`<br>`, newlines in `<pre>`) that whitespace folding must keep. */
const HARD_BREAK = '\uE000';

function isHidden(attribs: Record<string, string>): boolean {
  if (attribs.hidden !== undefined) return true;
  if (attribs['aria-hidden']?.trim().toLowerCase() === 'true') return true;
  const style = attribs.style;
  return style !== undefined && /(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\b/i.test(style);
}

const HARD_BREAK_CODE = 0xe000;

/** Whether a UTF-16 code unit is in JavaScript's `\s` (and `trim`) set: WhiteSpace or LineTerminator. */
function isJsSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/**
 * Folds whitespace runs to one space per line and drops empty lines: the same result as
 * `raw.split(HARD_BREAK).map((l) => l.replace(/\s+/g, ' ').trim()).filter(Boolean).join('\n')`,
 * in one pass over the text, because that chain ran on every block of every page and cost the
 * crawler more than the HTML tokenizer did (html-text.spec.ts compares the two on random text).
 * Stretches that are already folded (words joined by single spaces, the common case) are copied
 * with one slice each rather than word by word: per-word concatenation was most of the
 * extraction thread's time and garbage.
 */
export function foldWhitespace(raw: string): string {
  if (isFolded(raw)) return raw;
  let out = '';
  // What goes before the next stretch of words: a newline when a hard break came since the last word.
  let separator = ' ';
  const n = raw.length;
  let i = 0;
  while (i < n) {
    let c = raw.charCodeAt(i);
    if (c === HARD_BREAK_CODE || isJsSpace(c)) {
      let hard = false;
      do {
        if (c === HARD_BREAK_CODE) hard = true;
        if (++i === n) break;
        c = raw.charCodeAt(i);
      } while (c === HARD_BREAK_CODE || isJsSpace(c));
      separator = hard ? '\n' : ' ';
      continue;
    }
    // A stretch: words and the single spaces between them, which are kept as they are.
    const start = i;
    for (i++; i < n; i++) {
      const d = raw.charCodeAt(i);
      if (d === HARD_BREAK_CODE || isJsSpace(d)) {
        if (d !== 0x20 || i + 1 >= n) break;
        const e = raw.charCodeAt(i + 1);
        if (e === HARD_BREAK_CODE || isJsSpace(e)) break;
        i++;
      }
    }
    out = out.length > 0 ? out + separator + raw.slice(start, i) : raw.slice(start, i);
  }
  return out;
}

/**
 * Whitespace that folding changes inside a text: JavaScript's `\s` but the space, hard breaks,
 * and runs of spaces (one spelled-out class: faster than `[^\S ]|\uE000` in V8).
 */
const UNFOLDED = /[\t-\r\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff\ue000]| {2}/;

/**
 * Whether folding leaves a text as it is: no leading or trailing whitespace, and only single
 * spaces inside. A regular-expression scan, several times faster than the character loop, and
 * the common case (a paragraph written on one line).
 */
function isFolded(raw: string): boolean {
  if (raw.length === 0) return true;
  const first = raw.charCodeAt(0);
  const last = raw.charCodeAt(raw.length - 1);
  if (first === HARD_BREAK_CODE || isJsSpace(first) || last === HARD_BREAK_CODE || isJsSpace(last)) return false;
  return !UNFOLDED.test(raw);
}

interface OpenElement {
  name: string;
  /** This element starts a skipped subtree. */
  skips: boolean;
  /** It was opened outside any skipped subtree, so its structure counts. */
  active: boolean;
}

interface Block {
  text: string;
  line: boolean;
  inMain: boolean;
  /** First block after a list or table boundary: a blank line separates it from the one before. */
  startsGroup: boolean;
}

/** Containers whose start and end separate their lines from neighbouring lines. */
const GROUP = new Set(['ul', 'ol', 'dl', 'table']);

/**
 * Reduces an HTML page to its main text. Scripts, styles, comments, navigation, asides,
 * forms, site headers and footers and hidden elements are removed; headings, paragraphs, list
 * items and table rows (cells separated by tabs) are kept in reading order. When the page
 * marks its content with `<main>` or `<article>`, only that content is kept.
 */
export function extractHtmlText(html: string): HtmlText {
  const stack: OpenElement[] = [];
  const blocks: Block[] = [];
  let skipDepth = 0;
  let mainDepth = 0;
  let preDepth = 0;
  let buffer = '';
  let row: string[] | undefined;
  let cell: string | undefined;
  let title: string | undefined;
  let titleBuffer: string | undefined;
  let lang: string | undefined;
  let groupBoundary = false;

  const innermostLine = (): boolean => {
    for (let i = stack.length - 1; i >= 0; i--) {
      const e = stack[i]!;
      if (!e.active) continue;
      if (LINE.has(e.name)) return true;
      if (BLOCK.has(e.name)) return false;
    }
    return false;
  };
  const push = (text: string, line: boolean) => {
    blocks.push({ text, line, inMain: mainDepth > 0, startsGroup: groupBoundary });
    groupBoundary = false;
  };
  const flush = (line: boolean) => {
    const text = foldWhitespace(buffer);
    buffer = '';
    if (text.length > 0) push(text, line);
  };
  const append = (text: string) => {
    if (cell !== undefined) cell += text;
    else buffer += text;
  };

  const onOpen = (name: string, attribs: Record<string, string>) => {
    if (name === 'html' && attribs.lang) lang = attribs.lang.trim().split(/[-_]/)[0]!.toLowerCase() || undefined;
    if (name === 'title' && title === undefined && titleBuffer === undefined) titleBuffer = '';
    const skips = ALWAYS_SKIPPED.has(name) || (CHROME.has(name) && mainDepth === 0) || isHidden(attribs);
    const active = skipDepth === 0 && !skips;
    if (active) {
      if (name === 'br') append(HARD_BREAK);
      else if (name === 'tr') {
        flush(innermostLine());
        row = [];
      } else if ((name === 'td' || name === 'th') && row) cell = '';
      else if (BLOCK.has(name)) {
        if (cell !== undefined) cell += ' ';
        else flush(innermostLine());
      }
      if (GROUP.has(name) && cell === undefined) groupBoundary = true;
      if (MAIN.has(name)) mainDepth++;
      if (name === 'pre') preDepth++;
    }
    if (skips) skipDepth++;
    stack.push({ name, skips, active });
  };

  const onClose = (e: OpenElement) => {
    if (e.skips) skipDepth--;
    if (!e.active) return;
    const name = e.name;
    if ((name === 'td' || name === 'th') && row && cell !== undefined) {
      row.push(foldWhitespace(cell).replace(/\n/g, ' '));
      cell = undefined;
    } else if (name === 'tr' && row) {
      const cells = row;
      row = undefined;
      while (cells.length > 0 && cells[cells.length - 1] === '') cells.pop();
      if (cells.length > 0) push(cells.join('\t'), true);
    } else if (BLOCK.has(name)) {
      if (cell !== undefined) cell += ' ';
      else flush(LINE.has(name));
    }
    if (GROUP.has(name) && cell === undefined) groupBoundary = true;
    if (MAIN.has(name)) mainDepth--;
    if (name === 'pre') preDepth--;
  };

  const parser = new (htmlparser2Module().Parser)(
    {
      onopentag: onOpen,
      onclosetag(name) {
        if (name === 'title' && titleBuffer !== undefined) {
          title = foldWhitespace(titleBuffer) || undefined;
          titleBuffer = undefined;
        }
        let at = stack.length - 1;
        while (at >= 0 && stack[at]!.name !== name) at--;
        if (at < 0) return;
        while (stack.length > at) onClose(stack.pop()!);
      },
      ontext(text) {
        if (titleBuffer !== undefined) {
          titleBuffer += text;
          return;
        }
        if (skipDepth > 0) return;
        append(preDepth > 0 ? text.replace(/\r?\n/g, HARD_BREAK) : text);
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  while (stack.length > 0) onClose(stack.pop()!);
  flush(false);

  const fromMain = blocks.some((b) => b.inMain);
  const kept = fromMain ? blocks.filter((b) => b.inMain) : blocks;
  let text = '';
  for (let i = 0; i < kept.length; i++) {
    const b = kept[i]!;
    if (i > 0) text += b.line && kept[i - 1]!.line && !b.startsGroup ? '\n' : '\n\n';
    text += b.text;
  }
  return { text, ...(title ? { title } : {}), ...(lang ? { lang } : {}), fromMain };
}
