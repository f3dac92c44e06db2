import { fail } from '../item-error';
import { optionsFromList } from './option-texts';
import { asRecord, requiredList, requiredString } from '../record-fields';
import type { JsonDocumentFormat } from './record-format';

/** HEAD-QA: `{exams: {name: {data: [{qtext, ra, answers: [{aid, atext}]}]}}}`, or a list of questions. */
export const HEADQA: JsonDocumentFormat = {
  layout: 'json-document',
  file: 'HEAD-QA JSON (`exams.*.data[]`, or a list of questions)',
  fields: '`qtext`, `answers[]` {aid, atext} in aid order, `ra`',
  records(doc, file) {
    if (Array.isArray(doc)) return doc;
    const exams = asRecord(asRecord(doc, { file }, 'a HEAD-QA file')['exams'], { file }, 'field "exams"');
    return Object.entries(exams).flatMap(([name, exam]) => requiredList(asRecord(exam, { file }, `exam "${name}"`), 'data', { file }));
  },
  parse(value, at) {
    const rec = asRecord(value, at);
    const question = requiredString(rec, 'qtext', at);
    const answers = requiredList(rec, 'answers', at)
      .map((a, i) => asRecord(a, at, `answers[${i}]`))
      .sort((a, b) => Number(a['aid']) - Number(b['aid']));
    const options = optionsFromList(
      answers.map((a) => a['atext']),
      at,
      'answers',
    );
    if (rec['ra'] === undefined) fail(at, 'missing_field', 'missing field "ra"', 'ra');
    const ra = Number(rec['ra']);
    const k = answers.findIndex((a) => Number(a['aid']) === ra);
    if (k === -1) fail(at, 'bad_answer', `field "ra" is ${JSON.stringify(rec['ra'])}, which is no answer's aid`, 'ra');
    return { question, options, gold: [options[k]!.label] };
  },
};
