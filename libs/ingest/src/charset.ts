import { isUtf8 } from 'node:buffer';
import { iconvModule } from './lazy-modules';


/**
 * Labels that the WHATWG Encoding standard maps to a superset: browsers decode pages labelled
 * ISO-8859-1 or ASCII as windows-1252 and GB2312 as GBK, so a faithful reader must too.
 */
const ALIASES: Record<string, string> = {
  'iso-8859-1': 'windows-1252',
  'iso8859-1': 'windows-1252',
  latin1: 'windows-1252',
  'us-ascii': 'windows-1252',
  ascii: 'windows-1252',
  gb2312: 'gbk',
  'x-gbk': 'gbk',
  'x-sjis': 'shift_jis',
  utf8: 'utf-8',
};

/** Canonical lower-case charset name, or undefined if no decoder supports it. */
export function normalizeCharset(label: string): string | undefined {
  const name = label.trim().toLowerCase().replace(/^["']|["']$/g, '');
  const canonical = ALIASES[name] ?? name;
  // UTF-8, nearly every page, needs no look-up: the first one loads all of iconv-lite's tables.
  if (canonical === 'utf-8') return canonical;
  return iconvModule().encodingExists(canonical) ? canonical : undefined;
}

/** The `charset` parameter of a Content-Type header value, if any. */
export function charsetFromContentType(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const m = /;\s*charset\s*=\s*("?)([^";\s]+)\1/i.exec(contentType);
  return m?.[2];
}

function bomCharset(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return undefined;
}

/** How far into a page a `<meta charset>` declaration is looked for (the HTML standard says 1024). */
const PRESCAN_BYTES = 4096;

/** The charset named by a `<meta charset>` or `<meta http-equiv="Content-Type">` tag near the start. */
export function metaCharset(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, PRESCAN_BYTES)).toString('latin1');
  for (const tag of head.match(/<meta\b[^>]*>/gi) ?? []) {
    const direct = /\bcharset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)/i.exec(tag);
    if (direct) return direct[1];
  }
  return undefined;
}

/** A charset choice and where it came from (recorded in the document's metadata). */
export interface CharsetChoice {
  /** Label as found (may be unsupported). */
  label: string;
  from: 'bom' | 'header' | 'meta' | 'default';
}

/**
 * Picks the charset of an HTML page the way browsers do, in order: byte-order mark, the HTTP
 * Content-Type charset, a `<meta>` declaration, else UTF-8.
 */
export function sniffHtmlCharset(bytes: Uint8Array, headerCharset?: string): CharsetChoice {
  const bom = bomCharset(bytes);
  if (bom) return { label: bom, from: 'bom' };
  if (headerCharset) return { label: headerCharset, from: 'header' };
  const meta = metaCharset(bytes);
  if (meta) return { label: meta, from: 'meta' };
  return { label: 'utf-8', from: 'default' };
}

/**
 * Decodes bytes in a charset (a BOM is removed); undefined when the charset is unknown.
 * Invalid sequences become U+FFFD, as in a browser.
 */
export function decodeBytes(bytes: Uint8Array, label: string): { text: string; charset: string } | undefined {
  const charset = normalizeCharset(label);
  if (!charset) return undefined;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (charset === 'utf-8' && isUtf8(buffer)) {
    // Valid UTF-8 decodes the same everywhere (no replacement characters to place): Node's own
    // decoder gives iconv-lite's result, BOM removal included, at a fraction of the cost.
    const text = buffer.toString('utf8');
    return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, charset };
  }
  return { text: iconvModule().decode(buffer, charset), charset };
}
