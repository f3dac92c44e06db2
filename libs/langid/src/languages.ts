import { LANGS, type Lang } from '@apollo/document';

/** The languages the corpus keeps by default: the six of ApolloCorpora. */
export const TARGET_LANGS: readonly Lang[] = LANGS;

/** Code for "no language could be determined" (cld3's own code, also used for eld's empty result). */
export const UNDETERMINED = 'und';

/** cld3 codes that are not ISO 639-1 although a two-letter code exists. */
const LEGACY_CODES: Record<string, string> = {
  iw: 'he',
  jw: 'jv',
  in: 'id',
  ji: 'yi',
};

/**
 * Maps a detector's language code to ISO 639-1 where one exists: cld3's romanized variants
 * (`zh-Latn`, `hi-Latn`, `ja-Latn`, ...) become the base language, so the script check can catch
 * them (pinyin is Chinese in Latin letters, which the corpus does not want); legacy codes are
 * renamed; codes without a two-letter form (`fil`, `haw`, `ceb`) stay as they are.
 */
export function normalizeLangCode(code: string): string {
  const lower = code.trim().toLowerCase();
  if (lower === '' || lower === 'unknown') return UNDETERMINED;
  const base = lower.split(/[-_]/)[0]!;
  return LEGACY_CODES[base] ?? base;
}

export function isTargetLang(lang: string, targets: readonly string[]): boolean {
  return targets.includes(lang);
}
