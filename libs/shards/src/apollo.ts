import { createHash } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  AtomicFileWriter,
  type DocItem,
  type DocKind,
  isLang,
  makeDoc,
  readJsonArray,
  type SourceType,
  type TrainingStage,
} from '@apollo/document';
import type { ShardGroup } from './layout';
import type { ManifestApolloFile, ManifestShard } from './manifest';
import { readParquetRows } from './read';

/** Pre-training sources: files `{name}_{lang}_{text|qa}.json`. */
export const APOLLO_PRETRAIN_NAMES: Readonly<Partial<Record<SourceType, string>>> = {
  book: 'medicalBook',
  guideline: 'medicalGuideline',
  paper: 'medicalPaper',
  web: 'medicalWeb',
  encyclopedia: 'medicalWiki',
};

/** Instruction-tuning sources: files `{name}_{lang}.json`, turn lists only. */
export const APOLLO_SFT_NAMES: Readonly<Partial<Record<SourceType, string>>> = {
  code: 'code',
  general: 'general',
  math: 'math',
  exam: 'medicalExam',
  dialogue: 'medicalPatient',
};

/** Training stage of each source type in the Apollo paper (REFERENCE.md section 1). */
export const SOURCE_STAGE: Readonly<Record<SourceType, TrainingStage>> = {
  book: 'pretrain',
  paper: 'pretrain',
  encyclopedia: 'pretrain',
  dialogue: 'pretrain',
  guideline: 'pretrain',
  web: 'pretrain',
  exam: 'sft',
  general: 'sft',
  math: 'sft',
  code: 'sft',
};

/**
 * The release file a group's documents go to, or undefined for text documents of an SFT
 * source (the release holds only turn lists there).
 */
export function apolloFileName(g: ShardGroup): string | undefined {
  const pretrain = APOLLO_PRETRAIN_NAMES[g.source];
  if (pretrain) return `${pretrain}_${g.lang}_${g.kind}.json`;
  const sft = APOLLO_SFT_NAMES[g.source];
  if (sft && g.kind === 'qa') return `${sft}_${g.lang}.json`;
  return undefined;
}

/** What a release file name says: source type, language and kind of its elements. */
export function parseApolloFileName(name: string): ShardGroup | undefined {
  const m = /^([A-Za-z]+)_([a-z]{2})(?:_(text|qa))?\.json$/.exec(name);
  if (!m || !isLang(m[2])) return undefined;
  const [, prefix, lang, kind] = m as unknown as [string, string, string, DocKind | undefined];
  const find = (names: Readonly<Partial<Record<SourceType, string>>>) =>
    (Object.entries(names) as [SourceType, string][]).find(([, v]) => v === prefix)?.[0];
  if (kind) {
    const source = find(APOLLO_PRETRAIN_NAMES);
    return source ? { lang, source, kind } : undefined;
  }
  const source = find(APOLLO_SFT_NAMES);
  return source ? { lang, source, kind: 'qa' } : undefined;
}

/** Writes one JSON array element at a time, hashing as it goes. */
class JsonArrayFile {
  private readonly writer: AtomicFileWriter;
  private readonly hash = createHash('sha256');
  private buffer: string[] = [];
  private buffered = 0;
  records = 0;

  constructor(path: string) {
    this.writer = new AtomicFileWriter(path);
  }

