import { fail } from '../item-error';
import { optionsFromList } from './option-texts';
import { asRecord, requiredString } from '../record-fields';
import type { JsonRecordsFormat } from './record-format';

const OPTION_FIELDS = ['opa', 'opb', 'opc', 'opd'] as const;

/**
 * MedMCQA: JSON lines `{question, opa, opb, opc, opd, cop}`. The original release counts `cop`
 * from 1, the Hugging Face copy from 0: `firstAnswer` says which.
 */
export function medmcqaFormat(firstAnswer: 0 | 1): JsonRecordsFormat {
  const range = firstAnswer === 1 ? '1-4' : '0-3';
  return {
    layout: 'json-records',
    file: firstAnswer === 1 ? 'MedMCQA JSON lines (`dev.json`)' : 'MedMCQA from Hugging Face (JSON lines)',
    fields: `\`question\`, \`opa\`..\`opd\`, \`cop\` ${range}`,
    parse(value, at) {
      const rec = asRecord(value, at);
      const question = requiredString(rec, 'question', at);
      for (const k of OPTION_FIELDS) if (rec[k] === undefined) fail(at, 'missing_field', `missing field "${k}"`, k);
      const options = optionsFromList(
        OPTION_FIELDS.map((k) => rec[k]),
        at,
        'opa..opd',
      );
      if (rec['cop'] === undefined) fail(at, 'missing_field', 'missing field "cop"', 'cop');
      const cop = rec['cop'];
      const idx = typeof cop === 'number' ? cop - firstAnswer : NaN;
      if (!Number.isInteger(idx) || idx < 0 || idx > 3) fail(at, 'bad_answer', `field "cop" is ${JSON.stringify(cop)}, not ${range}`, 'cop');
      return { question, options, gold: [options[idx]!.label] };
    },
  };
}
