import type { BigIntStats } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import { docFileFormat, writeFileAtomic } from '@apollo/document';

/**
 * `signatures/<rank>.lines.json`: what the signatures task saw of each of its input files, so
 * the filter phase can decide line by line without parsing. Items are the lines the reader
 * yields (documents and unreadable records; blank lines are not items), numbered from 0 per
 * file. Every item is a document whose line is copyable (`isCopyableLine`) unless listed in
 * `problems` (the reader rejected it) or `uncopied` (a document whose line is not in the
 * default writer's form). The file identity (size, inode, modification and change times) is
 * taken before the file is read; the filter uses the plan only where all of it still holds,
 * and reads the documents fully otherwise.
 */
export interface LinePlan {
  format: typeof LINE_PLAN_FORMAT;
  /** Checksum of the signature file written in the same task (hex). */
  signatureChecksum: string;
  files: LinePlanFile[];
}

export interface LinePlanFile {
  file: string;
  identity: FileIdentity;
  items: number;
  /** Valid documents, and the sum of their text lengths (the filter's `charsIn`). */
  docs: number;
  chars: number;
  problems: number[];
  uncopied: number[];
}

/** What must be unchanged for a file to count as the one read before (decimal strings). */
export interface FileIdentity {
  size: string;
  ino: string;
  mtimeNs: string;
  ctimeNs: string;
}

export const LINE_PLAN_FORMAT = 'apollo-dedupe-lines/1';

export function fileIdentity(info: BigIntStats): FileIdentity {
  return { size: String(info.size), ino: String(info.ino), mtimeNs: String(info.mtimeNs), ctimeNs: String(info.ctimeNs) };
}

export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.size === b.size && a.ino === b.ino && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

/** Collects one file's entry while the signatures task reads it. */
export class LinePlanFileBuilder {
  readonly entry: LinePlanFile;

  constructor(file: string, identity: FileIdentity) {
    this.entry = { file, identity, items: 0, docs: 0, chars: 0, problems: [], uncopied: [] };
  }

  problem(): void {
    this.entry.problems.push(this.entry.items++);
  }

  doc(chars: number, copyable: boolean): void {
    if (!copyable) this.entry.uncopied.push(this.entry.items);
    this.entry.items++;
    this.entry.docs++;
    this.entry.chars += chars;
  }
}

export async function writeLinePlan(path: string, plan: LinePlan): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(plan) + '\n');
}

export async function removeLinePlan(path: string): Promise<void> {
  await rm(path, { force: true });
}

/**
 * The plan for a filter task, or why it cannot be used: missing or unreadable, from another
 * signatures run, for other files, a file that is not plain JSON lines, or a file that is not
 * the one read then.
 */
export async function usableLinePlan(path: string, files: readonly string[], signatureChecksum: string): Promise<{ plan: LinePlan } | { reason: string }> {
  let plan: LinePlan;
  try {
    plan = JSON.parse(await readFile(path, 'utf8')) as LinePlan;
  } catch {
    return { reason: `no readable ${path}` };
  }
  if (plan.format !== LINE_PLAN_FORMAT) return { reason: `${path} has format ${JSON.stringify(plan.format)}` };
  if (plan.signatureChecksum !== signatureChecksum) return { reason: `${path} belongs to another signature file` };
  if (plan.files.length !== files.length || plan.files.some((f, i) => f.file !== files[i])) return { reason: `${path} lists other input files` };
  for (const f of plan.files) {
    // The plan follows the file's lines: a compressed file or a JSON array has none to copy.
    if (docFileFormat(f.file) !== 'jsonl') return { reason: `${f.file} is not plain JSON lines` };
    let info: BigIntStats;
    try {
      info = await stat(f.file, { bigint: true });
    } catch (err) {
      return { reason: `cannot stat ${f.file}: ${(err as Error).message}` };
    }
    if (!info.isFile() || !sameIdentity(fileIdentity(info), f.identity)) return { reason: `${f.file} changed since the signatures phase` };
  }
  return { plan };
}