  private async put(s: string): Promise<void> {
    this.buffer.push(s);
    this.buffered += s.length;
    if (this.buffered > 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    const data = this.buffer.join('');
    this.buffer = [];
    this.buffered = 0;
    this.hash.update(data);
    await this.writer.write(data);
  }

  async add(element: string | string[]): Promise<void> {
    await this.put((this.records === 0 ? '[\n' : ',\n') + JSON.stringify(element));
    this.records++;
  }

  async commit(): Promise<{ records: number; bytes: number; sha256: string }> {
    await this.put(this.records === 0 ? '[]\n' : '\n]\n');
    await this.flush();
    await this.writer.commit();
    return { records: this.records, bytes: this.writer.bytes, sha256: this.hash.digest('hex') };
  }
}

/** What `writeApolloRelease` wrote. */
export interface ApolloRelease {
  files: ManifestApolloFile[];
  skipped: Record<string, number>;
}

/**
 * Writes the Apollo release format from the dataset's shards: `apollo/{name}_{lang}_{kind}.json`
 * for pre-training sources, `apollo/{name}_{lang}.json` for SFT sources. Text files are arrays
 * of strings, QA and SFT files arrays of turn lists. Each file is written atomically and
 * streamed from the shards, one row group at a time.
 */
export async function writeApolloRelease(outputDir: string, shards: ManifestShard[]): Promise<ApolloRelease> {
  const dir = join(outputDir, 'apollo');
  // Temporary files of an interrupted attempt.
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (name.includes('.tmp-')) await rm(join(dir, name), { force: true });
  }
  const byFile = new Map<string, ManifestShard[]>();
  const skipped: Record<string, number> = {};
  for (const s of shards) {
    const name = apolloFileName(s);
    if (!name) {
      skipped[s.source] = (skipped[s.source] ?? 0) + s.rows;
      continue;
    }
    byFile.set(name, [...(byFile.get(name) ?? []), s]);
  }
  const files: ManifestApolloFile[] = [];
  for (const [name, list] of byFile) {
    const out = new JsonArrayFile(join(dir, name));
    for (const s of list) {
      for await (const row of readParquetRows(join(outputDir, s.path), ['kind', 'text', 'turns'])) {
        await out.add(row.kind === 'qa' ? (row.turns as string[]) : String(row.text));
      }
    }
    const written = await out.commit();
    files.push({ path: `apollo/${name}`, ...written });
  }
  return { files, skipped };
}

/**
 * Reads one file of the Apollo release format into documents: strings become text documents,
 * turn lists QA documents, with source, stage and language from the file name. Elements of the
 * wrong shape come out as problems naming the file and record index.
 */
export async function* readApolloFile(file: string): AsyncGenerator<DocItem> {
  const group = parseApolloFileName(basename(file));
  if (!group) throw new Error(`${file}: not an Apollo release file name ({source}_{lang}_{text|qa}.json or {source}_{lang}.json)`);
  const stage = SOURCE_STAGE[group.source];
  for await (const item of readJsonArray(file)) {
    const at = { file, record: item.record };
    if ('problem' in item) {
      yield { problem: { ...item.problem, at }, bytes: item.bytes };
      continue;
    }
    const v = item.value;
    let built;
    if (group.kind === 'text') {
      if (typeof v !== 'string') {
        yield { problem: { reason: 'invalid_record', detail: 'element of a text file must be a string', at }, bytes: item.bytes };
        continue;
      }
      built = makeDoc({ kind: 'text', text: v, source: group.source, stage, langHint: group.lang, provenance: at }, at);
    } else {
      if (!Array.isArray(v)) {
        yield { problem: { reason: 'invalid_record', detail: 'element of a QA file must be a list of turns', at }, bytes: item.bytes };
        continue;
      }
      built = makeDoc({ kind: 'qa', turns: v as string[], source: group.source, stage, langHint: group.lang, provenance: at }, at);
    }
    if (!built.ok) yield { problem: built.problem, bytes: item.bytes };
    else yield { doc: { ...built.value, lang: group.lang }, bytes: item.bytes };
  }
}

/** The release files in a folder (names it recognizes), sorted. */
export async function apolloReleaseFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir);
  return names
    .filter((n) => parseApolloFileName(n) !== undefined)
    .sort()
    .map((n) => join(dir, n));
}

/** Reads every release file of a folder (see `readApolloFile`); other files are ignored. */
export async function* readApolloRelease(dir: string): AsyncGenerator<DocItem> {
  for (const file of await apolloReleaseFiles(dir)) yield* readApolloFile(file);
}
