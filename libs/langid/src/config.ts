import { settingsDefaults } from '@apollo/stage';
import { LANGID_SETTINGS, type DetectorName, type LangidSettings } from './settings';

/**
 * Configuration of the langid stage (plain JSON: it travels to worker threads and into run.json):
 * its settings (LANGID_SETTINGS says what each does), with `thresholds` the detector's
 * calibrated defaults merged with the overrides.
 */
export type LangidConfig = LangidSettings;

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
