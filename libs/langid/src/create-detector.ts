import { createCld3Detector } from './cld3-detector';
import { createCombinedDetector } from './combined-detector';
import type { DetectorName, LanguageDetector } from './detector';
import { createEldDetector } from './eld-detector';

/** Loads a detector by name (call once per task or thread: loading takes up to a second). */
export async function createDetector(name: DetectorName): Promise<LanguageDetector> {
  switch (name) {
    case 'cld3':
      return createCld3Detector();
    case 'eld':
      return createEldDetector();
    case 'combined': {
      const [cld3, eld] = await Promise.all([createCld3Detector(), createEldDetector()]);
      return createCombinedDetector(cld3, eld);
    }
  }
}
