import { isUtf8 } from 'node:buffer';
import { DEFAULT_LIMITS, parseDocLine, readRawRecords, validateDoc, type Doc, type DocItem, type RecordLocation, type ValidationLimits } from '@apollo/document';
import { readJsonString } from './json-string';
import { ByteBuffer } from './parquet/bytes';
import { countChars } from './tokens';

/** A document line as `JsonlWriter` writes it begins `{"id":"<32 hex digits>","text":"`. */
const ID_KEY = Buffer.from('{"id":"');
const TEXT_KEY = Buffer.from('","text":"');
const ID_AT = ID_KEY.length;
const TEXT_KEY_AT = ID_AT + 32;
/** First byte of the text's value, after its opening quote. */
const TEXT_AT = TEXT_KEY_AT + TEXT_KEY.length;

function isLowerHex(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66);
}

/**
 * Whether bytes from `from` on may name a `text` key: `"text"` followed by a colon (after JSON
 * whitespace), or a `\u` escape, which could spell the name. A `"text"` value (`"kind":"text"`)
 * is not one. It errs towards the full path: a key ending in an escaped quote and `text`
 * (`"a\"text":`) counts too.
 */
function mayNameText(buf: Buffer, from: number): boolean {
  if (buf.indexOf('\\u', from) !== -1) return true;
  for (let at = buf.indexOf('"text"', from); at !== -1; at = buf.indexOf('"text"', at + 6)) {
    let i = at + 6;
    while (buf[i] === 0x20 || buf[i] === 0x09 || buf[i] === 0x0a || buf[i] === 0x0d) i++;
    if (buf[i] === 0x3a) return true;
  }
  return false;
}

function hasLayout(buf: Buffer): boolean {
  if (buf.length <= TEXT_AT) return false;
  for (let i = 0; i < ID_AT; i++) if (buf[i] !== ID_KEY[i]) return false;
  for (let i = ID_AT; i < TEXT_KEY_AT; i++) if (!isLowerHex(buf[i]!)) return false;
  for (let i = 0; i < TEXT_KEY.length; i++) if (buf[TEXT_KEY_AT + i] !== TEXT_KEY[i]) return false;
  return true;
}

/** What the byte-level reader knows of a document's text besides the string. */
export interface TextBytes {
  /** `doc.text` in UTF-8: a view of the line or of the scratch buffer (see `readJsonString`). */
  utf8: Buffer;
  /** `countChars(doc.text)`, known without a pass over the string for texts all in the BMP. */
  codePoints: number;
}

/** A document parsed by `parseDocLineBytes`, with what is known of its text. */
export interface DocWithText {
  doc: Doc;
  text: TextBytes;
}

/**
 * Parses a document line (its bytes, no newline) without decoding the line as a whole or
 * encoding the text again: the text's JSON string is read straight into UTF-8 bytes
 * (`readJsonString`) and decoded once, and JSON.parse sees the line with the text's token
 * replaced by `0`, a few hundred bytes. Only for lines it fully understands: valid UTF-8 laid
 * out as `JsonlWriter` writes documents (`{"id":"<hex>","text":"...`, no BOM, no CR), whose text
 * token `readJsonString` accepts, with no second `text` key (none written `"text"`, no `\u`
 * escape that could spell one) and passing `validateDoc`. Everything else gives undefined, and
 * the caller reads the line with `parseDocLine`, which then finds the same document or reports
 * the problem. The document is the object `parseDocLine` would give: the same keys in the
 * same order, the same values.
 */
export function parseDocLineBytes(buf: Buffer, at: RecordLocation, limits: ValidationLimits, scratch: ByteBuffer): DocWithText | undefined {
  if (!hasLayout(buf) || buf[buf.length - 1] === 0x0d || !isUtf8(buf)) return undefined;
  const text = readJsonString(buf, TEXT_AT, scratch);
  if (!text) return undefined;
  const restAt = text.end + 1;
  if (mayNameText(buf, restAt)) return undefined;
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(buf.toString('latin1', 0, TEXT_AT - 1) + '0' + buf.toString('utf8', restAt)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (value.text !== 0) return undefined;
  // Set in place: the key keeps its position, as in the object JSON.parse gives for the line.
  const str = text.utf8.toString();
  value.text = str;
  const checked = validateDoc(value, at, limits);
  if (!checked.ok) return undefined;
  return { doc: checked.value, text: { utf8: text.utf8, codePoints: text.astral ? countChars(str) : str.length } };
}

/**
 * The UTF-8 bytes of the text of documents `readDocsWithText` is reading, while they are
 * valid: an entry lives from the document's yield until the reader is asked for the next one,
 * so the sink that writes a document before the next is read (the stage loop) can copy them
 * instead of encoding the text again. A step that holds documents back finds no entry and the
 * sink encodes `doc.text`.
 */
const textBytesByDoc = new WeakMap<Doc, TextBytes>();

/** What the reader knows of `doc.text`, while it still holds it (see `readDocsWithText`). */
export function docTextBytes(doc: Doc): TextBytes | undefined {
  return textBytesByDoc.get(doc);
}

/**
 * Reads a document file (any `docFileFormat`) as `readDocFile` does (the same documents, the same problems
 * with the same details, blank lines skipped, the same byte counts), taking the byte-level
 * path (`parseDocLineBytes`) for the lines it understands; the text bytes of each document
 * stay available through `docTextUtf8` until the next one is read.
 */
export async function* readDocsWithText(file: string, limits: ValidationLimits = DEFAULT_LIMITS): AsyncGenerator<DocItem> {
  const scratch = new ByteBuffer(1 << 16);
  for await (const rec of readRawRecords(file)) {
    if ('problem' in rec) {
      yield { problem: { ...rec.problem, at: rec.at }, bytes: rec.bytes };
      continue;
    }
    const { at, buf } = rec;
    const fast = parseDocLineBytes(buf, at, limits, scratch);
    if (fast) {
      textBytesByDoc.set(fast.doc, fast.text);
      try {
        yield { doc: fast.doc, bytes: rec.bytes };
      } finally {
        // The bytes are a view of the line or of the scratch buffer, both reused from here on.
        textBytesByDoc.delete(fast.doc);
      }
      continue;
    }
    const item = parseDocLine(buf, at, limits);
    if (item.kind === 'blank') continue;
    yield item.kind === 'problem' ? { problem: item.problem, bytes: item.bytes } : { doc: item.doc, bytes: item.bytes };
  }
}
