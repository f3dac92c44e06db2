import { fail, jsonType, type ItemLocation } from '../item-error';
import type { ItemOption } from '../item';
import { optionLabel } from '../options';
import type { JsonRecord } from '../record-fields';

/*
 * XMedBench writes each option as `(X) `, the source's text and the source's ending, the text
 * exactly as the source file has it: CMMLU's anatomy.csv row 28 keeps a trailing ideographic
 * space (U+3000) before the period, row 33 its leading space (`(A)  由平滑肌纤维构成.`), MMLU's
 * questions and options their spaces. Option texts are therefore never trimmed here.
 */

/** Options from a list of texts, lettered A, B, C... in list order; each must be a string that is not blank. */
export function optionsFromList(texts: readonly unknown[], at: ItemLocation, field: string): ItemOption[] {
  if (texts.length < 2) fail(at, 'bad_options', `fewer than two options in "${field}"`, field);
  return texts.map((text, i) => {
    if (typeof text !== 'string') fail(at, 'bad_options', `option ${optionLabel(i)} in "${field}" is ${jsonType(text)}`, field);
    if (text.trim() === '') fail(at, 'bad_options', `option ${optionLabel(i)} in "${field}" is empty`, field);
    return { label: optionLabel(i), text };
  });
}

/**
 * Options from an object keyed by letter (`{A: ..}` or `{a: ..}`), in letter order, lettered from
 * A without gaps. An empty text stays an option (CMB has `"E": ""`, which XMedBench writes as
 * `(E) .`); a null entry is no option.
 */
export function optionsFromLetters(obj: JsonRecord, at: ItemLocation, field: string): ItemOption[] {
  const entries = Object.entries(obj)
    .filter(([, text]) => text !== null && text !== undefined)
    .map(([letter, text]) => ({ label: letter.toUpperCase(), text }))
    .sort((a, b) => (a.label < b.label ? -1 : 1));
  if (entries.length < 2) fail(at, 'bad_options', `fewer than two options in "${field}"`, field);
  entries.forEach((o, i) => {
    if (o.label !== optionLabel(i)) fail(at, 'bad_options', `options in "${field}" must be lettered A, B, C... without gaps, got ${entries.map((e) => e.label).join(',')}`, field);
    if (typeof o.text !== 'string') fail(at, 'bad_options', `option ${o.label} in "${field}" must be a string, got ${jsonType(o.text)}`, field);
  });
  return entries as ItemOption[];
}
