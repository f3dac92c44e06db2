import { isLang, LANGS, type Doc } from '@apollo/document';
import type { DocStep } from '@apollo/stage';

/**
 * Keeps the documents that can be filed under a language folder: their `lang` must be one of
 * the corpus languages. Documents without a language (langid was skipped) or in another one
 * are dropped with `no_lang` or `unsupported_lang`.
 */
export const convertStep: DocStep = async function* (docs, ctx) {
  for await (const doc of docs) {
    const problem = langProblem(doc);
    if (problem) ctx.drop(doc, problem.reason, problem.detail);
    else yield doc;
  }
};

export function langProblem(doc: Doc): { reason: string; detail: string } | undefined {
  if (doc.lang === undefined) return { reason: 'no_lang', detail: 'document has no language; run langid first' };
  if (!isLang(doc.lang)) return { reason: 'unsupported_lang', detail: `language "${doc.lang}" is not one of ${LANGS.join(', ')}` };
  return undefined;
}
