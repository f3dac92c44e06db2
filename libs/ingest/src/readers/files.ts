import { readFile, stat } from 'node:fs/promises';
import type { DocItem } from '@apollo/document';
import { decodeBytes, sniffHtmlCharset } from '../charset';
import { extractHtmlText } from '../html-text';
import { docItem, problemItem, type ReadContext } from './context';

/** Reads a whole file, or explains why not: files above `maxFileBytes` are not read at all. */
async function readCapped(file: string, ctx: ReadContext): Promise<{ bytes: Buffer } | { problem: DocItem }> {
  const size = (await stat(file)).size;
  if (size > ctx.limits.maxFileBytes) {
    return { problem: problemItem('too_large', `file has ${size} bytes, above the cap of ${ctx.limits.maxFileBytes}`, { file }, size) };
  }
  return { bytes: await readFile(file) };
}

/** Reads a plain-text file as one document (strict UTF-8; a BOM is dropped, line ends become `\n`). */
export async function* readTextFile(file: string, ctx: ReadContext): AsyncGenerator<DocItem> {
  const read = await readCapped(file, ctx);
  if ('problem' in read) {
    yield read.problem;
    return;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(read.bytes);
  } catch {
    yield problemItem('invalid_utf8', 'file is not valid UTF-8', { file }, read.bytes.length);
    return;
  }
  yield docItem(ctx, { kind: 'text', text: text.replace(/\r\n?/g, '\n').trim() }, { file }, read.bytes.length);
}

/**
 * Decodes and reduces an HTML page to a document item. The page's `<html lang>` overrides the
 * source's declared language, being specific to the page.
 */
export function htmlDocItem(
  bytes: Buffer,
  ctx: ReadContext,
  at: { file: string; line?: number; url?: string },
  extra: { headerCharset?: string; fetchedAt?: string; url?: string; meta?: Record<string, string | number | boolean> } = {},
): DocItem {
  const choice = sniffHtmlCharset(bytes, extra.headerCharset);
  const decoded = decodeBytes(bytes, choice.label);
  if (!decoded) return problemItem('unsupported_charset', `charset ${JSON.stringify(choice.label)} (from ${choice.from}) is not supported`, at, bytes.length);
  const page = extractHtmlText(decoded.text);
  return docItem(
    ctx,
    {
      kind: 'text',
      text: page.text,
      ...(page.lang ? { langHint: page.lang } : {}),
      meta: { ...extra.meta, ...(page.title ? { title: page.title } : {}), charset: decoded.charset },
      ...(extra.fetchedAt ? { fetchedAt: extra.fetchedAt } : {}),
      ...(extra.url ? { provenance: { url: extra.url } } : {}),
    },
    at,
    bytes.length,
  );
}

/** Reads an HTML file as one document: its main text, title, language and charset. */
export async function* readHtmlFile(file: string, ctx: ReadContext): AsyncGenerator<DocItem> {
  const read = await readCapped(file, ctx);
  if ('problem' in read) {
    yield read.problem;
    return;
  }
  yield htmlDocItem(read.bytes, ctx, { file });
}
