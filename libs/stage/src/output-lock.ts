import { readFileSync } from 'node:fs';
import { link, mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

/** Who holds an output folder: written into the lock file, shown when another run is refused. */
export interface LockHolder {
  pid: number;
  host: string;
  /** When the holder took the lock (ISO-8601). */
  startedAt: string;
  /** The holder's command line, for the person reading the refusal. */
  command: string;
  /** `run` for a whole stage run; `rank-<r>`, `phase-<name>` or both for one task of a cluster run. */
  scope: string;
  /**
   * The holder's start time in clock ticks since boot (Linux `/proc/<pid>/stat`), so that a
   * recycled pid is not mistaken for the holder. Absent where /proc is not available.
   */
  procStart?: number;
}

/** Another live run holds the output folder (or a task of it). */
export class OutputLockedError extends Error {
  constructor(
    readonly output: string,
    readonly lockFile: string,
    readonly holder: LockHolder,
  ) {
    const same = holder.host === hostname();
    super(
      `${output} is in use by another run: pid ${holder.pid} on ${holder.host}${same ? '' : ' (another host)'}, ` +
        `started ${holder.startedAt}${holder.scope === 'run' ? '' : ` (${holder.scope})`}: ${holder.command}. ` +
        `Wait for it to finish or choose another --output; if no such run is going on${same ? '' : ' on that host'}, delete ${lockFile}.`,
    );
    this.name = 'OutputLockedError';
  }
}

const LOCK_SUFFIX = '.lock';

/**
 * Lock files sit beside the output folder (`<output>.lock`), not inside it: `--overwrite` moves
 * the folder aside while the run that holds it goes on, and the lock must stay where the next
 * run looks. A task of a cluster run (`--rank`, `--phase`) takes `<output>.<scope>.lock`, so that
 * the tasks of one stage can run at once while a whole run excludes them all.
 */
export function lockFileFor(output: string, scope: string): string {
  const abs = resolve(output);
  return join(dirname(abs), `${basename(abs)}${scope === 'run' ? '' : `.${scope}`}${LOCK_SUFFIX}`);
}

/** Fields 3 and on of /proc/<pid>/stat (state first), where /proc is available. */
function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (the command) is parenthesised and may hold spaces: split after its end.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** A process's start time in clock ticks since boot, from /proc; undefined where unavailable. */
export function processStartTicks(pid: number): number | undefined {
  const ticks = Number(procStat(pid)?.[19]);
  return Number.isFinite(ticks) ? ticks : undefined;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed process whose parent died too can stay a zombie until it is reaped: it runs nothing.
  const state = procStat(pid)?.[0];
  return state !== 'Z' && state !== 'X';
}

/**
 * Whether a holder is known to be gone: only a holder on this host can be checked, by its pid
 * (and its start time, where /proc gives it). Another host's lock is respected.
 */
export function holderIsGone(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return false;
  if (!pidAlive(holder.pid)) return true;
  if (holder.procStart === undefined) return false;
  const now = processStartTicks(holder.pid);
  return now !== undefined && now !== holder.procStart;
}

async function readHolder(file: string): Promise<LockHolder | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const holder = JSON.parse(text) as LockHolder;
    if (typeof holder.pid === 'number' && typeof holder.host === 'string') return holder;
  } catch {
    // fall through: an unreadable lock is reported as such
  }
  throw new Error(`${file}: not a lock file of this tool (${JSON.stringify(text.slice(0, 80))}); delete it if no run is using the folder`);
}

/**
 * Creates `file` holding `holder`, atomically and only if it does not exist: the content is
 * written to a temporary file first and hard-linked into place, so a reader never sees a
 * half-written lock. Resolves to false if the file exists.
 */
