import { settingsDefaults } from '@apollo/stage';
import { LANGID_SETTINGS, type DetectorName, type LangidSettings } from './settings';

/** Configuration of the langid stage (plain JSON: it travels to worker threads and into run.json). */
export interface LangidConfig {
  /** Detector. Default `combined` (see docs/decisions/0001-language-detector.md). */
  detector: DetectorName;
  /** Languages kept; every other language is dropped as `lang_not_target`. Default en, zh, es, fr, ar, hi. */
  languages: string[];
  /** Fewest letters (any script) a document needs; shorter ones are dropped as `too_short`. Default 15. */
  minLetters: number;
  /**
   * Least detector score per language; a language without an entry needs `defaultThreshold`.
   * Defaults depend on the detector (`DEFAULT_THRESHOLDS`); `--thresholds` overrides single entries.
   */
  thresholds: Record<string, number>;
  /** Least score for a kept language that has no entry in `thresholds`. Default 0.5. */
  defaultThreshold: number;
  /** Characters of a document examined, spread over the text; 0 reads all of it. Default 1000. */
  sampleChars: number;
  /** Characters per detector call. Default 250 (more, smaller windows see mixed documents better at the same cost). */
  windowChars: number;
  /**
   * Least share of a mixed document the kept language must have (its spans over the sampled
   * windows); below it the document is dropped as `lang_mixed`. Default 0.6.
   */
  minLangShare: number;
  /**
   * Least share (by UTF-8 bytes of letters) of the kept language's script: Han for zh, Arabic
   * for ar, Devanagari for hi, Latin for en/es/fr. Below it: `script_mismatch`. Default 0.5.
   */
  minScriptShare: number;
}

/**
 * Per-detector score thresholds, calibrated on the labelled set (libs/langid/data/eval-set.jsonl;
 * docs/decisions/0001-language-detector.md, `--calibrate`): for the default detector, combined,
 * the score that keeps 99% of the target texts it identifies correctly; cld3's and eld's sit
 * 0.05-0.15 below their 99% points, leaving a margin for text less clean than that set. The
 * scales differ: cld3 gives probabilities near 1 for clear text, eld a normalized n-gram score
 * that tops out near 0.9.
 */
export const DEFAULT_THRESHOLDS: Record<DetectorName, Record<string, number>> = {
  cld3: { en: 0.4, zh: 0.9, es: 0.45, fr: 0.9, ar: 0.9, hi: 0.45 },
  eld: { en: 0.6, zh: 0.45, es: 0.6, fr: 0.65, ar: 0.75, hi: 0.75 },
  combined: { en: 0.65, zh: 0.5, es: 0.65, fr: 0.7, ar: 0.8, hi: 0.85 },
};

/** The configuration a stage runs with, from its resolved settings: thresholds merged over the detector's defaults. */
export function langidConfig(settings: LangidSettings): LangidConfig {
  return {
    ...settings,
    languages: [...new Set(settings.languages)],
    thresholds: { ...DEFAULT_THRESHOLDS[settings.detector], ...settings.thresholds },
  };
}

/** The default configuration, optionally for another detector (its own calibrated thresholds). */
export function defaultLangidConfig(detector?: DetectorName): LangidConfig {
  const defaults = settingsDefaults(LANGID_SETTINGS);
  return langidConfig(detector ? { ...defaults, detector } : defaults);
}
