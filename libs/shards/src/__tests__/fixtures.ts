// Realistic test documents built from the real Apollo data in /work/shared/data: QA records of
// the training samples (en, zh), guideline text chunks (en), and XMedBench dev items turned
// into exam QA (es, fr, ar, hi).
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDoc, type Doc, type DocInit } from '@apollo/document';

export const DATA = '/work/shared/data';

function build(init: DocInit, lang: string, extra: Partial<Doc> = {}): Doc {
  const at = { file: init.provenance.file ?? 'fixture' };
  const made = makeDoc(init, at);
  if (!made.ok) throw new Error(`fixture: ${made.problem.detail}`);
  return { ...made.value, lang, ...extra };
}

function turnRecords(file: string, count: number): string[][] {
  return (JSON.parse(readFileSync(join(DATA, 'apollo-train-samples', file), 'utf8')) as string[][]).slice(0, count);
}

/** `perSource` documents of each kind of source, in six languages and both kinds. */
export function fixtureDocs(perSource = 6): Doc[] {
  const docs: Doc[] = [];
  turnRecords('Medical_Book_en_sampled.json', perSource).forEach((turns, record) =>
    docs.push(
      build({ kind: 'qa', turns, source: 'book', stage: 'pretrain', provenance: { file: 'Medical_Book_en_sampled.json', record, sourceId: 'apollo-book-en' } }, 'en', {
        langScore: 0.97,
        meta: { title: `book record ${record}`, rewritten: true },
      }),
    ),
  );
  turnRecords('Medical_Paper_zh_sampled.json', perSource).forEach((turns, record) =>
    docs.push(build({ kind: 'qa', turns, source: 'paper', stage: 'pretrain', langHint: 'zh', provenance: { file: 'Medical_Paper_zh_sampled.json', record } }, 'zh', { langScore: 0.99 })),
  );
  const chunks = readFileSync(join(DATA, 'apollo-rewrite-chunks', 'guidelines_en.dev.jsonl'), 'utf8').split('\n').filter(Boolean);
  chunks.slice(0, perSource).forEach((line, i) =>
    docs.push(
      build(
        {
          kind: 'text',
          text: (JSON.parse(line) as string[])[0]!.trim(),
          source: 'guideline',
          stage: 'pretrain',
          provenance: { url: `https://guidelines.example.org/chunk/${i}`, sourceId: 'nice-guidelines' },
          fetchedAt: '2024-03-01T08:30:00.000Z',
        },
        'en',
        { langScore: 0.91 },
      ),
    ),
  );
  for (const lang of ['es', 'fr', 'ar', 'hi']) {
    const items = JSON.parse(readFileSync(join(DATA, 'xmedbench-dev', `${lang}.json`), 'utf8')) as { question: string; options: string; answer: string }[];
    items.slice(0, perSource).forEach((item, record) =>
      docs.push(
        build(
          { kind: 'qa', turns: [`${item.question}\n${item.options}`, item.answer], source: 'exam', stage: 'sft', provenance: { file: `xmedbench-dev/${lang}.json`, record } },
          lang,
          { langScore: 0.8 + record / 100 },
        ),
      ),
    );
  }
  turnRecords('General_zh_sampled.json', perSource).forEach((turns, record) =>
    docs.push(build({ kind: 'qa', turns, source: 'general', stage: 'sft', provenance: { file: 'General_zh_sampled.json', record } }, 'zh')),
  );
  return docs;
}

/** Writes documents round-robin into `files` JSONL files (the format between stages); returns their paths. */
export async function writeDocFiles(dir: string, docs: Doc[], files: number): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const lines: string[][] = Array.from({ length: files }, () => []);
  docs.forEach((d, i) => lines[i % files]!.push(JSON.stringify(d)));
  const paths: string[] = [];
  for (let i = 0; i < files; i++) {
    const path = join(dir, `docs-${i}.jsonl`);
    await writeFile(path, lines[i]!.join('\n') + '\n');
    paths.push(path);
  }
  return paths;
}

export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `shards-${prefix}-`));
}

/** A DuckDB or hyparquet row in the shape `docToRow` writes: bigint to number, nulls removed. */
export function plainRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (v === null || v === undefined) continue;
    out[k] = typeof v === 'bigint' ? Number(v) : v;
  }
  return out;
}
