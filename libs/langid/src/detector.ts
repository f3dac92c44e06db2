import { scriptProfile, scriptShare, scriptsOf, type ScriptProfile } from './script';
import { UNDETERMINED } from './languages';

/** A part of a text attributed to one language. */
export interface LanguageSpan {
  /** ISO 639-1 code where one exists, `und` for text no language was found for. */
  lang: string;
  /** Share of the text, 0..1 (by UTF-8 bytes for cld3, by letters of the pieces for eld). */
  share: number;
  /** The detector's confidence for this span, 0..1. */
  score: number;
}

/** What a detector says about one text. */
export interface Detection {
  /** The language of the largest share (ISO 639-1 where possible), or `und`. */
  lang: string;
  /** Confidence in `lang`, 0..1. The scale differs between detectors: calibrate thresholds per detector. */
  score: number;
  /**
   * The detector's own reliability flag, gated by this wrapper: false when the text has fewer
   * letters than the detector needs, or when `lang` is written in a script the text hardly uses.
   */
  reliable: boolean;
  /** Languages found in the text with their shares, largest first (mixed-language text). */
  spans?: LanguageSpan[];
}

export { DETECTOR_NAMES, type DetectorName } from './settings';
import type { DetectorName } from './settings';

export interface LanguageDetector {
  readonly name: DetectorName;
  /** `profile`, when given, is `scriptProfile(text)` (callers that have it save a pass over the text). */
  detect(text: string, profile?: ScriptProfile): Detection;
  /** Frees native or WebAssembly memory. */
  dispose(): void;
}

export const UNDETERMINED_DETECTION: Detection = { lang: UNDETERMINED, score: 0, reliable: false, spans: [] };

/** Fewest letters for which a wrapper reports a detection as reliable. */
export const RELIABLE_MIN_LETTERS = 15;
/** Least share of its own script a text needs for a detection to be reliable. */
export const RELIABLE_MIN_SCRIPT_SHARE = 0.5;

/**
 * The wrapper's own reliability gate. cld3 reports `is_reliable` on junk ("Hi" is Catalan,
 * "12345 67890" Japanese), so a detection is only trusted when the text has enough letters and
 * those letters are mostly in a script the language is written in.
 */
export function gateReliability(lang: string, native: boolean, profile: ScriptProfile): boolean {
  if (!native || lang === UNDETERMINED || profile.letters < RELIABLE_MIN_LETTERS) return false;
  const scripts = scriptsOf(lang);
  return scripts === undefined || scriptShare(profile, scripts) >= RELIABLE_MIN_SCRIPT_SHARE;
}

/** Builds a detection from language spans (largest share first), applying the reliability gate. */
export function detectionFromSpans(spans: LanguageSpan[], native: boolean, text: string, profile?: ScriptProfile): Detection {
  const top = spans.find((s) => s.lang !== UNDETERMINED);
  if (!top) return { ...UNDETERMINED_DETECTION, spans };
  return { lang: top.lang, score: top.score, reliable: gateReliability(top.lang, native, profile ?? scriptProfile(text)), spans };
}
