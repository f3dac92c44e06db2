import { mergeStats, startStats, type TaskStats } from '../stats';

function task(rank: number, from: string, to: string, docsIn: number, dropped: Record<string, number>): TaskStats {
  const s = startStats({ stage: 'langid', rank, worldSize: 3 }, 'docs', new Date(from), { docsIn, docsOut: docsIn - Object.values(dropped).reduce((a, b) => a + b, 0), dropped });
  s.finishedAt = to;
  s.seconds = (Date.parse(to) - Date.parse(from)) / 1000;
  return s;
}

describe('mergeStats', () => {
  it('sums counts and gives the phase the span of its tasks, not the longest task', () => {
    const m = mergeStats([
      task(0, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:03.000Z', 10, { a: 1 }),
      task(1, '2026-01-01T00:00:00.500Z', '2026-01-01T00:00:04.000Z', 20, { a: 2, b: 1 }),
      task(2, '2026-01-01T00:00:03.000Z', '2026-01-01T00:00:07.500Z', 5, {}),
    ]);
    expect(m).toMatchObject({ tasks: 3, docsIn: 35, docsOut: 31, dropped: { a: 3, b: 1 }, seconds: 7.5 });
  });

  it('gives zero seconds and counts for no tasks', () => {
    expect(mergeStats([])).toMatchObject({ tasks: 0, docsIn: 0, seconds: 0 });
  });
});
