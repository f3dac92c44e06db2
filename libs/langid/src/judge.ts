import type { LangidConfig } from './config';
import type { Detection, LanguageDetector, LanguageSpan } from './detector';
import { UNDETERMINED } from './languages';
import { sampleWindows } from './sampling';
import { scriptProfile, scriptShare, scriptsOf, type ScriptProfile } from './script';

/** Drop reason codes of the langid stage (stable: they are counted in stats and rejects). */
export const LANGID_DROP_REASONS = ['too_short', 'lang_not_target', 'lang_low_score', 'script_mismatch', 'lang_mixed'] as const;
export type LangidDropReason = (typeof LANGID_DROP_REASONS)[number];

/** A language's part of a whole document, merged over its sampled windows. */
export interface LanguageShare {
  lang: string;
  /** Share of the sampled text, 0..1. */
  share: number;
  /** Mean detector score over the text attributed to the language. */
  score: number;
}

export type Verdict =
  | {
      keep: true;
      lang: string;
      score: number;
      /** Share of the document attributed to `lang`. */
      share: number;
      /** The next most frequent language, if any. */
      runnerUp?: LanguageShare;
    }
  | { keep: false; reason: LangidDropReason; detail: string; lang?: string; score?: number };

/**
 * Merges the detections of a document's windows into language shares, largest first. Each
 * window weighs by its letters, and each of its spans by its share of the window; text the
 * detector could not place (`und`, or spans cld3 skipped) counts in the whole but for no language.
 */
export function mergeWindowDetections(windows: { letters: number; detection: Detection }[]): LanguageShare[] {
  const acc = new Map<string, { weight: number; scoreSum: number }>();
  let total = 0;
  for (const { letters, detection } of windows) {
    if (letters === 0) continue;
    total += letters;
    const spans: LanguageSpan[] = detection.spans ?? [{ lang: detection.lang, share: 1, score: detection.score }];
    for (const span of spans) {
      if (span.lang === UNDETERMINED || span.share <= 0) continue;
      const w = letters * span.share;
      const a = acc.get(span.lang) ?? { weight: 0, scoreSum: 0 };
      a.weight += w;
      a.scoreSum += w * span.score;
      acc.set(span.lang, a);
    }
  }
  if (total === 0) return [];
  return [...acc.entries()]
    .map(([lang, a]) => ({ lang, share: a.weight / total, score: a.scoreSum / a.weight }))
    .sort((x, y) => y.share - x.share || y.score - x.score);
}

/** The scripts a kept language must be written in; the six targets are fixed, others from the script table. */
export function requiredScripts(lang: string): readonly string[] | undefined {
  switch (lang) {
    case 'zh':
      return ['han'];
    case 'ar':
      return ['arabic'];
    case 'hi':
      return ['devanagari'];
    case 'en':
    case 'es':
    case 'fr':
      return ['latin'];
    default:
      return scriptsOf(lang);
  }
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

/**
 * The decision for one document, from its language shares and script profile (pure):
 * too few letters; no language found; the largest target language's share below
 * `minLangShare` (then `lang_not_target` if one other language holds that share, else
 * `lang_mixed`); the kept language's script too rare; its score under its threshold.
 */
export function decide(shares: LanguageShare[], profile: ScriptProfile, config: LangidConfig): Verdict {
  if (profile.letters < config.minLetters) {
    return { keep: false, reason: 'too_short', detail: `${profile.letters} letters < ${config.minLetters}` };
  }
  const top = shares[0];
  if (!top) return { keep: false, reason: 'lang_low_score', detail: 'no language determined', lang: UNDETERMINED, score: 0 };
  const target = shares.find((s) => config.languages.includes(s.lang));
  if (!target || target.share < config.minLangShare) {
    if (!config.languages.includes(top.lang) && top.share >= config.minLangShare) {
      return { keep: false, reason: 'lang_not_target', detail: top.lang, lang: top.lang, score: round(top.score) };
    }
    const mix = shares
      .slice(0, 3)
      .map((s) => `${s.lang}:${s.share.toFixed(2)}`)
      .join(' ');
    return { keep: false, reason: 'lang_mixed', detail: mix, lang: top.lang, score: round(top.score) };
  }
  const scripts = requiredScripts(target.lang);
  if (scripts) {
    const share = scriptShare(profile, scripts as Parameters<typeof scriptShare>[1]);
    if (share < config.minScriptShare) {
      return {
        keep: false,
        reason: 'script_mismatch',
        detail: `${target.lang} needs ${scripts.join('/')}: ${share.toFixed(2)} < ${config.minScriptShare}`,
        lang: target.lang,
        score: round(target.score),
      };
    }
  }
  const threshold = config.thresholds[target.lang] ?? config.defaultThreshold;
  if (target.score < threshold) {
    return {
      keep: false,
      reason: 'lang_low_score',
      detail: `${target.lang} ${target.score.toFixed(3)} < ${threshold}`,
      lang: target.lang,
      score: round(target.score),
    };
  }
  const runnerUp = shares.find((s) => s !== target);
  return { keep: true, lang: target.lang, score: round(target.score), share: round(target.share), ...(runnerUp ? { runnerUp } : {}) };
}

/** Samples a document, detects each window, and decides. */
export function judgeText(text: string, detector: LanguageDetector, config: LangidConfig): Verdict {
  const profile = scriptProfile(text);
  // Skip detection entirely for texts that fail the length rule.
  if (profile.letters < config.minLetters) return decide([], profile, config);
  const windows = sampleWindows(text, config).map((w) => {
    const windowProfile = scriptProfile(w);
    return { letters: windowProfile.letters, detection: detector.detect(w, windowProfile) };
  });
  return decide(mergeWindowDetections(windows), profile, config);
}
