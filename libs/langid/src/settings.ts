import { setting, type SettingsSpec } from '@apollo/stage';
import { z } from 'zod';
import { TARGET_LANGS } from './languages';

/** The langid stage's settings, as a pipeline file's `stages.langid` section and the command line give them. */
export interface LangidSettings {
  detector: DetectorName;
  languages: string[];
  minLetters: number;
  /** Overrides of the detector's per-language thresholds (`DEFAULT_THRESHOLDS`). */
  thresholds: Record<string, number>;
  defaultThreshold: number;
  sampleChars: number;
  windowChars: number;
  minLangShare: number;
  minScriptShare: number;
  romanizedHindi: RomanizedHindiPolicy;
  minRomanizedHindiShare: number;
  notProseLabelShare: number;
}

/** What becomes of Hindi written in Latin letters (Hinglish): dropped, or kept as `hi` with `meta.langScript: "latin"`. */
export const ROMANIZED_HINDI_POLICIES = ['drop', 'keep'] as const;
export type RomanizedHindiPolicy = (typeof ROMANIZED_HINDI_POLICIES)[number];

/** The language detectors (docs/decisions/0001-language-detector.md). */
export const DETECTOR_NAMES = ['cld3', 'eld', 'combined'] as const;
export type DetectorName = (typeof DETECTOR_NAMES)[number];

const LANG_CODE = /^[a-z]{2,3}$/;

export const LANGID_SETTINGS: SettingsSpec<LangidSettings> = {
  detector: setting.choice('language detector (docs/decisions/0001-language-detector.md)', 'combined', DETECTOR_NAMES, { flag: '--detector <name>' }),
  languages: setting.list('languages kept; every other language is dropped as lang_not_target', [...TARGET_LANGS], { schema: z.string().regex(LANG_CODE), expected: 'ISO 639-1 codes such as en' }, {
    nonEmpty: true,
    flag: '--languages <list>',
  }),
  minLetters: setting.integer('fewest letters (any script) a document needs; shorter ones are dropped as too_short', 15, { min: 0, max: 1_000_000, flag: '--min-letters <n>' }),
  thresholds: setting.numberTable("least detector score per language, merged entry by entry over the detector's calibrated defaults", {}, {
    min: 0,
    max: 1,
    keyPattern: LANG_CODE,
    flag: '--thresholds <json>',
  }),
  defaultThreshold: setting.number('least score for a kept language that has no threshold of its own', 0.5, { min: 0, max: 1 }),
  sampleChars: setting.integer('characters examined per document, spread over the text; 0 reads all of it', 1000, { min: 0, max: 1e9, flag: '--sample-chars <n>' }),
  windowChars: setting.integer('characters per detector call (more, smaller windows see mixed documents better at the same cost)', 250, { min: 50, max: 100_000 }),
  minLangShare: setting.number('least share of a document the kept language must have; below it: lang_mixed (or lang_not_target)', 0.6, { min: 0, max: 1 }),
  minScriptShare: setting.number("least share of the kept language's script (Han, Arabic, Devanagari, Latin); below it: script_mismatch", 0.5, { min: 0, max: 1 }),
  romanizedHindi: setting.choice(
    'Hindi written in Latin letters (Hinglish): drop as romanized_hindi, or keep as hi with meta.langScript "latin" (when hi is among the languages)',
    'drop',
    ROMANIZED_HINDI_POLICIES,
    { flag: '--romanized-hindi <policy>' },
  ),
  minRomanizedHindiShare: setting.number("share of a Latin-script text's words that are Hindi function words (hai, nahi, mujhe, ...; 3 different ones at least) from which it is romanized Hindi", 0.15, {
    min: 0,
    max: 1,
    exclusiveMin: true,
  }),
  notProseLabelShare: setting.number(
    'share of the characters in short label lines (at most 5 words, no sentence end; 8 such lines at least: link lists, menus) from which a text document is dropped as not_prose (QA documents are not judged so)',
    0.6,
    { min: 0, max: 1, exclusiveMin: true },
  ),
};
