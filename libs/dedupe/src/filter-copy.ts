import { closeSync, openSync, readSync } from 'node:fs';
import { JsonlWriter, parseDocLine, type DocLine, type RecordProblem } from '@apollo/document';
import { commitTask, removeStaleTemporaries, startStats, type RejectRecord, type TaskRuntime, type TaskSpec, type TaskStats } from '@apollo/stage';
import type { DedupeConfig } from './config';
import { changedCountError, changedIdError, duplicateDrop } from './duplicate-drop';
import type { DuplicateRecord } from './duplicates-file';
import { DedupeLayout, PHASE_FILTER } from './layout';
import type { LinePlan, LinePlanFile } from './line-plan';
import { SourceLineSink } from './raw-lines';

/**
 * The filter task without parsing (the default configuration: no decontamination, no
 * boilerplate stripping). The signatures task parsed and validated every line already and
 * recorded which lines are not copyable documents (line-plan.ts); here each line is decided by
 * its position alone: a document line not listed and not a duplicate is copied as it stands
 * (runs of them in one piece), and only duplicates (to check their id and write the reject
 * record with the document) and listed lines (problems, documents in another form) are parsed,
 * with the reader's rules (doc-line.ts). Outputs and stats are those of the full path
 * (`docPhase` with `duplicateFilter`): `filter-copy.spec.ts` compares the two.
 */

const CHUNK_BYTES = 4 << 20;
const NEWLINE = 0x0a;
const OPEN_BRACE = 0x7b;

/** A file that could not be read (recorded as the full path records it); other errors fail the task. */
class ReadError extends Error {}

/** The read block of this thread, shared by its tasks (one file is read at a time). */
let threadBlock: Buffer | undefined;

/**
 * Reads the next chunk into `block`, which is reused: every view of the previous chunk has been
 * written (the sink writes a run of lines before `writeLines` resolves) or copied (the start of
 * an unfinished line) by then. A fresh 4 MB buffer per chunk cost a page fault per 4 KB.
 */
function readChunk(fd: number, position: number, block: Buffer): Buffer {
  let got = 0;
  try {
    while (got < block.length) {
      const n = readSync(fd, block, got, block.length - got, position + got);
      if (n === 0) break;
      got += n;
    }
  } catch (err) {
    throw new ReadError((err as Error).message);
  }
  return block.subarray(0, got);
}

/** What the plan says the next item of a file is. */
type Expected = 'copy' | 'problem' | 'uncopied';

/** Position in a file: items and lines and documents seen, and the next listed problem and uncopied item. */
interface FileState {
  item: number;
  line: number;
  docs: number;
  problem: number;
  uncopied: number;
}

class CopyFilter {
  readonly stats: TaskStats;
  private next!: IteratorResult<DuplicateRecord>;
  private ordinal = 0;
  private droppedChars = 0;
  /** Progress not yet reported. */
  private progressDocs = 0;
  private progressBytes = 0;

  constructor(
    private readonly task: TaskSpec<DedupeConfig>,
    private readonly rt: TaskRuntime,
    private readonly records: AsyncIterator<DuplicateRecord>,
    private readonly source: string,
    readonly out: SourceLineSink,
    readonly rejects: JsonlWriter,
    startedAt: Date,
  ) {
    this.stats = startStats(task, PHASE_FILTER, startedAt, { files: task.files, extra: {}, sink: out.name });
  }

  async run(plan: LinePlan, expectedDocs: number): Promise<void> {
    this.next = await this.records.next();
    for (const entry of plan.files) {
      this.stats.charsIn += entry.chars;
      try {
        await this.file(entry);
      } catch (err) {
        if (!(err instanceof ReadError)) throw err;
        this.stats.fileErrors.push({ file: entry.file, reason: err.message });
        this.rt.log.error('input file failed while reading', { file: entry.file, reason: err.message });
      }
    }
    this.reportProgress();
    if (this.ordinal !== expectedDocs || !this.next.done) throw changedCountError(this.source, this.task.rank, this.ordinal, expectedDocs);
    this.stats.charsOut = this.stats.charsIn - this.droppedChars;
  }

