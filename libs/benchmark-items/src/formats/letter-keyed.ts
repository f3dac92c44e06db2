import { goldLetters } from '../options';
import { optionsFromLetters } from './option-texts';
import { asRecord, requiredObject, requiredString, requiredStringList } from '../record-fields';
import type { JsonRecordsFormat } from './record-format';

/** Where a letter-keyed record keeps its parts. */
interface LetterKeyedFields {
  /** The file as its source publishes it. */
  file: string;
  question: string;
  /** An object of option texts keyed by letter (`{A: ..}` or `{a: ..}`). */
  options: string;
  /** The answer's letter (`"C"`), or with `answerList` a list of letters (`["a", "c"]`: several answers). */
  answer: string;
  answerList?: boolean;
}

/** JSON records whose options are an object keyed by letter: MedQA, CMB-Exam, FrenchMedMCQA. */
export function letterKeyedFormat(f: LetterKeyedFields): JsonRecordsFormat {
  return {
    layout: 'json-records',
    file: f.file,
    fields: `\`${f.question}\`, \`${f.options}\` {letter: text}, \`${f.answer}\`${f.answerList ? ' [letters] (several answers)' : ''}`,
    parse(value, at) {
      const rec = asRecord(value, at);
      const question = requiredString(rec, f.question, at);
      const options = optionsFromLetters(requiredObject(rec, f.options, at), at, f.options);
      const letters = f.answerList ? requiredStringList(rec, f.answer, at).join('') : requiredString(rec, f.answer, at);
      return { question, options, gold: goldLetters(letters, options, at, f.answer) };
    },
  };
}

/** MedQA (USMLE and MCMLE): JSON lines. */
export const MEDQA = letterKeyedFormat({ file: 'MedQA JSONL', question: 'question', options: 'options', answer: 'answer_idx' });
/** CMB-Exam: a JSON array. */
export const CMB_EXAM = letterKeyedFormat({ file: 'CMB-Exam JSON array', question: 'question', options: 'option', answer: 'answer' });
/** FrenchMedMCQA: a JSON array; items may have several answers. */
export const FRENCHMEDMCQA = letterKeyedFormat({ file: 'JSON array', question: 'question', options: 'answers', answer: 'correct_answers', answerList: true });
