import { PAPER_ROWS, PAPER_SOURCES } from './paper';
import type { ScoreSummary } from './score';

const pct = (v: number | null | undefined): string => (v === null || v === undefined ? '-' : (v * 100).toFixed(2));

/**
 * The paper's table layout (9 averaged sources, then Avg), the paper's rows first and this run
 * last. Columns this run did not score show `-`; an average over fewer than 9 columns is marked
 * with `*`.
 */
export function paperTable(label: string, summary: ScoreSummary): string {
  const head = ['Model', ...PAPER_SOURCES.map((s) => s.paperColumn!), 'Avg'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const row of PAPER_ROWS) {
    lines.push(`| ${row.model} (paper) | ${PAPER_SOURCES.map((s) => row.scores[s.key]!.toFixed(2)).join(' | ')} | ${row.average.toFixed(2)} |`);
  }
  const avg = pct(summary.paper.average) + (summary.paper.complete || summary.paper.average === null ? '' : '*');
  lines.push(`| **${label}** | ${PAPER_SOURCES.map((s) => pct(summary.bySource[s.key]?.accuracy)).join(' | ')} | ${avg} |`);
  return lines.join('\n') + '\n';
}

/** Per-source detail: n, accuracy, standard error and 95% interval in %, invalid answers. */
export function sourceTable(summary: ScoreSummary): string {
  const lines = ['| source | n | acc % | stderr | 95% CI | invalid |', '| --- | ---: | ---: | ---: | --- | ---: |'];
  for (const [key, s] of Object.entries(summary.bySource)) {
    const ci = s.ci95 ? `${pct(s.ci95[0])}-${pct(s.ci95[1])}` : '-';
    lines.push(`| ${key} | ${s.n} | ${pct(s.accuracy)} | ${pct(s.stderr)} | ${ci} | ${s.invalid} |`);
  }
  for (const [lang, l] of Object.entries(summary.byLanguage)) {
    lines.push(`| ${lang} (micro / macro) | ${l.micro.n} | ${pct(l.micro.accuracy)} / ${pct(l.macro)} | ${pct(l.micro.stderr)} | | ${l.micro.invalid} |`);
  }
  return lines.join('\n') + '\n';
}
