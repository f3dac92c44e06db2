import type { DocKind, SourceType, TrainingStage } from '@apollo/document';

/** What an Apollo release file name says about its records. */
export interface ApolloFileInfo {
  source: SourceType;
  stage: TrainingStage;
  /** Undefined when the name does not say (the record shape then decides). */
  kind?: DocKind;
  lang: string;
}

const PRETRAIN: Record<string, SourceType> = {
  medicalBook: 'book',
  medicalGuideline: 'guideline',
  medicalPaper: 'paper',
  medicalWeb: 'web',
  medicalWiki: 'encyclopedia',
};

const SFT: Record<string, SourceType> = {
  code: 'code',
  general: 'general',
  math: 'math',
  medicalExam: 'exam',
  medicalPatient: 'dialogue',
};

/** Names of the sample files (`Medical_Book_en_sampled.json`): every record is a turn list. */
const SAMPLED: Record<string, { source: SourceType; stage: TrainingStage }> = {
  Medical_Book: { source: 'book', stage: 'pretrain' },
  Medical_Guideline: { source: 'guideline', stage: 'pretrain' },
  Medical_Paper: { source: 'paper', stage: 'pretrain' },
  Medical_Web: { source: 'web', stage: 'pretrain' },
  Medical_Wiki: { source: 'encyclopedia', stage: 'pretrain' },
  Medical_Exam: { source: 'exam', stage: 'sft' },
  Medical_Patient: { source: 'dialogue', stage: 'sft' },
  General: { source: 'general', stage: 'sft' },
  Code: { source: 'code', stage: 'sft' },
  Math: { source: 'math', stage: 'sft' },
};

const PRETRAIN_NAME = /^([A-Za-z]+)_([a-z]{2,3})_(text|qa)\.json$/;
const SFT_NAME = /^([A-Za-z]+)_([a-z]{2,3})(?:_(?:clean|dup))?\.json$/;
const SAMPLED_NAME = /^([A-Za-z]+(?:_[A-Za-z]+)?)_([a-z]{2,3})_sampled\.json$/;

/**
 * Recognises the file names of the Apollo release (REFERENCE.md section 1) and of its sample
 * files. Takes a base name; returns undefined for any other name.
 *
 *   medicalBook_en_text.json   -> book, pretrain, text, en
 *   medicalExam_zh.json        -> exam, sft, qa, zh   (also the _clean / _dup decontamination splits)
 *   General_zh_sampled.json    -> general, sft, qa, zh
 */
export function inferApolloName(baseName: string): ApolloFileInfo | undefined {
  const pre = PRETRAIN_NAME.exec(baseName);
  if (pre) {
    const source = PRETRAIN[pre[1]!];
    if (source) return { source, stage: 'pretrain', kind: pre[3] as DocKind, lang: pre[2]! };
  }
  const sft = SFT_NAME.exec(baseName);
  if (sft) {
    const source = SFT[sft[1]!];
    if (source) return { source, stage: 'sft', kind: 'qa', lang: sft[2]! };
  }
  const sampled = SAMPLED_NAME.exec(baseName);
  if (sampled) {
    const known = SAMPLED[sampled[1]!];
    if (known) return { ...known, kind: 'qa', lang: sampled[2]! };
  }
  return undefined;
}
