/** Characters per token by language, for token estimates without running a tokenizer. */
export type CharsPerToken = Record<string, number>;

/**
 * Defaults for the byte-level BPE tokenizers of the Apollo base models (Qwen, Gemma): about
 * four characters a token in English, a little less in Spanish and French (longer words,
 * accents split more often), one and a half for Chinese (a token holds one or two Han
 * characters), fewer for Arabic and Hindi, whose scripts these vocabularies cover thinly.
 * They are rough: calibrate them for the tokenizer you train with (`charsPerToken` option).
 */
export const DEFAULT_CHARS_PER_TOKEN: Readonly<CharsPerToken> = {
  en: 4.0,
  es: 3.6,
  fr: 3.6,
  zh: 1.5,
  ar: 3.0,
  hi: 2.5,
};

/** Used for a language missing from the table. */
export const FALLBACK_CHARS_PER_TOKEN = 3.5;

/** Length in Unicode code points (what Python's len() and pandas' str.len() report). */
export function countChars(text: string): number {
  let surrogatePairs = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        surrogatePairs++;
        i++;
      }
    }
  }
  return text.length - surrogatePairs;
}

/** Estimated token count: characters divided by the language's characters per token, rounded up. */
export function estimateTokens(chars: number, lang: string, table: Readonly<CharsPerToken> = DEFAULT_CHARS_PER_TOKEN): number {
  const perToken = table[lang] ?? FALLBACK_CHARS_PER_TOKEN;
  return Math.ceil(chars / perToken);
}
