import { closeSync, createReadStream, existsSync, fdatasync, fdatasyncSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, writeSync, writevSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Doc } from '@apollo/document';
import { docLine, lineBytes } from './doc-line';

/** What happened to a URL's content in the run that last fetched it. */
export type ChangeKind = 'new' | 'changed' | 'unchanged' | 'deleted';

/** The crawl store's record of one URL. */
export interface UrlRecord {
  url: string;
  kind: 'page' | 'sitemap';
  /** Link hops from a seed or sitemap entry. */
  depth: number;
  /** The crawl run (its start time) this state belongs to; an older run means "to refresh". */
  run: string;
  state: 'queued' | 'done' | 'failed' | 'skipped';
  fetchedAt?: string;
  httpStatus?: number;
  etag?: string;
  lastModified?: string;
  /** Id (content hash) of the page's current document; absent when it has none or was deleted. */
  docId?: string;
  /** Versions of the document seen so far (1 for the first). */
  version?: number;
  change?: ChangeKind;
  /** The document this one replaced (changed) or the deleted one (the tombstone). */
  previousDocId?: string;
  /** Failed attempts in a row (reset by a success). */
  errors: number;
  reason?: string;
  /** In-scope links of the page, so a refresh that gets 304 still discovers through it. */
  links?: string[];
  /** Sitemap `<lastmod>` of the URL. */
  lastmod?: string;
}

type LogLine = { t: 'run'; run: string } | ({ t: 'url' } & UrlRecord);

/** How often appended records are forced to disk at most (a crash loses at most this much). */
const SYNC_EVERY_MS = 200;

/** Writes buffers in order with as few calls as the system allows (a short write is continued). */
function writeAll(fd: number, buffers: Uint8Array[]): void {
  let total = 0;
  for (const b of buffers) total += b.length;
  const written = writevSync(fd, buffers);
  if (written < total) writeSync(fd, Buffer.concat(buffers).subarray(written));
}

/**
 * The persistent state of one source's crawl: an append-only JSONL log of URL records (the last
 * line of a URL wins) plus the documents the current run produced, so that a run stopped at any
 * point, SIGKILL included, resumes without refetching and still outputs every document.
 *
 * Crash safety: records are group-committed: the lines of one event-loop turn are appended with
 * one `write` per file at the end of the turn (documents before URL records), and fdatasync'ed at
 * most every 200 ms and on close; on open, a torn last line is cut off. A new run compacts the log
 * (write to a temporary file, fsync, rename). A URL counts as done only once its record is
 * written, so a kill loses at most the pages of the last, unwritten group, which are fetched again.
 */
export class CrawlStore {
  readonly records = new Map<string, UrlRecord>();
  private run: string | undefined;
  private logFd = -1;
  private docsFd = -1;
  private lines = 0;
  private lastSync = 0;
  private syncing: Promise<void> | undefined;
  /** Lines of the current group, not yet written. */
  private pendingLog = '';
  /** Document lines as UTF-8 bytes (most come encoded from the extraction thread). */
  private pendingDocs: Uint8Array[] = [];
  private flushQueued = false;
  private readonly logPath: string;
  private readonly docsPath: string;

  constructor(readonly dir: string) {
    this.logPath = join(dir, 'log.jsonl');
    this.docsPath = join(dir, 'docs.jsonl');
  }

  /** Opens (or creates) the store and replays the log. */
  open(): this {
    mkdirSync(this.dir, { recursive: true });
    if (existsSync(this.logPath)) {
      const bytes = readFileSync(this.logPath);
      let good = 0;
      // Only lines ending in a newline are complete; a torn or unparsable tail is cut off.
      for (let nl = bytes.indexOf(10, good); nl >= 0; nl = bytes.indexOf(10, good)) {
        const line = bytes.subarray(good, nl).toString('utf8');
        if (line.length > 0) {
          let parsed: LogLine;
          try {
            parsed = JSON.parse(line) as LogLine;
          } catch {
            break;
          }
          if (parsed.t === 'run') this.run = parsed.run;
          else {
            const { t: _t, ...record } = parsed;
            this.records.set(record.url, record);
          }
          this.lines++;
        }
        good = nl + 1;
      }
      if (good < bytes.length) {
        const fd = openSync(this.logPath, 'r+');
        ftruncateSync(fd, good);
        fsyncSync(fd);
        closeSync(fd);
      }
    }
    this.logFd = openSync(this.logPath, 'a');
    this.docsFd = openSync(this.docsPath, 'a');
    return this;
  }

  /** The run the store is in, if any. */
  get currentRun(): string | undefined {
    return this.run;
  }

