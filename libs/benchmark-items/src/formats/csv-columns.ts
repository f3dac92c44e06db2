import { goldLetters } from '../options';
import { optionsFromList } from './option-texts';
import { requireColumns } from '../record-fields';
import type { CsvFormat } from './record-format';

/** Where a row keeps its parts: the question's column, the first of four option columns, the answer's column. */
interface Columns {
  file: string;
  fields: string;
  header: boolean;
  question: number;
  firstOption: number;
  answer: number;
}

/** CSV rows with one column per part and four option columns (A-D). */
export function csvColumnsFormat(c: Columns): CsvFormat {
  return {
    layout: 'csv',
    header: c.header,
    file: c.file,
    fields: c.fields,
    parse(row, at) {
      requireColumns(row, Math.max(c.question, c.firstOption + 3, c.answer) + 1, at);
      const options = optionsFromList(row.slice(c.firstOption, c.firstOption + 4), at, 'A..D');
      return { question: row[c.question]!, options, gold: goldLetters(row[c.answer]!, options, at, 'answer') };
    },
  };
}

/** MMLU (and its Arabic and Hindi translations): no header, `question,A,B,C,D,answer`. */
export const MMLU_CSV = csvColumnsFormat({ file: 'MMLU CSV, no header', fields: 'question, A, B, C, D, answer', header: false, question: 0, firstOption: 1, answer: 5 });
/** CMMLU: the header `,Question,A,B,C,D,Answer` (the first column is a row number). */
export const CMMLU_CSV = csvColumnsFormat({ file: 'CMMLU CSV with header', fields: '(index), Question, A, B, C, D, Answer', header: true, question: 1, firstOption: 2, answer: 6 });