  private async file(entry: LinePlanFile): Promise<void> {
    let fd: number;
    try {
      fd = openSync(entry.file, 'r');
    } catch (err) {
      throw new ReadError((err as Error).message);
    }
    const state: FileState = { item: 0, line: 0, docs: 0, problem: 0, uncopied: 0 };
    /** What the plan says the next item is. */
    const expected = (): Expected => {
      if (entry.problems[state.problem] === state.item) return 'problem';
      if (entry.uncopied[state.uncopied] === state.item) return 'uncopied';
      return 'copy';
    };
    try {
      let position = 0;
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      threadBlock ??= Buffer.allocUnsafe(CHUNK_BYTES);
      const block = threadBlock;
      for (;;) {
        const chunk = readChunk(fd, position, block);
        if (chunk.length === 0) break;
        position += chunk.length;
        let start = 0;
        let runStart = 0;
        for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
          if (pendingBytes > 0) {
            pending.push(chunk.subarray(start, nl));
            await this.line(entry, state, expected(), Buffer.concat(pending, pendingBytes + nl - start));
            pending = [];
            pendingBytes = 0;
            runStart = nl + 1;
          } else if (nl > start && chunk[start] === OPEN_BRACE && expected() === 'copy' && !this.isDuplicate()) {
            // The common case: a copyable document that stays; its line joins the run.
            this.copied(state, nl - start + 1);
          } else {
            await this.out.writeLines(chunk.subarray(runStart, start));
            await this.line(entry, state, expected(), chunk.subarray(start, nl));
            runStart = nl + 1;
          }
          start = nl + 1;
        }
        await this.out.writeLines(chunk.subarray(runStart, start));
        if (start < chunk.length) {
          pending.push(Buffer.from(chunk.subarray(start)));
          pendingBytes += chunk.length - start;
        }
        this.reportProgress();
      }
      // A last line without a newline is still a line (and counts one byte more, as read).
      if (pendingBytes > 0) await this.line(entry, state, expected(), Buffer.concat(pending, pendingBytes));
    } finally {
      closeSync(fd);
    }
    if (state.item !== entry.items || state.docs !== entry.docs) {
      throw new Error(`${entry.file}: ${state.item} records and ${state.docs} documents, the signatures phase saw ${entry.items} and ${entry.docs}; the input changed since then`);
    }
  }

  private isDuplicate(): boolean {
    return !this.next.done && this.next.value.ordinal === this.ordinal;
  }

  private copied(state: FileState, lineBytes: number): void {
    state.line++;
    state.item++;
    state.docs++;
    this.ordinal++;
    this.stats.docsIn++;
    this.stats.docsOut++;
    this.stats.bytesIn += lineBytes;
    this.progressDocs++;
    this.progressBytes += lineBytes;
  }

  /** A line that is not simply copied: parsed, checked against the plan, then dropped, kept or rejected. */
  private async line(entry: LinePlanFile, state: FileState, expected: Expected, buf: Buffer): Promise<void> {
    state.line++;
    const at = { file: entry.file, line: state.line };
    const parsed: DocLine = parseDocLine(buf, at);
    if (parsed.kind === 'blank') return;
    const changed = (what: string) => new Error(`${entry.file}:${state.line}: ${what}, the signatures phase saw ${expected === 'copy' ? 'a document' : `a ${expected === 'problem' ? 'problem' : 'document in another form'}`}; the input changed since then`);
    if (parsed.kind === 'problem' ? expected !== 'problem' : expected === 'problem') throw changed(parsed.kind === 'problem' ? parsed.problem.reason : 'a document');
    if (expected === 'problem') state.problem++;
    else if (expected === 'uncopied') state.uncopied++;
    state.item++;
    const lineBytes = buf.length + 1;
    this.stats.docsIn++;
    this.stats.bytesIn += lineBytes;
    this.progressDocs++;
    this.progressBytes += lineBytes;
    if (parsed.kind === 'problem') {
      this.reject(parsed.problem);
    } else {
      state.docs++;
      await this.doc(parsed);
    }
    await this.rejects.flushIfFull();
  }

  /** A parsed document: dropped when the clusters list it, else written. */
  private async doc(parsed: Extract<DocLine, { kind: 'doc' }>): Promise<void> {
    const doc = parsed.doc;
    const next = this.next;
    if (!next.done && next.value.ordinal < this.ordinal) throw new Error(`${this.source}: record for ordinal ${next.value.ordinal} is out of order`);
    if (!next.done && next.value.ordinal === this.ordinal) {
      const dup = next.value;
      if (dup.id !== doc.id) throw changedIdError(this.source, this.ordinal, this.task.rank, doc.id, dup);
      const { reason, detail, extra } = duplicateDrop(dup);
      this.stats.dropped[reason] = (this.stats.dropped[reason] ?? 0) + 1;
      this.droppedChars += doc.text.length;
      this.rejects.add({ reason, ...(detail ? { detail } : {}), stage: this.task.stage, at: doc.provenance, ...extra, doc } satisfies RejectRecord);
      this.next = await this.records.next();
    } else {
      this.stats.docsOut++;
      await this.out.writeDoc(doc, parsed.line);
    }
    this.ordinal++;
  }

  private reject(problem: RecordProblem): void {
    this.stats.dropped[problem.reason] = (this.stats.dropped[problem.reason] ?? 0) + 1;
    this.rejects.add({ reason: problem.reason, detail: problem.detail, stage: this.task.stage, at: problem.at } satisfies RejectRecord);
  }

  private reportProgress(): void {
    if (this.progressDocs === 0 && this.progressBytes === 0) return;
    this.rt.progress(this.progressDocs, this.progressBytes);
    this.progressDocs = 0;
    this.progressBytes = 0;
  }
}

/** Runs one filter task on its line plan; the caller checked that the plan holds. */
export async function runCopyFilterTask(
  task: TaskSpec<DedupeConfig>,
  rt: TaskRuntime,
  plan: LinePlan,
  expectedDocs: number,
  records: AsyncIterator<DuplicateRecord>,
  source: string,
): Promise<TaskStats> {
  const startedAt = new Date();
  const layout = new DedupeLayout(task.output);
  const docsFile = layout.stage.docsFile(task.rank);
  const rejectsFile = layout.stage.rejectsFile(task.rank);
  await Promise.all([removeStaleTemporaries(docsFile), removeStaleTemporaries(rejectsFile)]);
  const out = new SourceLineSink(docsFile, new WeakMap());
  const rejects = new JsonlWriter(rejectsFile);
  const filter = new CopyFilter(task, rt, records, source, out, rejects, startedAt);
  return commitTask(task, filter.stats, out, rejects, () => filter.run(plan, expectedDocs));
}
