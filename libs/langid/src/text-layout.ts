import { scriptOfCodeUnit } from './script';

/**
 * Most words a segment may have and still read as a label (a link, a menu entry, a table cell):
 * the longest entries of real link lists have four or five ("Acute Lymphocytic Leukemia (ALL)").
 */
export const LABEL_MAX_WORDS = 5;

/** Longer segments are never labels (five long words and their spaces fit in 64 characters). */
export const LABEL_MAX_CHARS = 64;

/**
 * Fewest label segments a text needs before it can count as a list of labels. Multiple-choice
 * questions have four or five short options under a question, and must stay prose; link lists
 * and menus have ten or more entries (docs/decisions/0001-language-detector.md).
 */
export const MIN_LABEL_SEGMENTS = 8;

/** How a text is laid out: its segments, and those that read as labels rather than sentences. */
export interface TextLayout {
  /** Segments holding at least one letter: lines, table cells, items between `|`, `•` or `·`. */
  segments: number;
  /** Segments of at most `LABEL_MAX_WORDS` words (a Han or kana character is half a word) that do not end a sentence. */
  labels: number;
  /** Characters of all segments, without the spaces around them. */
  chars: number;
  /** Characters of the label segments. */
  labelChars: number;
}

export const emptyTextLayout = (): TextLayout => ({ segments: 0, labels: 0, chars: 0, labelChars: 0 });

/** Share of a text's characters that are in label segments (0 for a text without segments). */
export function labelShare(layout: TextLayout): number {
  return layout.chars === 0 ? 0 : layout.labelChars / layout.chars;
}

/** Ends a segment: line breaks, tab (table cells), `|`, `•`, `·`. */
const SEPARATORS = /[\n\r\t|\u2022\u00b7]/g;

/** Character classes of the scan of short segments. */
const OTHER = 0;
const LETTER = 1;
/** Han and kana: half a word each (a Chinese word is about two characters). */
const HAN = 2;
const SPACE = 3;
/** Punctuation that ends a sentence: a segment ending with one is prose however short. */
const SENTENCE_END = 4;
/** Closing quotes and brackets, looked through to find the punctuation a segment ends with. */
const CLOSING = 5;

let classes: Uint8Array | undefined;

function classTable(): Uint8Array {
  if (classes) return classes;
  const t = new Uint8Array(0x10000);
  for (let c = 0; c < 0x10000; c++) {
    const script = scriptOfCodeUnit(c);
    t[c] = script === 'han' || script === 'kana' ? HAN : script === undefined ? OTHER : LETTER;
  }
  t[0x20] = SPACE;
  for (const c of [0x2e, 0x21, 0x3f, 0x3002, 0xff01, 0xff1f, 0xff0e, 0x61f, 0x6d4, 0x964, 0x965, 0x2026]) t[c] = SENTENCE_END;
  for (const c of [0x29, 0x5d, 0x22, 0x27, 0x201d, 0x2019, 0xbb, 0xff09, 0x300d, 0x300f, 0x3011]) t[c] = CLOSING;
  classes = t;
  return t;
}

/** Adds one segment, `text[start, end)` without surrounding spaces. */
function addSegment(text: string, start: number, end: number, into: TextLayout): void {
  const length = end - start;
  if (length > LABEL_MAX_CHARS) {
    into.segments++;
    into.chars += length;
    return;
  }
  // Short segments are read character by character: words, and the punctuation they end with.
  const table = classTable();
  let words = 0;
  let inWord = false;
  let last = OTHER;
  for (let i = start; i < end; i++) {
    const k = table[text.charCodeAt(i)]!;
    if (k === LETTER) {
      if (!inWord) words++;
      inWord = true;
      last = LETTER;
    } else if (k === HAN) {
      words += 0.5;
      inWord = false;
      last = HAN;
    } else {
      inWord = false;
      if (k !== SPACE && k !== CLOSING) last = k;
    }
  }
  if (words === 0) return;
  into.segments++;
  into.chars += length;
  if (words <= LABEL_MAX_WORDS && last !== SENTENCE_END) {
    into.labels++;
    into.labelChars += length;
  }
}

