import type { LangidConfig } from './config';
import type { Detection, LanguageDetector, LanguageSpan } from './detector';
import { UNDETERMINED } from './languages';
import { countRomanizedHindi, ROMANIZED_HINDI_MIN_DISTINCT, romanizedHindiShare, type RomanizedHindiCount } from './romanized-hindi';
import { sampleWindows } from './sampling';
import { scriptProfile, scriptShare, scriptsOf, type ScriptProfile } from './script';
import { addSegmentLengths, addTextLayout, emptySegmentLengths, emptyTextLayout, labelShare, MIN_LABEL_SEGMENTS, mayBeLabelList, type TextLayout } from './text-layout';

/** Drop reason codes of the langid stage (stable: they are counted in stats and rejects). */
export const LANGID_DROP_REASONS = ['too_short', 'not_prose', 'romanized_hindi', 'lang_not_target', 'lang_low_score', 'script_mismatch', 'lang_mixed'] as const;
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
      /** Set when the language is written in a script other than its own: Hindi in Latin letters. */
      script?: 'latin';
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
 * What the text itself shows, apart from any detector, measured on the windows the detector
 * reads: how it is laid out in lines, and, for a text mostly in Latin letters, how many of its
 * words are Hindi function words.
 */
export interface TextSignals {
  /** Absent when the text's segment lengths show it cannot be a list of labels (`mayBeLabelList`). */
  layout?: TextLayout;
  /**
   * Absent when Latin letters hold less than half of the text's letters (by UTF-8 bytes), or
   * when none of six frequent Hindi function words occurs (`countRomanizedHindi`).
   */
  romanizedHindi?: RomanizedHindiCount;
}

const LATIN = ['latin'] as const;

/**
 * The signals of a text from its sampled windows, for the not-prose rule at `labelShare`: the
 * segment lengths (a native scan for line breaks; for spaces between Han characters only in text
 * with Han), the layout read character by character only when those lengths allow a list of
 * labels; for Latin text a native scan for six frequent Hindi function words, the words counted
 * one by one only where one occurs.
 */
export function textSignals(windows: readonly string[], profile: ScriptProfile, labelShare: number): TextSignals {
  const han = (profile.bytes.han ?? 0) + (profile.bytes.kana ?? 0) > 0;
  const lengths = emptySegmentLengths();
  for (const w of windows) addSegmentLengths(w, lengths, han);
  const signals: TextSignals = {};
  if (mayBeLabelList(lengths, labelShare)) {
    const layout = emptyTextLayout();
    for (const w of windows) addTextLayout(w, layout, han);
    signals.layout = layout;
  }
  if (scriptShare(profile, LATIN) >= 0.5) {
    const romanizedHindi = countRomanizedHindi(windows);
    if (romanizedHindi) signals.romanizedHindi = romanizedHindi;
  }
  return signals;
}

/**
 * The decisions the text's letters and layout make before any language is detected (pure):
 * too few letters (`too_short`); a list of short labels such as a page's links or menu
 * (`not_prose`: at least `MIN_LABEL_SEGMENTS` label lines holding `notProseLabelShare` of the
 * words); Hindi written in Latin letters (`romanized_hindi`: `minRomanizedHindiShare` of the
 * words and `ROMANIZED_HINDI_MIN_DISTINCT` different ones are Hindi function words), dropped,
 * or kept as `hi` with `script: 'latin'` when `romanizedHindi` is `keep` and hi is a target.
 * Undefined: the detector decides.
 */
export function decideByText(profile: ScriptProfile, signals: TextSignals | undefined, config: LangidConfig): Verdict | undefined {
  if (profile.letters < config.minLetters) {
    return { keep: false, reason: 'too_short', detail: `${profile.letters} letters < ${config.minLetters}` };
  }
  if (!signals) return undefined;
  const { layout, romanizedHindi } = signals;
  const labels = layout ? labelShare(layout) : 0;
  if (layout && layout.labels >= MIN_LABEL_SEGMENTS && labels >= config.notProseLabelShare) {
    return { keep: false, reason: 'not_prose', detail: `${layout.labels} of ${layout.segments} lines are short labels, ${labels.toFixed(2)} of the characters` };
  }
  if (romanizedHindi) {
    const share = romanizedHindiShare(romanizedHindi);
    if (share >= config.minRomanizedHindiShare && romanizedHindi.distinct.size >= ROMANIZED_HINDI_MIN_DISTINCT) {
      if (config.romanizedHindi === 'keep' && config.languages.includes('hi')) {
        return { keep: true, lang: 'hi', score: round(share), share: round(scriptShare(profile, ['latin'])), script: 'latin' };
      }
      const detail = `${romanizedHindi.hindiWords} of ${romanizedHindi.words} words are Hindi function words (${romanizedHindi.distinct.size} different)`;
      return { keep: false, reason: 'romanized_hindi', detail, lang: 'hi', score: round(share) };
    }
  }
  return undefined;
}

/**
 * The decision for one document, from its language shares, script profile and text signals
 * (pure): first `decideByText`; then no language found; the largest target language's share
 * below `minLangShare` (then `lang_not_target` if one other language holds that share, else
 * `lang_mixed`); the kept language's script too rare; its score under its threshold.
 */
export function decide(shares: LanguageShare[], profile: ScriptProfile, config: LangidConfig, signals?: TextSignals): Verdict {
  const byText = decideByText(profile, signals, config);
  if (byText) return byText;
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

/**
 * Samples a document, decides by its text where that suffices, else detects each window and
 * decides. `prose: false` leaves the not-prose rule out: QA turns (an SFT answer that is code or
 * a list) are not web pages.
 */
export function judgeText(text: string, detector: LanguageDetector, config: LangidConfig, opts: { prose?: boolean } = {}): Verdict {
  const profile = scriptProfile(text);
  // Texts that fail the length rule are neither sampled nor detected.
  if (profile.letters < config.minLetters) return decide([], profile, config);
  const windows = sampleWindows(text, config);
  const signals = textSignals(windows, profile, opts.prose === false ? Infinity : config.notProseLabelShare);
  // Link lists and romanized Hindi are decided without running the detector.
  const byText = decideByText(profile, signals, config);
  if (byText) return byText;
  const detections = windows.map((w) => {
    const windowProfile = scriptProfile(w);
    return { letters: windowProfile.letters, detection: detector.detect(w, windowProfile) };
  });
  return decide(mergeWindowDetections(detections), profile, config);
}
