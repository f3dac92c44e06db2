import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Doc } from '@apollo/document';
import { runStage, silentLogger, type StageOptions } from '@apollo/stage';
import { DEFAULT_DEDUPE_CONFIG, pairThreshold } from '../config';
import type { DuplicateRecord } from '../duplicates-file';
import { evalFingerprinter, isDuplicatePair, MOST_SHARED, readEvalPairs, sharedTextShare, SHORT_TEXT_CHARS, type EvalPair, type EvalSettings } from '../evaluation';
import { Fingerprinter } from '../fingerprint';
import { DedupeLayout } from '../layout';
import { bandKeyOf, shortBandKeyOf, shortBandKeys, shortBanding } from '../lsh';
import { dedupeStage } from '../stage';
import { fixtureDoc, writeDocFiles } from './fixtures/corpus';

const SET = join(__dirname, '..', '..', 'eval', 'near-dup-pairs.jsonl');
const d = DEFAULT_DEDUPE_CONFIG;
const DEFAULTS: EvalSettings = { ...d, shortChars: d.shortChars, shortRows: d.shortRows, shortThreshold: d.shortThreshold };

describe('short documents', () => {
  it('are shingled by characters in every language below shortChars, and by their language from it on', () => {
    const fp = new Fingerprinter({ shingles: { words: 5, chars: 5 }, numHashes: 112, seed: 42, shortChars: 30 });
    const short = fp.fingerprint('Take one tablet every six hours.', 'en');
    expect(short.contentLength).toBe(31);
    const under = fp.fingerprint('Take one tablet every 6 hours.', 'en');
    expect([under.short, under.mode]).toEqual([true, 'chars']);
    expect([short.short, short.mode]).toEqual([false, 'words']);
    // Punctuation only: no shingles, so never short (exact matching only).
    expect(fp.fingerprint('!!! ???', 'en').short).toBe(false);
    // Off by default.
    expect(new Fingerprinter({ shingles: { words: 5, chars: 5 }, numHashes: 112, seed: 42 }).fingerprint('Take one tablet.', 'en').short).toBe(false);
  });

  it('get short band keys of their own, the halves of each band with the defaults', () => {
    const sig = new Uint32Array(112).map((_, i) => (i * 2654435761) >>> 0);
    expect(shortBanding(112, 4)).toEqual({ shortRows: 4, shortBands: 28 });
    const keys = shortBandKeys(sig, 112, Uint32Array.of(0), 5, 4);
    expect(shortBandKeyOf(sig, 5, 4)).toEqual([keys.hi[0], keys.lo[0]]);
    // Not the key of a band over the same values.
    expect(shortBandKeyOf(sig, 0, 8)).not.toEqual(bandKeyOf(sig, 0, 8));
    // A short band depends only on its own values.
    const other = Uint32Array.from(sig);
    other[111] = other[111]! ^ 1;
    expect(shortBandKeyOf(other, 0, 4)).toEqual(shortBandKeyOf(sig, 0, 4));
    expect(shortBandKeyOf(other, 27, 4)).not.toEqual(shortBandKeyOf(sig, 27, 4));
  });

  it('holds a pair to shortThreshold only when both documents are short', () => {
    expect(pairThreshold(d, d.shortChars - 1, 10)).toBe(d.shortThreshold);
    expect(pairThreshold(d, d.shortChars, 10)).toBe(d.threshold);
    expect(pairThreshold({ ...d, shortChars: 0 }, 10, 10)).toBe(d.threshold);
  });

  describe('through the stage, on real short copies and same-topic short texts', () => {
    let dir: string;
    let pairs: EvalPair[];
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'dedupe-short-'));
      // Per language, the first four short copies that keep most of their text and the first four
      // short negatives of the committed evaluation set (real texts: forum posts, answers, exam
      // items, page passages).
      const short = readEvalPairs(SET).filter((p) => Math.max(p.a.length, p.b.length) < SHORT_TEXT_CHARS && !p.category);
      pairs = ['en', 'zh', 'es', 'fr', 'ar', 'hi'].flatMap((lang) => [
        ...short.filter((p) => p.lang === lang && p.label === 1 && sharedTextShare(p.a, p.b, p.lang) >= MOST_SHARED).slice(0, 4),
        ...short.filter((p) => p.lang === lang && p.label === 0).slice(0, 4),
      ]);
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    /** For each pair, whether the stage put its two texts in one cluster. */
    async function joined(name: string, settings: Partial<StageOptions>): Promise<boolean[]> {
      const files: Doc[][] = [[], []];
      const ids: [string, string][] = [];
      pairs.forEach((p, i) => {
        const a = fixtureDoc(p.a, p.lang, 'web', 2 * i);
        const b = fixtureDoc(p.b, p.lang, 'web', 2 * i + 1);
        files[0]!.push(a);
        files[1]!.push(b);
        ids.push([a.id, b.id]);
      });
      const out = join(dir, name);
      await runStage(dedupeStage, { output: out, workers: 1, quiet: true, input: await writeDocFiles(dir, files, name), ...settings }, undefined, silentLogger);
      const kept = new Map<string, string>();
      for (const line of (await readFile(new DedupeLayout(out).duplicatesFile(), 'utf8')).split('\n').filter(Boolean)) {
        const r = JSON.parse(line) as DuplicateRecord;
        kept.set(r.id, r.keptId);
      }
      const cluster = (id: string) => kept.get(id) ?? id;
      return ids.map(([a, b]) => cluster(a) === cluster(b));
    }

    it('joins the short copies that keep most of their text, as the pair evaluation says, and no negative', async () => {
      const got = await joined('defaults', {});
      const fp = evalFingerprinter(DEFAULTS);
      expect(got).toEqual(pairs.map((p) => isDuplicatePair(fp, DEFAULTS, p)));
      expect(pairs.filter((p, i) => p.label === 1 && !got[i]).map((p) => `${p.lang} ${p.edit}`)).toEqual([]);
      expect(pairs.filter((p, i) => p.label === 0 && got[i])).toEqual([]);
    });

    it('misses half of them with the short-document rule off', async () => {
      const got = await joined('off', { shortChars: 0 } as Partial<StageOptions>);
      expect(pairs.filter((p, i) => p.label === 1 && got[i]).length).toBeLessThanOrEqual(pairs.filter((p) => p.label === 1).length / 2);
      expect(pairs.filter((p, i) => p.label === 0 && got[i])).toEqual([]);
    });
  });
});
