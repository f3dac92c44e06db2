import { fail } from '../item-error';
import type { ItemOption } from '../item';
import { asRecord, requiredString, requiredStringList } from '../record-fields';
import type { JsonDocumentFormat } from './record-format';

const YES_NO_MAYBE: readonly ItemOption[] = [
  { label: 'A', text: 'Yes' },
  { label: 'B', text: 'No' },
  { label: 'C', text: 'Maybe' },
];
const DECISIONS = ['yes', 'no', 'maybe'];

/** PubMedQA's `ori_pqal.json`: `{PMID: {QUESTION, CONTEXTS: [..], final_decision}}`; the answer becomes (A) Yes, (B) No or (C) Maybe. */
export const PUBMEDQA: JsonDocumentFormat = {
  layout: 'json-document',
  file: '`ori_pqal.json` {PMID: ...}',
  fields: '`QUESTION`, `CONTEXTS` (joined with spaces), `final_decision` -> (A) Yes (B) No (C) Maybe',
  records(doc, file) {
    return Object.values(asRecord(doc, { file }, 'a PubMedQA file'));
  },
  parse(value, at) {
    const rec = asRecord(value, at);
    const question = requiredString(rec, 'QUESTION', at);
    const contexts = requiredStringList(rec, 'CONTEXTS', at);
    const decision = requiredString(rec, 'final_decision', at).toLowerCase();
    const k = DECISIONS.indexOf(decision);
    if (k === -1) fail(at, 'bad_answer', `field "final_decision" is ${JSON.stringify(decision)}, not yes, no or maybe`, 'final_decision');
    return { question, context: contexts.join(' '), options: YES_NO_MAYBE.map((o) => ({ ...o })), gold: [YES_NO_MAYBE[k]!.label] };
  },
};
