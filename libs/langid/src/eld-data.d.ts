// eld 2.1's exports map only publishes its prebuilt detectors; the engine in eld-engine.ts reads
// the n-gram database and constants from the package's sources (`eld-src/*` is an alias for
// node_modules/eld/src in tools/build/build.mjs and jest.preset.js).
declare module 'eld-src/ngrams/small.js' {
  export const ngramsData: { type: string; languages: Record<string, string>; ngrams: Record<string, Record<string, number>> };
}
declare module 'eld-src/dictionary.js' {
  export const dictionary: string[];
}
declare module 'eld-src/regexPatterns.js' {
  export const separators: RegExp;
}
declare module 'eld-src/avgScore.js' {
  export const avgScore: Record<string, number>;
}
