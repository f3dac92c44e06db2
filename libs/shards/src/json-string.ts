import { ByteBuffer } from './parquet/bytes';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** What a one-character JSON escape stands for (`\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`), by the byte after the backslash. */
const SIMPLE_ESCAPES = new Int16Array(128).fill(-1);
for (const [c, v] of [
  ['"', 0x22],
  ['\\', 0x5c],
  ['/', 0x2f],
  ['b', 0x08],
  ['f', 0x0c],
  ['n', 0x0a],
  ['r', 0x0d],
  ['t', 0x09],
] as const) {
  SIMPLE_ESCAPES[c.charCodeAt(0)] = v;
}

/** The value of a hex digit byte, or -1. */
function hexDigit(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  const lower = b | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/** The code unit of the four hex digits at `at` (`\uXXXX` without `\u`), or -1. */
function hex4(src: Uint8Array, at: number): number {
  if (at + 4 > src.length) return -1;
  const a = hexDigit(src[at]!);
  const b = hexDigit(src[at + 1]!);
  const c = hexDigit(src[at + 2]!);
  const d = hexDigit(src[at + 3]!);
  if ((a | b | c | d) < 0) return -1;
  return (a << 12) | (b << 8) | (c << 4) | d;
}

/** Appends code point `cp` (not a surrogate) as UTF-8. */
function appendUtf8(out: ByteBuffer, cp: number): void {
  out.reserve(4);
  const buf = out.buf;
  let n = out.length;
  if (cp < 0x80) buf[n++] = cp;
  else if (cp < 0x800) {
    buf[n++] = 0xc0 | (cp >>> 6);
    buf[n++] = 0x80 | (cp & 0x3f);
  } else if (cp < 0x10000) {
    buf[n++] = 0xe0 | (cp >>> 12);
    buf[n++] = 0x80 | ((cp >>> 6) & 0x3f);
    buf[n++] = 0x80 | (cp & 0x3f);
  } else {
    buf[n++] = 0xf0 | (cp >>> 18);
    buf[n++] = 0x80 | ((cp >>> 12) & 0x3f);
    buf[n++] = 0x80 | ((cp >>> 6) & 0x3f);
    buf[n++] = 0x80 | (cp & 0x3f);
  }
  out.length = n;
}

/** What `scanBytes` found in a run of bytes. */
export const CONTROL_BYTE = 1;
export const FOUR_BYTE_LEAD = 2;

/**
 * Finds, in bytes [start, end), a control character (below 0x20, which a JSON string may not
 * hold raw; `CONTROL_BYTE`, and the scan stops) and the lead byte of a 4-byte UTF-8 sequence
 * (0xF0 and up: a character outside the BMP, two UTF-16 code units; `FOUR_BYTE_LEAD`).
 * Four bytes a step: a byte is a control character when its top three bits are clear, and
 * `(m - 0x01010101) & ~m & 0x80808080` is non-zero exactly when some byte of `m` is zero; a
 * lead byte has its top four bits set.
 */
export function scanBytes(src: Uint8Array, start: number, end: number): number {
  return scanIn(new DataView(src.buffer, src.byteOffset, src.length), src, start, end);
}

function scanIn(view: DataView, src: Uint8Array, start: number, end: number): number {
  let high = 0;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const w = view.getInt32(i, true);
    const m = w & 0xe0e0e0e0;
    if (((m - 0x01010101) & ~m & 0x80808080) !== 0) return CONTROL_BYTE;
    high |= w & (w << 1) & (w << 2) & (w << 3);
  }
  let found = (high & 0x80808080) !== 0 ? FOUR_BYTE_LEAD : 0;
  for (; i < end; i++) {
    const b = src[i]!;
    if (b < 0x20) return CONTROL_BYTE;
    if (b >= 0xf0) found = FOUR_BYTE_LEAD;
  }
  return found;
}

/** A JSON string token found in bytes: where its closing quote is, and its value as UTF-8. */
export interface JsonStringBytes {
  /** Index of the closing quote. */
  end: number;
  /**
   * The string's value, UTF-8: a view of the source when the token has no escapes, else of
   * the scratch buffer. Valid until the source or the scratch buffer is written again.
   */
  utf8: Buffer;
  /** Whether the value has characters outside the BMP (surrogate pairs in UTF-16). */
  astral: boolean;
}

/**
 * Reads the JSON string token whose opening quote is just before `start`, from UTF-8 bytes the
 * caller has checked are valid, straight into the UTF-8 bytes of its value: escapes are
 * decoded (`\uXXXX` surrogate pairs into one 4-byte sequence), everything else is copied as
 * it is. Returns undefined for anything it does not fully understand, so the caller falls
 * back to JSON.parse: no closing quote, a raw control character, an unknown escape, a lone
 * surrogate (which UTF-8 cannot hold). What it returns is exactly the UTF-8 encoding of the
 * string JSON.parse would give.
 */
export function readJsonString(src: Buffer, start: number, scratch: ByteBuffer): JsonStringBytes | undefined {
  let quote = src.indexOf(QUOTE, start);
  if (quote === -1) return undefined;
  const view = new DataView(src.buffer, src.byteOffset, src.length);
  let slash = src.indexOf(BACKSLASH, start);
  if (slash === -1 || slash > quote) {
    const found = scanIn(view, src, start, quote);
    if (found === CONTROL_BYTE) return undefined;
    return { end: quote, utf8: src.subarray(start, quote), astral: found === FOUR_BYTE_LEAD };
  }
  scratch.reset();
  let astral = false;
  let from = start;
  for (;;) {
    // Copy the run before the next escape (or the closing quote), then decode the escape.
    const stop = slash === -1 || slash > quote ? quote : slash;
    const found = scanIn(view, src, from, stop);
    if (found === CONTROL_BYTE) return undefined;
    if (found === FOUR_BYTE_LEAD) astral = true;
    scratch.bytes(src.subarray(from, stop));
    if (stop === quote) return { end: quote, utf8: scratch.view(), astral };
    const e = src[slash + 1];
    if (e === undefined) return undefined;
    let next = slash + 2;
    if (e === 0x75 /* u */) {
      const unit = hex4(src, slash + 2);
      if (unit < 0) return undefined;
      next = slash + 6;
      if (unit >= 0xd800 && unit <= 0xdfff) {
        // Only a high surrogate followed by an escaped low one makes a character.
        if (unit > 0xdbff || src[next] !== BACKSLASH || src[next + 1] !== 0x75) return undefined;
        const low = hex4(src, next + 2);
        if (low < 0xdc00 || low > 0xdfff) return undefined;
        appendUtf8(scratch, 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00));
        astral = true;
        next += 6;
      } else {
        appendUtf8(scratch, unit);
      }
    } else {
      const v = e < 128 ? SIMPLE_ESCAPES[e]! : -1;
      if (v < 0) return undefined;
      scratch.byte(v);
    }
    from = next;
    // An escaped quote or backslash is not the token's end: look again past the escape.
    if (quote < from) {
      quote = src.indexOf(QUOTE, from);
      if (quote === -1) return undefined;
    }
    if (slash < from) slash = src.indexOf(BACKSLASH, from);
  }
}