async function createExclusive(file: string, holder: LockHolder): Promise<boolean> {
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  await writeFile(tmp, JSON.stringify(holder, null, 2) + '\n');
  try {
    await link(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/**
 * Removes a lock whose holder is gone. The lock is renamed aside first (atomic), and the
 * renamed copy is checked to be the stale one that was judged: if a live run replaced it in
 * between, it is put back.
 */
async function removeStale(file: string, stale: LockHolder): Promise<void> {
  const aside = `${file}.stale-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await rename(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const moved = await readHolder(aside).catch(() => undefined);
  if (moved && (moved.pid !== stale.pid || moved.startedAt !== stale.startedAt || moved.host !== stale.host)) {
    await link(aside, file).catch(() => undefined);
  }
  await unlink(aside).catch(() => undefined);
}

const SCOPE = /^(?:rank-(\d+))?(?:\.?phase-([A-Za-z0-9_-]+))?$/;

/** The task and phase a scope covers (undefined: all of them); undefined if it is no scope. */
function parseScope(scope: string): { rank?: number; phase?: string } | undefined {
  if (scope === 'run') return {};
  const m = SCOPE.exec(scope);
  if (!m || (m[1] === undefined && m[2] === undefined)) return undefined;
  return { ...(m[1] !== undefined ? { rank: Number(m[1]) } : {}), ...(m[2] !== undefined ? { phase: m[2] } : {}) };
}

/** Two runs collide when they may run the same task of the same phase. */
function scopesOverlap(a: { rank?: number; phase?: string }, b: { rank?: number; phase?: string }): boolean {
  const ranks = a.rank === undefined || b.rank === undefined || a.rank === b.rank;
  const phases = a.phase === undefined || b.phase === undefined || a.phase === b.phase;
  return ranks && phases;
}

/** The scope of a run: the whole stage, or the task (`--rank`) and phase (`--phase`) it runs. */
export function lockScope(opts: { rank?: number; phase?: string }): string {
  const parts = [...(opts.rank !== undefined ? [`rank-${opts.rank}`] : []), ...(opts.phase !== undefined ? [`phase-${opts.phase}`] : [])];
  return parts.length === 0 ? 'run' : parts.join('.');
}

/** Locks held by live runs beside `output` that conflict with `scope`, other than `own`. */
async function conflicts(output: string, scope: string, own: string): Promise<{ file: string; holder: LockHolder }[]> {
  const abs = resolve(output);
  const name = basename(abs);
  let entries: string[];
  try {
    entries = await readdir(dirname(abs));
  } catch {
    return [];
  }
  const mine = parseScope(scope) ?? {};
  const found: { file: string; holder: LockHolder }[] = [];
  for (const entry of entries) {
    if (!entry.startsWith(name + '.') && entry !== name + LOCK_SUFFIX) continue;
    if (!entry.endsWith(LOCK_SUFFIX)) continue;
    const file = join(dirname(abs), entry);
    if (file === own) continue;
    const middle = entry.slice(name.length, -LOCK_SUFFIX.length);
    const otherScope = middle === '' ? 'run' : middle.slice(1);
    // `out.x.lock` may be the lock of a folder named `out.x`: only task scopes are this folder's.
    const theirs = parseScope(otherScope);
    if (!theirs || !scopesOverlap(mine, theirs)) continue;
    const holder = await readHolder(file).catch(() => undefined);
    if (!holder) continue;
    if (holderIsGone(holder)) {
      await removeStale(file, holder);
      continue;
    }
    found.push({ file, holder });
  }
  return found;
}

/** An exclusive lock on an output folder, held until `release`. */
export class OutputLock {
  private released = false;

  private constructor(
    readonly output: string,
    readonly file: string,
    readonly holder: LockHolder,
  ) {}

  /**
   * Takes the lock of `output` for `scope` (see `lockScope`), or throws `OutputLockedError`
   * naming the live holder. A stale lock (its holder on this host is gone) is taken over.
   */
  static async acquire(output: string, scope = 'run', command = process.argv.join(' ')): Promise<OutputLock> {
    const file = lockFileFor(output, scope);
    await mkdir(dirname(file), { recursive: true });
    const procStart = processStartTicks(process.pid);
    const holder: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command, scope, ...(procStart !== undefined ? { procStart } : {}) };
    for (let attempt = 0; ; attempt++) {
      if (await createExclusive(file, holder)) break;
      const current = await readHolder(file);
      if (current && !holderIsGone(current)) throw new OutputLockedError(output, file, current);
      if (attempt >= 5) throw new Error(`${file}: could not take over the stale lock (another run keeps replacing it)`);
      if (current) await removeStale(file, current);
    }
    // Taken first, checked second: of two runs that conflict, at least one sees the other.
    const others = await conflicts(output, scope, file);
    if (others.length > 0) {
      await unlink(file).catch(() => undefined);
      throw new OutputLockedError(output, others[0]!.file, others[0]!.holder);
    }
    return new OutputLock(output, file, holder);
  }

  /** Removes the lock file (if it is still this run's). */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    const current = await readHolder(this.file).catch(() => undefined);
    if (current && current.pid === this.holder.pid && current.startedAt === this.holder.startedAt && current.host === this.holder.host) {
      await unlink(this.file).catch(() => undefined);
    }
  }
}
