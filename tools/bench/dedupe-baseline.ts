// MinHash signature baselines for the dedupe stage: the `minhash` npm package (0.0.9) against
// our own signature function, on the same documents, in the same process.
import { readDocFile, type Doc } from '@apollo/document';
import { DEFAULT_DEDUPE_CONFIG, Fingerprinter, numHashes } from '@apollo/dedupe';
import type { Baseline, BaselineResult } from './types';

// minhash 0.0.9 ships no types; only the constructor and `update` are used.
interface PackageMinhash {
  update(value: string): void;
  hashvalues: number[];
}
type MinhashModule = { Minhash: new (config: { numPerm: number }) => PackageMinhash };
const { Minhash } = require('minhash') as MinhashModule;

/** Documents of the given files up to `maxBytes` of UTF-8 text, loaded before timing starts. */
async function loadDocs(files: string[], maxBytes: number): Promise<{ docs: Doc[]; bytes: number }> {
  const docs: Doc[] = [];
  let bytes = 0;
  for (const file of files) {
    for await (const item of readDocFile(file)) {
      if (!('doc' in item)) continue;
      const size = Buffer.byteLength(item.doc.text);
      if (bytes + size > maxBytes && docs.length > 0) return { docs, bytes };
      docs.push(item.doc);
      bytes += size;
    }
  }
  return { docs, bytes };
}

/** Word 5-gram shingles the way a user of the package would build them. */
function wordShingles(text: string, size: number): string[] {
  const words = text.split(/\s+/u).filter(Boolean);
  if (words.length <= size) return words.length > 0 ? [words.join(' ')] : [];
  const out: string[] = [];
  for (let i = 0; i + size <= words.length; i++) out.push(words.slice(i, i + size).join(' '));
  return out;
}

/** The `minhash` package: `new Minhash({numPerm: 128})`, `update` with each word 5-gram. */
export const minhashPackageBaseline: Baseline = async (docFiles, options): Promise<BaselineResult> => {
  const { docs, bytes } = await loadDocs(docFiles, options.maxBytes);
  const started = process.hrtime.bigint();
  let sink = 0;
  for (const doc of docs) {
    const m = new Minhash({ numPerm: 128 });
    for (const shingle of wordShingles(doc.text, 5)) m.update(shingle);
    sink ^= m.hashvalues[0]! | 0;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (sink === 0.5) process.stderr.write('unreachable\n'); // keeps the loop's result alive
  return { name: 'minhash package 0.0.9 (128 perms, word 5-grams)', docs: docs.length, bytes, seconds };
};

/**
 * Our signature function as the signatures phase runs it: matching normalization, word or
 * character shingles by language, 112-value MinHash and the exact hash, per document.
 */
export const ourSignaturesBaseline: Baseline = async (docFiles, options): Promise<BaselineResult> => {
  const { docs, bytes } = await loadDocs(docFiles, options.maxBytes);
  const config = DEFAULT_DEDUPE_CONFIG;
  const fingerprinter = new Fingerprinter({
    shingles: { words: config.shingleWords, chars: config.shingleChars },
    numHashes: numHashes(config),
    seed: config.seed,
  });
  const started = process.hrtime.bigint();
  let sink = 0;
  for (const doc of docs) sink ^= fingerprinter.fingerprint(doc.text, doc.lang).signature[0]!;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (sink === 0.5) process.stderr.write('unreachable\n');
  return { name: `dedupe signatures (${numHashes(config)} hashes, normalization + exact hash included)`, docs: docs.length, bytes, seconds };
};