/**
 * Visits each segment of a text, `text[start, end)` without the spaces around it, adding it to
 * `lengths` (its length only) or to `layout` (read character by character when short). Segments
 * end at a line break, a tab (table cells), `|`, `•` or `·`, and, when `han` is set, at a space
 * between two Han characters: Chinese prose has no spaces there, but a menu whose links an
 * extractor put on one line does ("网站首页 科室简介"). Separators and spaces are found by native
 * scans (a regular expression, `indexOf`), so a text costs about one scan of its characters.
 */
function scanSegments(text: string, han: boolean, lengths: SegmentLengths | undefined, layout: TextLayout | undefined): void {
  let start = 0;
  SEPARATORS.lastIndex = 0;
  for (let m = SEPARATORS.exec(text); m; m = SEPARATORS.exec(text)) {
    scanLine(text, start, m.index, han, lengths, layout);
    start = m.index + 1;
  }
  scanLine(text, start, text.length, han, lengths, layout);
}

function scanLine(text: string, start: number, end: number, han: boolean, lengths: SegmentLengths | undefined, layout: TextLayout | undefined): void {
  while (start < end && text.charCodeAt(start) <= 0x20) start++;
  while (end > start && text.charCodeAt(end - 1) <= 0x20) end--;
  if (start === end) return;
  if (han) {
    const table = classTable();
    for (let space = text.indexOf(' ', start); space >= 0 && space < end; space = text.indexOf(' ', space + 1)) {
      let next = space + 1;
      while (next < end && text.charCodeAt(next) === 0x20) next++;
      if (table[text.charCodeAt(space - 1)] === HAN && next < end && table[text.charCodeAt(next)] === HAN) {
        addSegmentTo(text, start, space, lengths, layout);
        start = next;
      }
      space = next - 1;
    }
  }
  addSegmentTo(text, start, end, lengths, layout);
}

function addSegmentTo(text: string, start: number, end: number, lengths: SegmentLengths | undefined, layout: TextLayout | undefined): void {
  if (layout) addSegment(text, start, end, layout);
  if (lengths) {
    const length = end - start;
    lengths.segments++;
    lengths.chars += length;
    if (length <= LABEL_MAX_CHARS) {
      lengths.shortSegments++;
      lengths.shortChars += length;
    }
  }
}

/** Segment lengths of a text: a bound on its layout, found without reading the segments. */
export interface SegmentLengths {
  segments: number;
  chars: number;
  /** Segments of at most `LABEL_MAX_CHARS` characters, the only ones that can be labels. */
  shortSegments: number;
  shortChars: number;
}

export const emptySegmentLengths = (): SegmentLengths => ({ segments: 0, chars: 0, shortSegments: 0, shortChars: 0 });

/** Adds the segment lengths of a text to `into` (segments as `addTextLayout` finds them). */
export function addSegmentLengths(text: string, into: SegmentLengths, han = true): SegmentLengths {
  scanSegments(text, han, into, undefined);
  return into;
}

/**
 * Whether the segments could hold a list of labels at `share`: at least `MIN_LABEL_SEGMENTS`
 * short segments holding that share of the characters. Labels are short segments, and a segment
 * without letters, which the layout leaves out, only raises this share, so a text for which
 * this is false has a layout that is no list of labels at that share either.
 */
export function mayBeLabelList(lengths: SegmentLengths, share: number): boolean {
  return lengths.shortSegments >= MIN_LABEL_SEGMENTS && lengths.shortChars >= share * lengths.chars;
}

/** Adds the layout of a text to `into`: its segments (see `scanSegments`), the short ones read character by character. */
export function addTextLayout(text: string, into: TextLayout, han = true): TextLayout {
  scanSegments(text, han, undefined, into);
  return into;
}

/** The layout of a text, or of the windows sampled from one. */
export function textLayout(texts: string | readonly string[]): TextLayout {
  const layout = emptyTextLayout();
  for (const t of typeof texts === 'string' ? [texts] : texts) addTextLayout(t, layout);
  return layout;
}
