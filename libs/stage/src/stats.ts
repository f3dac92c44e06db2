/** What one task of one phase did; written to `stats/<rank>.json` when the task finishes. */
export interface TaskStats {
  stage: string;
  phase: string;
  rank: number;
  worldSize: number;
  files: string[];
  /** Records that entered the task (documents, plus records that could not be read). */
  docsIn: number;
  docsOut: number;
  /** Dropped records by reason code. */
  dropped: Record<string, number>;
  bytesIn: number;
  bytesOut: number;
  charsIn: number;
  charsOut: number;
  /** Files that could not be read at all: the task is then not marked complete. */
  fileErrors: { file: string; reason: string }[];
  startedAt: string;
  finishedAt: string;
  seconds: number;
  /** Where kept documents went (`jsonl` = docs/<rank>.jsonl); doc phases only. */
  sink?: string;
  /** Phase-specific figures (clusters found, shards written, ...). */
  extra?: Record<string, number>;
}

type StatsFields = Partial<Omit<TaskStats, 'stage' | 'phase' | 'rank' | 'worldSize' | 'startedAt' | 'finishedAt' | 'seconds'>>;

/** The stats of a task starting at `startedAt`: zero counts, then `fields`; `finishStats` closes them. */
export function startStats(task: { stage: string; rank: number; worldSize: number }, phase: string, startedAt: Date, fields: StatsFields = {}): TaskStats {
  return {
    stage: task.stage,
    phase,
    rank: task.rank,
    worldSize: task.worldSize,
    files: [],
    docsIn: 0,
    docsOut: 0,
    dropped: {},
    bytesIn: 0,
    bytesOut: 0,
    charsIn: 0,
    charsOut: 0,
    fileErrors: [],
    ...fields,
    startedAt: startedAt.toISOString(),
    finishedAt: '',
    seconds: 0,
  };
}

/** Sets the finish time and duration of stats made by `startStats`. */
export function finishStats(stats: TaskStats): TaskStats {
  const finished = new Date();
  stats.finishedAt = finished.toISOString();
  stats.seconds = (finished.getTime() - Date.parse(stats.startedAt)) / 1000;
  return stats;
}

/** The stats of a task that ran from `startedAt` until now, for phases that count their own way. */
export function phaseStats(task: { stage: string; rank: number; worldSize: number }, phase: string, startedAt: Date, fields: StatsFields = {}): TaskStats {
  return finishStats(startStats(task, phase, startedAt, fields));
}

export function droppedTotal(stats: Pick<TaskStats, 'dropped'>): number {
  let total = 0;
  for (const n of Object.values(stats.dropped)) total += n;
  return total;
}

/**
 * Sums task stats of one phase. `seconds` is the span from the first task's start to the last
 * one's finish: the phase's time when its tasks ran together, not the sum of their times.
 */
export function mergeStats(all: TaskStats[]): Omit<TaskStats, 'rank' | 'startedAt' | 'finishedAt'> & { tasks: number } {
  const first = all[0];
  const merged = {
    stage: first?.stage ?? '',
    phase: first?.phase ?? '',
    worldSize: first?.worldSize ?? 0,
    tasks: all.length,
    files: [] as string[],
    docsIn: 0,
    docsOut: 0,
    dropped: {} as Record<string, number>,
    bytesIn: 0,
    bytesOut: 0,
    charsIn: 0,
    charsOut: 0,
    fileErrors: [] as { file: string; reason: string }[],
    seconds: 0,
    extra: {} as Record<string, number>,
  };
  for (const s of all) {
    merged.files.push(...s.files);
    merged.docsIn += s.docsIn;
    merged.docsOut += s.docsOut;
    merged.bytesIn += s.bytesIn;
    merged.bytesOut += s.bytesOut;
    merged.charsIn += s.charsIn;
    merged.charsOut += s.charsOut;
    merged.fileErrors.push(...s.fileErrors);
    for (const [k, v] of Object.entries(s.dropped)) merged.dropped[k] = (merged.dropped[k] ?? 0) + v;
    for (const [k, v] of Object.entries(s.extra ?? {})) merged.extra[k] = (merged.extra[k] ?? 0) + v;
  }
  const starts = all.map((s) => Date.parse(s.startedAt)).filter(Number.isFinite);
  const ends = all.map((s) => Date.parse(s.finishedAt)).filter(Number.isFinite);
  if (starts.length > 0 && ends.length > 0) merged.seconds = Math.max(0, (Math.max(...ends) - Math.min(...starts)) / 1000);
  return merged;
}
