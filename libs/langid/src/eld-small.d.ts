// eld 2.1 is ESM-only and its exports map has no `types` condition that node10 module
// resolution can follow; declare the part of its API this library uses.
declare module 'eld/small' {
  interface EldResult {
    language: string;
    getScores(): Record<string, number>;
    isReliable(): boolean;
  }
  interface Eld {
    detect(text: string): EldResult;
    setLanguageSubset(languages: string[] | false): Record<number, string>;
    newInstance(): Eld;
  }
  export const eld: Eld;
}
