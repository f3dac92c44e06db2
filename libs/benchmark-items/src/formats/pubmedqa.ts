import { fail } from '../item-error';
import type { ItemOption } from '../item';
import { asRecord, requiredString, requiredStringList } from '../record-fields';
import { objectKeysInTextOrder } from './json-key-order';
import type { JsonDocumentFormat } from './record-format';

const YES_NO_MAYBE: readonly ItemOption[] = [
  { label: 'A', text: 'Yes' },
  { label: 'B', text: 'No' },
  { label: 'C', text: 'Maybe' },
];
const DECISIONS = ['yes', 'no', 'maybe'];

/**
 * PubMedQA's `ori_pqal.json`: `{PMID: {QUESTION, CONTEXTS: [..], final_decision}}`, read in the
 * file's order (XMedBench's 1,000 items follow it: 21645374, 16418930, 9488747...). XMedBench's
 * context is the abstract's first section, `CONTEXTS[0]`, as written; the answer becomes (A) Yes,
 * (B) No or (C) Maybe.
 */
export const PUBMEDQA: JsonDocumentFormat = {
  layout: 'json-document',
  file: '`ori_pqal.json` {PMID: ...}, in file order',
  fields: '`QUESTION`, `CONTEXTS[0]` (the first section only), `final_decision` -> (A) Yes (B) No (C) Maybe',
  records(doc, file, text) {
    const byPmid = asRecord(doc, { file }, 'a PubMedQA file');
    // A key written twice is one record, as JSON.parse keeps it.
    return [...new Set(objectKeysInTextOrder(text))].map((pmid) => byPmid[pmid]);
  },
  parse(value, at) {
    const rec = asRecord(value, at);
    const question = requiredString(rec, 'QUESTION', at);
    const contexts = requiredStringList(rec, 'CONTEXTS', at);
    if (contexts.length === 0) fail(at, 'bad_field', 'field "CONTEXTS" is an empty list', 'CONTEXTS');
    const decision = requiredString(rec, 'final_decision', at).toLowerCase();
    const k = DECISIONS.indexOf(decision);
    if (k === -1) fail(at, 'bad_answer', `field "final_decision" is ${JSON.stringify(decision)}, not yes, no or maybe`, 'final_decision');
    return { question, context: contexts[0]!, options: YES_NO_MAYBE.map((o) => ({ ...o })), gold: [YES_NO_MAYBE[k]!.label] };
  },
};
