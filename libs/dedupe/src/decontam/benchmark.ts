import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';

/**
 * A benchmark item as far as decontamination is concerned: the question and its options (the
 * answer and PubMedQA's context are not matched: the context is a public abstract that
 * legitimately occurs in paper corpora).
 */
export interface BenchmarkItem {
  /** `<source>:<n>`, n counting the source's items in file order from 0. */
  id: string;
  source: string;
  /** File the item was read from. */
  file: string;
  question: string;
  /** Option texts without their `(A)` labels. */
  options: string[];
}

// "(A) text." at the start of a line; CMExam and full-width variants use （A）.
const OPTION_LABEL = /^\s*[(（]\s*[A-Za-z\u0600-\u06ff]\s*[)）]\s*/u;

/** Splits an XMedBench options string (`(A) text.\n(B) text.`) into option texts. */
export function splitOptions(options: string): string[] {
  return options
    .split(/\r?\n/u)
    .map((line) => line.replace(OPTION_LABEL, '').trim())
    .filter(Boolean);
}

function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/**
 * Items of one XMedBench file (a JSON array of `{question, options, answer, source}`; older
 * files spell `option` and `anwer`). Records without a question are an error naming the file
 * and index, since a silently skipped item would be a silently missed contamination.
 */
export async function readBenchmarkFile(file: string, counters = new Map<string, number>()): Promise<BenchmarkItem[]> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: not a JSON benchmark file: ${(err as Error).message}`);
  }
  if (!Array.isArray(data)) throw new Error(`${file}: a benchmark file must hold a JSON array of items`);
  const fallback = basename(file).replace(/\.json$/u, '');
  return data.map((raw, i) => {
    const r = (raw ?? {}) as Record<string, unknown>;
    const question = asString(r.question);
    if (!question) throw new Error(`${file}: item ${i} has no question`);
    const source = asString(r.source) || fallback;
    const n = counters.get(source) ?? 0;
    counters.set(source, n + 1);
    const options = asString(r.options) ?? asString(r.option) ?? '';
    return { id: `${source}:${n}`, source, file, question, options: splitOptions(options) };
  });
}

/** Items of every `*.json` file under the given files and folders, in sorted path order. */
export async function loadBenchmarks(paths: string[]): Promise<BenchmarkItem[]> {
  const files: string[] = [];
  for (const p of paths) {
    let info;
    try {
      info = await stat(p);
    } catch {
      throw new Error(`benchmark path not found: ${p}`);
    }
    if (info.isDirectory()) files.push(...(await readdir(p)).filter((n) => n.endsWith('.json')).sort().map((n) => join(p, n)));
    else files.push(p);
  }
  const counters = new Map<string, number>();
  const items: BenchmarkItem[] = [];
  for (const f of files) items.push(...(await readBenchmarkFile(f, counters)));
  return items;
}
