import { resolve } from 'node:path';
import { parseItemPath, formatItemPath } from '@apollo/benchmark-items';
import { SOURCE_TYPES } from '@apollo/document';
import { setting, type SettingsSpec } from '@apollo/stage';
import { z } from 'zod';
import { DEFAULT_SOURCE_PRIORITY } from './keep-policy';

/** Configuration of the dedupe stage (plain JSON; part of run.json). */
export interface DedupeConfig {
  bands: number;
  rows: number;
  threshold: number;
  shingleWords: number;
  shingleChars: number;
  shortChars: number;
  shortRows: number;
  shortThreshold: number;
  sourcePriority: string[];
  exactOnly: boolean;
  seed: number;
  memoryMb: number;
  decontaminate: string[];
  decontamNgramWords: number;
  decontamNgramChars: number;
  decontamMinVerbatimWords: number;
  decontamAction: 'drop' | 'cut';
  index: string;
  against: string;
  foldChinese: boolean;
  boilerplateMinDocs: number;
  boilerplateStrip: boolean;
}

/** A benchmark item path made absolute, its `<format>:` prefix kept (the part after it must exist). */
function resolveBenchmarkPath(spec: string, base: string): { value: string; file: string } {
  const { format, path } = parseItemPath(spec);
  const file = resolve(base, path);
  return { value: formatItemPath(format, file), file };
}

/** The dedupe stage's settings: command line, the pipeline file's `stages.dedupe`, defaults. */
export const DEDUPE_SETTINGS: SettingsSpec<DedupeConfig> = {
  bands: setting.integer('LSH bands', 14, { min: 1, flag: '--bands <n>' }),
  rows: setting.integer('signature values per band; bands x rows is the signature length (at most 4096)', 8, { min: 1, flag: '--rows <n>' }),
  threshold: setting.number('least estimated Jaccard similarity for two documents to be near-duplicates', 0.8, { min: 0, max: 1, exclusiveMin: true, flag: '--threshold <x>' }),
  shingleWords: setting.integer('words per shingle (en, es, fr, ar, hi)', 5, { min: 1, flag: '--shingle-words <n>' }),
  shingleChars: setting.integer('characters per shingle (zh, and short documents in every language)', 5, { min: 1, flag: '--shingle-chars <n>' }),
  shortChars: setting.integer(
    'a document whose matching form is shorter than this many characters is short: shingled by characters in every language and also banded in short bands; 0: none is',
    300,
    { min: 0, flag: '--short-chars <n>' },
  ),
  shortRows: setting.integer('signature values per short band (bands x rows / shortRows short bands)', 4, { min: 1, flag: '--short-rows <n>' }),
  shortThreshold: setting.number('least estimated Jaccard similarity for two short documents to be near-duplicates', 0.6, {
    min: 0,
    max: 1,
    exclusiveMin: true,
    flag: '--short-threshold <x>',
  }),
  sourcePriority: setting.list('source types from most to least preferred when choosing the document kept of a cluster', [...DEFAULT_SOURCE_PRIORITY], {
    schema: z.enum(SOURCE_TYPES as unknown as [string, ...string[]]),
    expected: `source types (${SOURCE_TYPES.join(', ')})`,
  }, { unique: true, flag: '--source-priority <list>' }),
  exactOnly: setting.boolean('remove exact duplicates only (no MinHash signatures, no LSH)', false, { flag: '--exact-only' }),
  seed: setting.integer('seed of the MinHash permutations', 42, { min: 0, max: 0xffffffff }),
  memoryMb: setting.number('memory per task for sort buffers and merge read buffers, in MB (the external sort spills sorted runs to disk beyond it)', 512, {
    min: 0,
    exclusiveMin: true,
    flag: '--memory-mb <n>',
  }),
  decontaminate: setting.paths(
    "XMedBench item files or folders to decontaminate against, as eval's --items takes them (unified files, or <format>:<path> for a source's original files); none: no decontamination",
    [],
    { mustExist: true, resolvePath: resolveBenchmarkPath, flag: '--decontaminate <paths...>' },
  ),
  decontamNgramWords: setting.integer('words per n-gram shared with a benchmark item that make a document contaminated', 13, { min: 1, flag: '--decontam-ngram-words <n>' }),
  decontamNgramChars: setting.integer('characters per n-gram for Chinese', 13, { min: 1, flag: '--decontam-ngram-chars <n>' }),
  decontamMinVerbatimWords: setting.integer(
    'least words of an item (question and options) or of a question shorter than an n-gram for it to be matched whole (twice as many characters for Chinese)',
    6,
    { min: 1 },
  ),
  decontamAction: setting.choice('drop contaminated documents, or cut the lines holding the matches (QA documents are always dropped)', 'drop', ['drop', 'cut'] as const, {
    flag: '--decontam-action <action>',
  }),
  index: setting.path('folder of a persistent dedupe index to publish this run into when it has finished (a new version); empty: publish nothing', '', { flag: '--index <dir>' }),
  against: setting.path(
    'index (a folder with CURRENT, or a version folder) to deduplicate the input against: input documents that duplicate an indexed one are dropped, indexed ones never are; pinned to the current version when the run is configured; empty: none',
    '',
    { mustExist: true, flag: '--against <dir>' },
  ),
  foldChinese: setting.boolean('fold traditional Chinese characters to simplified ones in the matching form', true),
  boilerplateMinDocs: setting.integer('a line found in at least this many documents of one site (URL host, else source id) is boilerplate, left out of the matching form; 0: off', 0, {
    min: 0,
    flag: '--boilerplate-min-docs <n>',
  }),
  boilerplateStrip: setting.boolean('also remove boilerplate lines from the text of kept documents', false, { flag: '--boilerplate-strip' }),
};
