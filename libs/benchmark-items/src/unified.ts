import { fail, type ItemLocation } from './item-error';
import { isLanguage, itemHash, type Language, type ReadItem } from './item';
import { parseAnswer, splitOptions } from './options';
import { asRecord, optionalString, requiredString } from './record-fields';
import { sourceInfo } from './sources';

/** The language a file's name announces (`zh.json`, `dev/ar.jsonl`), if any. */
export function fileLanguage(file: string): Language | undefined {
  const stem = file.replace(/^.*[\\/]/, '').replace(/\..*$/, '');
  return isLanguage(stem) ? stem : undefined;
}

/**
 * Reads one record of the XMedBench unified format, `{question, options, answer, source,
 * context?}` (older files spell `option` and `anwer`), into an item. A malformed record throws
 * an ItemError naming the file, the record (or line) and the field. The language comes from the
 * source table, else from `language` (by default what the file's name announces).
 */
export function parseUnifiedItem(value: unknown, at: ItemLocation, index: number, language: Language | undefined = fileLanguage(at.file)): ReadItem {
  const rec = asRecord(value, at, 'item');
  const question = requiredString(rec, 'question', at);
  const optionsText = requiredString(rec, ['options', 'option'], at);
  const answerText = requiredString(rec, ['answer', 'anwer'], at);
  const source = requiredString(rec, 'source', at);
  const context = optionalString(rec, 'context', at);
  const options = splitOptions(optionsText, at, rec['options'] !== undefined ? 'options' : 'option');
  const gold = parseAnswer(answerText, options, at, rec['answer'] !== undefined ? 'answer' : 'anwer');
  const lang = sourceInfo(source)?.language ?? language;
  if (!lang) fail(at, 'unknown_language', `source "${source}" is not an XMedBench source and the file name names no language`, 'source');
  const content = { source, language: lang, question, ...(context ? { context } : {}), options, optionsText, answerText, gold };
  return { ...content, hash: itemHash(content), file: at.file, index };
}
