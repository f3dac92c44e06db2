// Baseline for the langid stage: cld3-asm called in a plain loop, `create(0, 1000)` and
// `findLanguage` on each document's whole text; no sampling, spans, script check or thresholds.
import { loadModule } from 'cld3-asm';
import { readDocFile } from '@apollo/document';
import type { Baseline } from './types';

export const langidBaseline: Baseline = async (docFiles, { maxBytes }) => {
  // Texts are read before the timer starts: the baseline measures detection alone.
  const texts: string[] = [];
  let bytes = 0;
  outer: for (const file of docFiles) {
    for await (const item of readDocFile(file)) {
      if (!('doc' in item)) continue;
      const size = Buffer.byteLength(item.doc.text);
      if (bytes + size > maxBytes && texts.length > 0) break outer;
      texts.push(item.doc.text);
      bytes += size;
    }
  }
  const factory = await loadModule({ timeout: 120_000 });
  const started = process.hrtime.bigint();
  for (const text of texts) {
    // As a plain script would: one identifier per document, released after use.
    const identifier = factory.create(0, 1000);
    identifier.findLanguage(text);
    identifier.dispose();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { name: 'cld3-asm loop', docs: texts.length, bytes, seconds };
};
