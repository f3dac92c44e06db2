import { fail } from '../item-error';
import { goldLetters, optionLabel } from '../options';
import { requireColumns } from '../record-fields';
import type { CsvFormat } from './record-format';

const OPTION_LINE = /^([A-Z])\s*[.、:：]?\s*(.*)$/;

/** CMExam: CSV with header `Question,Options,Answer,...`; options are lines `A 文本`; the answer may hold several letters (`ABCE`). */
export const CMEXAM_CSV: CsvFormat = {
  layout: 'csv',
  header: true,
  file: 'CMExam CSV with header',
  fields: 'Question, Options (`A 文本` lines), Answer (`ABCE` for several)',
  parse(row, at) {
    requireColumns(row, 3, at);
    const lines = row[1]!
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
    const options = lines.map((l, i) => {
      const m = OPTION_LINE.exec(l);
      if (!m || m[1] !== optionLabel(i)) fail(at, 'bad_options', `option line ${JSON.stringify(l)} is not "${optionLabel(i)} text"`, 'Options');
      return { label: m[1]!, text: m[2]!.trim() };
    });
    if (options.length < 2) fail(at, 'bad_options', 'fewer than two options', 'Options');
    return { question: row[0]!, options, gold: goldLetters(row[2]!, options, at, 'Answer') };
  },
};
