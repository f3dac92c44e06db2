// MinHash signature baselines for the dedupe stage: the `minhash` npm package (0.0.9) against
// our own signature function, on the same documents, in the same process.
import { readDocFile, type Doc } from '@apollo/document';
import { DEFAULT_DEDUPE_CONFIG, Fingerprinter, normalizeForMatching, numHashes, shingleModeFor } from '@apollo/dedupe';
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

/**
 * The shingles our signatures are computed from, as strings: the same matching normalization,
 * word 5-grams for en/es/fr/ar/hi and character 5-grams for Chinese. Built before the timer
 * starts, so the package is timed on hashing alone.
 */
function sameShingles(doc: Doc): string[] {
  const normalized = normalizeForMatching(doc.text);
  const mode = shingleModeFor(doc.lang, normalized);
  const size = mode === 'words' ? DEFAULT_DEDUPE_CONFIG.shingleWords : DEFAULT_DEDUPE_CONFIG.shingleChars;
  const tokens = mode === 'words' ? normalized.split(' ').filter(Boolean) : Array.from(normalized.replace(/ /g, ''));
  if (tokens.length <= size) return tokens.length > 0 ? [tokens.join(' ')] : [];
  const out: string[] = [];
  for (let i = 0; i + size <= tokens.length; i++) out.push(tokens.slice(i, i + size).join(' '));
  return out;
}

/**
 * The `minhash` package computing the same signatures: `new Minhash({numPerm})` with our number
 * of hashes, `update` with each of our shingles.
 */
export const minhashPackageBaseline: Baseline = async (docFiles, options): Promise<BaselineResult> => {
  const { docs, bytes } = await loadDocs(docFiles, options.maxBytes);
  const numPerm = numHashes(DEFAULT_DEDUPE_CONFIG);
  const shingles = docs.map(sameShingles);
  const started = process.hrtime.bigint();
  let sink = 0;
  for (const list of shingles) {
    const m = new Minhash({ numPerm });
    for (const shingle of list) m.update(shingle);
    sink ^= m.hashvalues[0]! | 0;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (sink === 0.5) process.stderr.write('unreachable\n'); // keeps the loop's result alive
  return { name: `minhash package 0.0.9 (${numPerm} perms, same shingles)`, docs: docs.length, bytes, seconds };
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
    foldChinese: config.foldChinese,
    shortChars: config.shortChars,
  });
  const started = process.hrtime.bigint();
  let sink = 0;
  for (const doc of docs) sink ^= fingerprinter.fingerprint(doc.text, doc.lang).signature[0]!;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (sink === 0.5) process.stderr.write('unreachable\n');
  return { name: `dedupe signatures (${numHashes(config)} hashes, normalization + exact hash included)`, docs: docs.length, bytes, seconds };
};
