import { detectionFromSpans, type Detection, type LanguageDetector, type LanguageSpan } from './detector';
import { normalizeLangCode, UNDETERMINED } from './languages';
import { countLetters, type ScriptProfile } from './script';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '@apollo/document';
import { compileEldTable, EldEngine, type EldTable } from './eld-engine';
import { decodeEldTable, ELD_TABLE_FORMAT, ELD_VERSION, encodeEldTable } from './eld-table-file';

/**
 * eld reads at most about 350 UTF-8 bytes of a text (it cuts after the first whitespace past
 * 350 bytes), so a 1 KB window is cut into pieces of this many bytes and each piece detected.
 */
export const ELD_PIECE_BYTES = 330;

function utf8Length(code: number): number {
  return code < 0x80 ? 1 : code < 0x800 ? 2 : code >= 0xd800 && code <= 0xdfff ? 2 : 3;
}

/** Cuts a text into pieces of at most `maxBytes` UTF-8 bytes, at whitespace where there is some. */
export function splitByBytes(text: string, maxBytes: number): string[] {
  const pieces: string[] = [];
  let start = 0;
  let bytes = 0;
  let lastSpace = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    bytes += utf8Length(c);
    if (c === 32 || c === 10 || c === 9 || c === 13) lastSpace = i;
    if (bytes > maxBytes) {
      let cut = lastSpace > start + (i - start) / 2 ? lastSpace + 1 : i;
      // Never separate the halves of a surrogate pair.
      if (cut > start && (text.charCodeAt(cut) & 0xfc00) === 0xdc00) cut--;
      pieces.push(text.slice(start, cut));
      start = cut;
      bytes = 0;
      for (let j = start; j <= i; j++) bytes += utf8Length(text.charCodeAt(j));
      lastSpace = -1;
    }
  }
  if (start < text.length) pieces.push(text.slice(start));
  return pieces;
}

let shared: Promise<EldEngine> | undefined;

/**
 * Where the compiled table of eld's database is cached: `$APOLLO_CACHE_DIR`, or `apollo-cache`
 * in the system's temporary folder. Rebuilt whenever missing or unreadable.
 */
export function eldTableCachePath(): string {
  return join(process.env.APOLLO_CACHE_DIR ?? join(tmpdir(), 'apollo-cache'), `eld-small-${ELD_VERSION}-f${ELD_TABLE_FORMAT}.bin`);
}

/**
 * eld's small database as a packed table. Building it from eld's own module means creating an
 * object of 81,000 keys (about 1.5 s and 150 MB per thread), so the packed table (1.2 MB) is
 * cached on disk and every later thread and run reads that instead. A damaged or stale cache
 * file is rebuilt; a cache folder that cannot be written only costs the rebuild next time.
 * In the built apps the database module is a file of its own (`dist/data/eld-small.mjs`, see
 * tools/build/build.mjs), loaded only here: compiled into the bundle, it cost every thread
 * that loads langid about 0.13 s.
 */
export async function loadEldTable(cachePath = eldTableCachePath()): Promise<EldTable> {
  try {
    return decodeEldTable(await readFile(cachePath), cachePath);
  } catch {
    // Missing, stale or damaged: compiled again below.
  }
  const { ngramsData } = await import('eld-src/ngrams/small.js');
  const table = compileEldTable(ngramsData);
  await writeFileAtomic(cachePath, encodeEldTable(table)).catch(() => undefined);
  return table;
}

/** The engine with eld's small database, built once per thread and shared by its detectors. */
export function loadEldEngine(): Promise<EldEngine> {
  shared ??= Promise.all([loadEldTable(), import('eld-src/dictionary.js'), import('eld-src/regexPatterns.js'), import('eld-src/avgScore.js')]).then(
    ([table, dict, patterns, avg]) => new EldEngine(table, { dictionary: dict.dictionary, separators: patterns.separators, avgScore: avg.avgScore }),
  );
  return shared;
}

/**
 * eld 2.1 (n-gram detector, `small` database, run by our faster engine with identical results). Each ~330-byte piece of a text is detected on
 * its own; a piece votes for its top language with its letters, which gives language spans for
 * mixed text. The score is eld's own top score (0..1, typically 0.5-0.9).
 */
/**
 * Pieces of a text eld reads per call of `detect`, spread evenly over the text (eld itself reads
 * about 350 bytes per call). Default: all of them. One piece per window was measured and
 * rejected: target accuracy fell from 99.5% to 98.1% (French paragraphs 92.3%) for no gain in
 * speed, since unclear windows then go to cld3 (docs/decisions/0001-language-detector.md).
 */
export const ELD_MAX_PIECES = Number.POSITIVE_INFINITY;

/** `count` items spread evenly over `items`, first and last included. */
function spread<T>(items: T[], count: number): T[] {
  if (items.length <= count) return items;
  if (count === 1) return [items[Math.floor(items.length / 2)]!];
  return Array.from({ length: count }, (_, k) => items[Math.round((k * (items.length - 1)) / (count - 1))]!);
}

export async function createEldDetector(options: { maxPieces?: number } = {}): Promise<LanguageDetector> {
  const eld = await loadEldEngine();
  const maxPieces = options.maxPieces ?? ELD_MAX_PIECES;
  return {
    name: 'eld',
    detect(text: string, profile?: ScriptProfile): Detection {
      const votes = new Map<string, { letters: number; scoreSum: number }>();
      let total = 0;
      let native = false;
      let nativeLetters = 0;
      // A window within one piece (most Latin-script windows) needs no cutting, and its letters
      // are the profile's. Buffer.byteLength counts a lone surrogate as 3 bytes, splitByBytes as
      // 2: a text within the limit by the first is within it by the second.
      const whole = Buffer.byteLength(text) <= ELD_PIECE_BYTES;
      const pieces = whole ? (text.length > 0 ? [text] : []) : spread(splitByBytes(text, ELD_PIECE_BYTES), maxPieces);
      for (const piece of pieces) {
        const letters = whole && profile ? profile.letters : countLetters(piece);
        if (letters === 0) continue;
        total += letters;
        const result = eld.detect(piece);
        const lang = result.language ? normalizeLangCode(result.language) : UNDETERMINED;
        const score = lang === UNDETERMINED ? 0 : result.score;
        const v = votes.get(lang) ?? { letters: 0, scoreSum: 0 };
        v.letters += letters;
        v.scoreSum += score * letters;
        votes.set(lang, v);
        // The reliability of the largest piece stands for the text.
        if (letters > nativeLetters) {
          nativeLetters = letters;
          native = result.reliable;
        }
      }
      const spans: LanguageSpan[] = [...votes.entries()]
        .map(([lang, v]) => ({ lang, share: v.letters / total, score: v.scoreSum / v.letters }))
        .sort((a, b) => b.share - a.share || b.score - a.score);
      return detectionFromSpans(spans, native, text, profile);
    },
    dispose() {
      // The database is shared by the thread's detectors and lives as long as the thread.
    },
  };
}
