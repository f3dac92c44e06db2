import type { Doc } from '../document';
import type { RecordProblem } from '../errors';
import { validateDoc, DEFAULT_LIMITS, type ValidationLimits } from '../validate';
import { readJsonLines } from './lines';

/** A document read from a file, or a problem that replaces it; `bytes` drives progress. */
export type DocItem = { doc: Doc; bytes: number } | { problem: RecordProblem; bytes: number };

/** Reads a JSONL file of serialized documents (the format between stages), validating each. */
export async function* readDocFile(file: string, limits: ValidationLimits = DEFAULT_LIMITS): AsyncGenerator<DocItem> {
  for await (const item of readJsonLines(file)) {
    const at = { file, line: item.line };
    if ('problem' in item) {
      yield { problem: { ...item.problem, at }, bytes: item.bytes };
      continue;
    }
    const checked = validateDoc(item.value, at, limits);
    yield checked.ok ? { doc: checked.value, bytes: item.bytes } : { problem: checked.problem, bytes: item.bytes };
  }
}