  /**
   * Starts or resumes a run. The same run id resumes; another one starts a new generation, in
   * which every known URL is due for refresh.
   */
  begin(run: string): 'resumed' | 'started' {
    if (this.run === run) return 'resumed';
    this.run = run;
    this.compact();
    closeSync(this.docsFd);
    this.pendingDocs = [];
    this.docsFd = openSync(this.docsPath, 'w');
    fsyncSync(this.docsFd);
    return 'started';
  }

  /** Rewrites the log as one line per URL under the current run marker. */
  private compact(): void {
    // Every pending record is in `records` and is written below; the old log needs none of them.
    this.pendingLog = '';
    const tmp = `${this.logPath}.tmp-${process.pid}`;
    const fd = openSync(tmp, 'w');
    let text = JSON.stringify({ t: 'run', run: this.run }) + '\n';
    for (const record of this.records.values()) {
      text += JSON.stringify({ t: 'url', ...record }) + '\n';
      if (text.length > 1 << 20) {
        writeSync(fd, text);
        text = '';
      }
    }
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    closeSync(this.logFd);
    renameSync(tmp, this.logPath);
    const dirFd = openSync(this.dir, 'r');
    fsyncSync(dirFd);
    closeSync(dirFd);
    this.logFd = openSync(this.logPath, 'a');
    this.lines = this.records.size + 1;
  }

  get(url: string): UrlRecord | undefined {
    return this.records.get(url);
  }

  /** Stores a URL's new state (written with the current group). */
  put(record: UrlRecord): void {
    this.records.set(record.url, record);
    this.pendingLog += JSON.stringify({ t: 'url', ...record }) + '\n';
    this.lines++;
    this.queueFlush();
  }

  /**
   * Keeps a document of the current run (its group writes it before any URL record). `docJson`,
   * when given, is `JSON.stringify(doc)` made elsewhere.
   */
  putDoc(url: string, doc: Doc, docJson = JSON.stringify(doc)): void {
    this.putDocLine(lineBytes(docLine(this.run ?? '', url, docJson)));
  }

  /** Keeps a document line made elsewhere (`docLine` of this run, as UTF-8: the extraction thread's). */
  putDocLine(line: Uint8Array): void {
    this.pendingDocs.push(line);
    this.queueFlush();
  }

  /**
   * Writes the group at the end of this event-loop turn: the pages that finish in one turn share
   * two `write` calls instead of two each (per-record writes cost the crawler 8% of its time).
   */
  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => this.flush());
  }

  /** Writes the pending group now: documents first, so a URL record never precedes its document. */
  flush(): void {
    this.flushQueued = false;
    if (this.logFd < 0) return;
    if (this.pendingDocs.length > 0) {
      writeAll(this.docsFd, this.pendingDocs);
      this.pendingDocs = [];
    }
    if (this.pendingLog) {
      writeSync(this.logFd, this.pendingLog);
      this.pendingLog = '';
    }
    this.maybeSync();
  }

  /**
   * Forces appended records to disk at most every 200 ms, off the event loop: a killed process
   * loses nothing either way (the writes are in the page cache), and a power loss at most 200 ms.
   */
  private maybeSync(): void {
    const now = Date.now();
    if (this.syncing || now - this.lastSync < SYNC_EVERY_MS) return;
    this.lastSync = now;
    const fds = [this.docsFd, this.logFd];
    this.syncing = new Promise<void>((resolve) => {
      let left = fds.length;
      for (const fd of fds) fdatasync(fd, () => --left === 0 && resolve());
    }).then(() => {
      this.syncing = undefined;
    });
  }

  /**
   * Documents the current run already produced: those whose URL is done in this run with the
   * same document id (a document written just before a crash, without its record, is left out:
   * its URL is fetched again).
   */
  async *runDocs(): AsyncGenerator<{ url: string; doc: Doc }> {
    if (!existsSync(this.docsPath)) return;
    const seen = new Set<string>();
    const lines = createInterface({ input: createReadStream(this.docsPath, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line) continue;
      let entry: { run: string; url: string; doc: Doc };
      try {
        entry = JSON.parse(line) as { run: string; url: string; doc: Doc };
      } catch {
        continue;
      }
      const record = this.records.get(entry.url);
      if (entry.run !== this.run || seen.has(entry.url) || !record || record.run !== this.run || record.state !== 'done' || record.docId !== entry.doc.id) continue;
      seen.add(entry.url);
      yield entry;
    }
  }

  /** Syncs and closes the files (after any background sync, which uses them). */
  async close(): Promise<void> {
    this.flush();
    if (this.syncing) await this.syncing;
    if (this.logFd >= 0) {
      fdatasyncSync(this.logFd);
      closeSync(this.logFd);
      this.logFd = -1;
    }
    if (this.docsFd >= 0) {
      fdatasyncSync(this.docsFd);
      closeSync(this.docsFd);
      this.docsFd = -1;
    }
  }
}
