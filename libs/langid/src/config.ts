import { DETECTOR_NAMES, type DetectorName } from './detector';
import { TARGET_LANGS } from './languages';

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
 * see docs/decisions/0001-language-detector.md): the score that keeps 99% of the target texts
 * the detector identifies correctly, minus a margin of 0.05 because that set is clean text. The scales differ: cld3 gives probabilities
 * near 1 for clear text, eld a normalized n-gram score that tops out near 0.9.
 */
export const DEFAULT_THRESHOLDS: Record<DetectorName, Record<string, number>> = {
  cld3: { en: 0.4, zh: 0.9, es: 0.45, fr: 0.9, ar: 0.9, hi: 0.45 },
  eld: { en: 0.6, zh: 0.45, es: 0.6, fr: 0.65, ar: 0.75, hi: 0.75 },
  combined: { en: 0.65, zh: 0.5, es: 0.65, fr: 0.7, ar: 0.8, hi: 0.85 },
};

export const DEFAULT_LANGID_CONFIG: Omit<LangidConfig, 'thresholds'> = {
  detector: 'combined',
  languages: [...TARGET_LANGS],
  minLetters: 15,
  defaultThreshold: 0.5,
  sampleChars: 1000,
  windowChars: 250,
  minLangShare: 0.6,
  minScriptShare: 0.5,
};

export class LangidConfigError extends Error {}

function fail(message: string): never {
  throw new LangidConfigError(message);
}

function parseDetector(value: unknown, where: string): DetectorName {
  if (typeof value === 'string' && (DETECTOR_NAMES as readonly string[]).includes(value)) return value as DetectorName;
  return fail(`${where}: detector must be one of ${DETECTOR_NAMES.join(', ')}, got ${JSON.stringify(value)}`);
}

function parseLanguages(value: unknown, where: string): string[] {
  const list = typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((l) => typeof l === 'string' && /^[a-z]{2,3}$/.test(l))) {
    return fail(`${where}: languages must be a non-empty list of ISO 639-1 codes such as en,zh, got ${JSON.stringify(value)}`);
  }
  return [...new Set(list as string[])];
}

function parseNumberIn(value: unknown, where: string, min: number, max: number, integer = false): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    return fail(`${where} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${JSON.stringify(value)}`);
  }
  return n;
}

/** Parses thresholds given as a JSON string (CLI) or an object (pipeline file). */
export function parseThresholds(value: unknown, where: string): Record<string, number> {
  let obj = value;
  if (typeof value === 'string') {
    try {
      obj = JSON.parse(value);
    } catch {
      return fail(`${where}: thresholds must be JSON such as {"fr":0.8}, got ${value}`);
    }
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return fail(`${where}: thresholds must be an object {lang: score}`);
  const out: Record<string, number> = {};
  for (const [lang, v] of Object.entries(obj as Record<string, unknown>)) out[lang] = parseNumberIn(v, `${where}: threshold of ${lang}`, 0, 1);
  return out;
}

/** Stage options as they come from the command line (commander camel-cases them). */
export interface LangidCliOptions {
  detector?: string;
  languages?: string;
  minLetters?: string | number;
  thresholds?: string;
  sampleChars?: string | number;
}

const SECTION_KEYS = new Set([
  'detector',
  'languages',
  'minLetters',
  'thresholds',
  'defaultThreshold',
  'sampleChars',
  'windowChars',
  'minLangShare',
  'minScriptShare',
]);

/**
 * Builds the configuration: command-line option > pipeline section `stages.langid` > default.
 * Thresholds merge in the same order, entry by entry, over the chosen detector's defaults.
 */
export function resolveLangidConfig(cli: LangidCliOptions, section: Record<string, unknown>): LangidConfig {
  for (const key of Object.keys(section)) {
    if (!SECTION_KEYS.has(key)) fail(`stages.langid: unknown key "${key}" (known: ${[...SECTION_KEYS].join(', ')})`);
  }
  const pick = (key: keyof LangidCliOptions & keyof LangidConfig): { value: unknown; where: string } | undefined => {
    if (cli[key] !== undefined) return { value: cli[key], where: `--${key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}` };
    if (section[key] !== undefined) return { value: section[key], where: `stages.langid.${key}` };
    return undefined;
  };
  const d = DEFAULT_LANGID_CONFIG;
  const detector = ((p) => (p ? parseDetector(p.value, p.where) : d.detector))(pick('detector'));
  const languages = ((p) => (p ? parseLanguages(p.value, p.where) : [...d.languages]))(pick('languages'));
  const minLetters = ((p) => (p ? parseNumberIn(p.value, p.where, 0, 1e6, true) : d.minLetters))(pick('minLetters'));
  const sampleChars = ((p) => (p ? parseNumberIn(p.value, p.where, 0, 1e9, true) : d.sampleChars))(pick('sampleChars'));
  const num = (key: 'defaultThreshold' | 'windowChars' | 'minLangShare' | 'minScriptShare', min: number, max: number, integer = false) =>
    section[key] !== undefined ? parseNumberIn(section[key], `stages.langid.${key}`, min, max, integer) : d[key];
  const thresholds = {
    ...DEFAULT_THRESHOLDS[detector],
    ...(section.thresholds !== undefined ? parseThresholds(section.thresholds, 'stages.langid.thresholds') : {}),
    ...(cli.thresholds !== undefined ? parseThresholds(cli.thresholds, '--thresholds') : {}),
  };
  return {
    detector,
    languages,
    minLetters,
    thresholds,
    defaultThreshold: num('defaultThreshold', 0, 1),
    sampleChars,
    windowChars: num('windowChars', 50, 100_000, true),
    minLangShare: num('minLangShare', 0, 1),
    minScriptShare: num('minScriptShare', 0, 1),
  };
}
