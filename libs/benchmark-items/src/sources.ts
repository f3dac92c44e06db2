import { CMEXAM_CSV } from './formats/cmexam';
import { CMMLU_CSV, MMLU_CSV } from './formats/csv-columns';
import { HEADQA } from './formats/headqa';
import { CMB_EXAM, FRENCHMEDMCQA, MEDQA } from './formats/letter-keyed';
import { medmcqaFormat } from './formats/medmcqa';
import { PUBMEDQA } from './formats/pubmedqa';
import type { RecordFormat } from './formats/record-format';
import type { Language } from './item';

/** Everything known about one XMedBench source. Adding a source is adding an entry (and, for a new file layout, a format). */
export interface BenchmarkSource {
  /** Source key, as in the unified files' `source` field. */
  readonly key: string;
  readonly language: Language;
  /** Options per item in XMedBench (CMExam: most items; a few have four). */
  readonly options: number;
  /** Items may have several correct letters, such as `(ACD)`; only then is a generated letter group read as a set. */
  readonly multiAnswer: boolean;
  /** Items in the full test split (REFERENCE.md section 2). */
  readonly testItems: number;
  /** Column title in the paper's table, for the 9 averaged sources; their order here is the paper's column order. */
  readonly paperColumn?: string;
  /** A prompt template of its own (PubMedQA: its instruction and a context line); otherwise the language's. */
  readonly promptTemplate?: string;
  /**
   * What XMedBench puts after each option's text (kept as the source writes it) when it renders
   * the source's options block: a period, even after one (HEAD-QA's `Fibronectina.` becomes
   * `(A) Fibronectina..`), or nothing: the three MMLU translations keep the CSV's text as it is
   * (`(A) telomeres.`, `(A) Bladder`).
   */
  readonly optionEnd: '.' | '';
  /** The source's public original formats, by the name used in `<format>:<path>`. */
  readonly formats: Readonly<Record<string, RecordFormat>>;
}

/** The 12 sources of XMedBench. */
export const SOURCES: readonly BenchmarkSource[] = [
  { key: 'medqa-usmle', language: 'en', options: 4, multiAnswer: false, testItems: 1273, paperColumn: 'USMLE', optionEnd: '.', formats: { 'medqa-usmle': MEDQA } },
  {
    key: 'medmcqa',
    language: 'en',
    options: 4,
    multiAnswer: false,
    testItems: 4183,
    paperColumn: 'MedMCQA',
    optionEnd: '.',
    formats: { medmcqa: medmcqaFormat(1), 'medmcqa-hf': medmcqaFormat(0) },
  },
  { key: 'mmlu-medical', language: 'en', options: 4, multiAnswer: false, testItems: 1871, paperColumn: 'MMLU-en', optionEnd: '', formats: { 'mmlu-medical': MMLU_CSV } },
  { key: 'medqa-mcmle', language: 'zh', options: 4, multiAnswer: false, testItems: 3426, paperColumn: 'MCMLE', optionEnd: '.', formats: { 'medqa-mcmle': MEDQA } },
  { key: 'cmmlu-medical', language: 'zh', options: 4, multiAnswer: false, testItems: 1333, paperColumn: 'CMMLU', optionEnd: '.', formats: { 'cmmlu-medical': CMMLU_CSV } },
  {
    key: 'frenchmedmcqa',
    language: 'fr',
    options: 5,
    multiAnswer: true,
    testItems: 321,
    paperColumn: 'FrenchMedMCQA',
    optionEnd: '.',
    formats: { frenchmedmcqa: FRENCHMEDMCQA },
  },
  { key: 'headqa', language: 'es', options: 4, multiAnswer: false, testItems: 2742, paperColumn: 'HEAD-QA', optionEnd: '.', formats: { headqa: HEADQA } },
  { key: 'mmlu-medical-ar', language: 'ar', options: 4, multiAnswer: false, testItems: 1088, paperColumn: 'MMLU-ar', optionEnd: '', formats: { 'mmlu-medical-ar': MMLU_CSV } },
  { key: 'mmlu-medical-hi', language: 'hi', options: 4, multiAnswer: false, testItems: 1089, paperColumn: 'MMLU-hi', optionEnd: '', formats: { 'mmlu-medical-hi': MMLU_CSV } },
  { key: 'pubmedqa', language: 'en', options: 3, multiAnswer: false, testItems: 1000, promptTemplate: 'pubmedqa', optionEnd: '.', formats: { pubmedqa: PUBMEDQA } },
  { key: 'cmb-single', language: 'zh', options: 5, multiAnswer: false, testItems: 2000, optionEnd: '.', formats: { 'cmb-single': CMB_EXAM } },
  { key: 'cmexam', language: 'zh', options: 5, multiAnswer: true, testItems: 2000, optionEnd: '.', formats: { cmexam: CMEXAM_CSV } },
];

const byKey = new Map(SOURCES.map((s) => [s.key, s]));

export function sourceInfo(key: string): BenchmarkSource | undefined {
  return byKey.get(key);
}

/** An original format and the source it loads. */
export interface SourceFormat {
  readonly name: string;
  readonly source: BenchmarkSource;
  readonly format: RecordFormat;
}

/** Every original format, by name, in the sources' order. */
export const ORIGINAL_FORMATS: ReadonlyMap<string, SourceFormat> = new Map(
  SOURCES.flatMap((source) => Object.entries(source.formats).map(([name, format]) => [name, { name, source, format }] as const)),
);

export function originalFormat(name: string): SourceFormat | undefined {
  return ORIGINAL_FORMATS.get(name);
}

/** The original-formats table of docs/eval.md, from the formats' own descriptions. */
export function originalFormatsTable(): string {
  const lines = ['| format | source | file | fields read |', '|---|---|---|---|'];
  for (const f of ORIGINAL_FORMATS.values()) lines.push(`| \`${f.name}\` | ${f.source.key} | ${f.format.file} | ${f.format.fields} |`);
  return lines.join('\n') + '\n';
}
