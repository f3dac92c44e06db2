/**
 * A line of the crawl store's document file (`docs.jsonl`): the run, the URL the page was asked
 * for, and the document as `JSON.stringify` writes it. Built where the document is serialized (the
 * extraction thread), so the crawl thread only appends bytes.
 */
export function docLine(run: string, url: string, docJson: string): string {
  return `{"run":${JSON.stringify(run)},"url":${JSON.stringify(url)},"doc":${docJson}}\n`;
}

/**
 * UTF-8 bytes of a line in a buffer of their own: a thread can hand it over (transfer) instead of
 * having it copied, which a view into Node's shared buffer pool would not allow.
 */
export function lineBytes(line: string): Uint8Array {
  return utf8.encode(line);
}

const utf8 = new TextEncoder();
