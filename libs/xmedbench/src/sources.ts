import type { Language } from './item';

/** What is known about an XMedBench source: its language and whether the paper's average counts it. */
export interface SourceInfo {
  key: string;
  language: Language;
  /** Column title in the paper's table, for the 9 averaged sources. */
  paperColumn?: string;
  /** Items in the full test split (REFERENCE.md section 2). */
  testItems: number;
}

/** The 12 sources of XMedBench; the order of the 9 `paperColumn` entries is the paper's column order. */
export const SOURCES: readonly SourceInfo[] = [
  { key: 'medqa-usmle', language: 'en', paperColumn: 'USMLE', testItems: 1273 },
  { key: 'medmcqa', language: 'en', paperColumn: 'MedMCQA', testItems: 4183 },
  { key: 'mmlu-medical', language: 'en', paperColumn: 'MMLU-en', testItems: 1871 },
  { key: 'medqa-mcmle', language: 'zh', paperColumn: 'MCMLE', testItems: 3426 },
  { key: 'cmmlu-medical', language: 'zh', paperColumn: 'CMMLU', testItems: 1333 },
  { key: 'frenchmedmcqa', language: 'fr', paperColumn: 'FrenchMedMCQA', testItems: 321 },
  { key: 'headqa', language: 'es', paperColumn: 'HEAD-QA', testItems: 2742 },
  { key: 'mmlu-medical-ar', language: 'ar', paperColumn: 'MMLU-ar', testItems: 1088 },
  { key: 'mmlu-medical-hi', language: 'hi', paperColumn: 'MMLU-hi', testItems: 1089 },
  { key: 'pubmedqa', language: 'en', testItems: 1000 },
  { key: 'cmb-single', language: 'zh', testItems: 2000 },
  { key: 'cmexam', language: 'zh', testItems: 2000 },
];

const byKey = new Map(SOURCES.map((s) => [s.key, s]));

export function sourceInfo(key: string): SourceInfo | undefined {
  return byKey.get(key);
}

/** The paper's 9 averaged sources, in its column order. */
export const PAPER_SOURCES: readonly SourceInfo[] = SOURCES.filter((s) => s.paperColumn !== undefined);
