import { LENGTH_BANDS, MOST_SHARED, SHORT_TEXT_CHARS, type EvalResult, type EvalSettings, type Scores } from './evaluation';

/** A setting as one table cell: bands x rows at the threshold, and the short-document rule. */
export function settingsLabel(s: EvalSettings): string {
  const base = `${s.bands} x ${s.rows} at ${s.threshold}`;
  if (!s.shortChars || s.shortRows === undefined || s.shortThreshold === undefined) return `${base}, no short documents`;
  return `${base}; under ${s.shortChars} chars: ${Math.floor((s.bands * s.rows) / s.shortRows)} x ${s.shortRows} at ${s.shortThreshold}`;
}

function row(name: string, x: Scores): string {
  return `| ${name} | ${x.tp + x.fn}/${x.fp + x.tn} | ${x.precision.toFixed(3)} | ${x.recall.toFixed(3)} | ${x.f1.toFixed(3)} |`;
}

const HEAD = ['| | pairs (+/-) | precision | recall | F1 |', '|---|---|---|---|---|'];

/**
 * The evaluation as markdown: one summary line per setting (all pairs, copies sharing most of
 * their text, the rest, and the false positives), then for the first setting the tables per
 * language and per length band, for all copies and for those sharing most of their text, and
 * recall per edit kind.
 */
export function evaluationMarkdown(results: EvalResult[]): string {
  const pct = Math.round(MOST_SHARED * 100);
  const out: string[] = [
    `| setting | all: P / R / F1 | sharing >= ${pct}%: P / R / F1 | sharing < ${pct}%: R | false positives |`,
    '|---|---|---|---|---|',
  ];
  const prf = (x: Scores) => `${x.precision.toFixed(3)} / ${x.recall.toFixed(3)} / ${x.f1.toFixed(3)}`;
  for (const r of results) {
    out.push(`| ${settingsLabel(r.settings)} | ${prf(r.overall)} | ${prf(r.byShare.most)} | ${r.byShare.part.recall.toFixed(3)} | ${r.overall.fp} of ${r.overall.fp + r.overall.tn} |`);
  }
  const first = results[0];
  if (!first) return out.join('\n');
  const bands = LENGTH_BANDS.map((b) => b.name);
  const section = (title: string, groups: Record<string, Scores>, order: string[]) => {
    out.push('', title, '', ...HEAD);
    for (const g of order) if (groups[g]) out.push(row(g, groups[g]));
  };
  const langs = Object.keys(first.byLang);
  out.push('', `Per language and per length band (characters of the longer text), ${settingsLabel(first.settings)}:`);
  section('All copies:', { ...first.byLang, all: first.overall }, [...langs, 'all']);
  section('By length band:', first.byBand, bands);
  section(`Copies sharing at least ${pct}% of the longer text, per language (with all negatives):`, { ...first.mostByLang, all: first.byShare.most }, [...langs, 'all']);
  section(`Copies sharing at least ${pct}% of the longer text, per length band (with all negatives):`, first.mostByBand, bands);
  section(`Short texts (longer text under ${SHORT_TEXT_CHARS} characters), per language, all copies:`, first.shortByLang, langs);
  section(`Short texts, per language, copies sharing at least ${pct}% of the longer text (with the short negatives):`, first.shortMostByLang, langs);
  out.push('', 'Recall per edit kind:', '');
  for (const [e, r] of Object.entries(first.recallByEdit)) out.push(`- ${e}: ${r.found}/${r.total}`);
  for (const [c, a] of Object.entries(first.apart)) out.push(`- reported apart, ${c}: ${a.joined} of ${a.total} joined`);
  return out.join('\n');
}
