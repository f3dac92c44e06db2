/**
 * The keys of the JSON object a text holds, in the order the text writes them. `JSON.parse`
 * does not keep that order for keys that look like array indices: it lists `"9488747"` before
 * `"16418930"`, so PubMedQA's file (keyed by PMID) would come back sorted by PMID, not in the
 * file's order, which is the order XMedBench's items follow. The text must be valid JSON (parse
 * it first); a text that does not hold an object gives no keys.
 */
export function objectKeysInTextOrder(text: string): string[] {
  const keys: string[] = [];
  // trimStart also drops a byte order mark.
  if (!text.trimStart().startsWith('{')) return keys;
  let depth = 0;
  // The top-level object's keys are the strings met at depth 1 where a key is expected.
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      const end = stringEnd(text, i);
      if (depth === 1 && expectKey) keys.push(JSON.parse(text.slice(i, end + 1)) as string);
      expectKey = false;
      i = end;
    } else if (c === '{' || c === '[') {
      depth++;
      expectKey = depth === 1 && c === '{';
    } else if (c === '}' || c === ']') {
      depth--;
    } else if (c === ',' && depth === 1) {
      expectKey = true;
    }
  }
  return keys;
}

/** Index of the quote that closes the JSON string opening at `start`. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return text.length - 1;
}
