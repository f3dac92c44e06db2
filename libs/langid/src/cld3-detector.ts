import { loadModule, type LanguageIdentifier } from 'cld3-asm';
import { detectionFromSpans, type Detection, type LanguageDetector, type LanguageSpan } from './detector';
import { normalizeLangCode, UNDETERMINED } from './languages';

export interface Cld3Options {
  /**
   * Bytes cld3 reads per script span. Default 1000: the sampling windows are about 1 KB of
   * text; cld3's own default (700) would ignore the end of a window.
   */
  maxBytes?: number;
  /** Languages reported per text (for mixed text). Default 3. */
  maxLanguages?: number;
}

// cld3 stops at the first byte that is not "interchange valid" UTF-8, which control
// characters are not: replace them so a stray \u0000 does not hide the rest of a document.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]/g;

/**
 * Time allowed for compiling and starting cld3's WebAssembly module. The loader's own default
 * is 3 s, which a busy machine (other worker threads compiling at the same time) exceeds.
 */
export const CLD3_LOAD_TIMEOUT_MS = 120_000;

let cld3Module: ReturnType<typeof loadModule> | undefined;

/** cld3's module factory, loaded once per thread. */
export function loadCld3(): ReturnType<typeof loadModule> {
  cld3Module ??= loadModule({ timeout: CLD3_LOAD_TIMEOUT_MS }).catch((err: Error) => {
    cld3Module = undefined;
    throw new Error(`cld3-asm could not start its WebAssembly module: ${err.message}`);
  });
  return cld3Module;
}

/**
 * cld3 (cld3-asm, WebAssembly). Created with minBytes 0: the default 140-byte minimum returns
 * `und` for every short sentence. Mixed text is split into spans by cld3 itself
 * (`findMostFrequentLanguages`), which gives each language's share of the bytes.
 */
export async function createCld3Detector(options: Cld3Options = {}): Promise<LanguageDetector> {
  const factory = await loadCld3();
  const identifier: LanguageIdentifier = factory.create(0, options.maxBytes ?? 1000);
  const maxLanguages = options.maxLanguages ?? 3;
  return {
    name: 'cld3',
    detect(text: string): Detection {
      const clean = text.replace(CONTROL, ' ');
      const results = identifier.findMostFrequentLanguages(clean, maxLanguages);
      const spans: LanguageSpan[] = [];
      let native = false;
      for (const r of [...results].sort((a, b) => b.proportion - a.proportion)) {
        const lang = normalizeLangCode(r.language);
        if (spans.length === 0 && lang !== UNDETERMINED) native = r.is_reliable;
        const same = spans.find((s) => s.lang === lang);
        // zh and zh-Latn are one language after normalization: merge their shares.
        if (same) {
          same.score = (same.score * same.share + r.probability * r.proportion) / (same.share + r.proportion || 1);
          same.share += r.proportion;
        } else {
          spans.push({ lang, share: r.proportion, score: r.probability });
        }
      }
      return detectionFromSpans(spans, native, clean);
    },
    dispose() {
      identifier.dispose();
    },
  };
}
