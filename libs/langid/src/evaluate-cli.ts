// Evaluation of the language detectors on the labelled set: accuracy of the stage decision
// per language (short and long texts), rejection of other languages and junk, speed on 1 KB
// documents, threshold calibration, and the sampling trade-off on long documents.
// Run: npx nx run langid:evaluate   (or: node libs/langid/scripts/evaluate.mjs [--calibrate] [--seconds 2])
import { defaultLangidConfig, type LangidConfig } from './config';
import { createDetector } from './create-detector';
import { DETECTOR_NAMES, type DetectorName, type LanguageDetector } from './detector';
import { accuracyTable, calibrateThresholds, evaluateAccuracy, fixedSizeDocs, measureSpeed, readEvalSet, type EvalItem } from './evaluate';
import { judgeText } from './judge';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Long documents (about 20 KB) of one language, and mixed ones whose second half is another language. */
function longDocs(items: EvalItem[], languages: string[]): { text: string; expect: string }[] {
  const byLang = (lang: string) => items.filter((i) => i.lang === lang && i.length === 'long' && !i.expect).map((i) => i.text);
  const grow = (texts: string[], chars: number, offset: number) => {
    let out = '';
    for (let k = 0; out.length < chars && texts.length > 0; k++) out += (out ? '\n\n' : '') + texts[(k + offset) % texts.length];
    return out;
  };
  const docs: { text: string; expect: string }[] = [];
  for (const [i, lang] of languages.entries()) {
    for (let k = 0; k < 5; k++) docs.push({ text: grow(byLang(lang), 20_000, k * 7), expect: lang });
    // Half in another target language: the stage must call it mixed, not keep the first language.
    const other = languages[(i + 1) % languages.length]!;
    docs.push({ text: grow(byLang(lang), 10_000, 3) + '\n\n' + grow(byLang(other), 10_000, 5), expect: 'lang_mixed' });
  }
  return docs;
}

async function main(): Promise<void> {
  const seconds = Number(arg('--seconds') ?? 2);
  const items = readEvalSet(arg('--set'));
  const names = (arg('--detectors') ?? DETECTOR_NAMES.join(',')).split(',') as DetectorName[];
  const detectors: LanguageDetector[] = [];
  for (const name of names) detectors.push(await createDetector(name));
  const configOf = (d: LanguageDetector): LangidConfig => defaultLangidConfig(d.name);
  const verbose = process.argv.includes('--verbose');
  const targets = configOf(detectors[0]!).languages;
  const count = (pred: (i: EvalItem) => boolean) => items.filter(pred).length;
  const out: string[] = [];
  const expected = count((i) => i.expect !== undefined);
  out.push(
    `Evaluation set: ${items.length} texts, ${count((i) => !i.expect && targets.includes(i.lang))} in target languages, ${count((i) => !i.expect && !targets.includes(i.lang))} other languages and junk, ${expected} to be dropped with a given reason.\n`,
  );

  if (process.argv.includes('--calibrate')) {
    out.push('## Calibrated thresholds (keep 99% of correctly identified target texts)\n');
    for (const d of detectors) out.push(`- ${d.name}: \`${JSON.stringify(calibrateThresholds(items, d, configOf(d)))}\``);
    out.push('');
  }

  const reports = detectors.map((d) => evaluateAccuracy(items, d, configOf(d)));
  out.push('## Accuracy of the stage decision (default thresholds of each detector)\n');
  out.push(accuracyTable(reports));
  out.push('');
  for (const r of reports) {
    out.push(`- ${r.detector}: other-language outcomes ${JSON.stringify(r.othersOutcome)}`);
    const byLang = Object.entries(r.othersByLang).map(([lang, t]) => `${lang} ${t.correct}/${t.n}`);
    out.push(`  - other languages rejected, by language: ${byLang.join(', ')}`);
    if (verbose) for (const k of r.othersKept) out.push(`  - other kept: ${k.item.lang} as ${k.lang}: ${JSON.stringify(k.item.text.slice(0, 60))}`);
    for (const e of r.errors) {
      const v = e.verdict;
      const expect = e.item.expect ? ` (expected ${e.item.expect})` : '';
      out.push(`  - ${e.item.lang}/${e.item.length}${expect} -> ${v.keep ? `kept ${v.lang} ${v.score}` : `${v.reason} (${v.detail})`}: ${JSON.stringify(e.item.text.slice(0, 60))}`);
    }
  }

  const docs = fixedSizeDocs(items, targets, 1000);
  out.push(`\n## Speed on ${docs.length} documents of about 1 KB (one core, ${seconds} s per row)\n`);
  out.push('| detector | detect() docs/s | detect() MB/s | stage decision docs/s | stage decision MB/s |\n|---|---|---|---|---|');
  for (const d of detectors) {
    const raw = measureSpeed(docs, (t) => d.detect(t), seconds);
    const config = configOf(d);
    const full = measureSpeed(docs, (t) => judgeText(t, d, config), seconds);
    out.push(`| ${d.name} | ${raw.docsPerSecond.toFixed(0)} | ${raw.mbPerSecond.toFixed(2)} | ${full.docsPerSecond.toFixed(0)} | ${full.mbPerSecond.toFixed(2)} |`);
  }

  const long = longDocs(items, targets);
  out.push(`\n## Sampling on ${long.length} long documents (about 20 KB; one in six is half one language, half another)\n`);
  out.push('| detector | sample chars | window chars | correct | docs/s |\n|---|---|---|---|---|');
  const plans = [[1000, 1000], [1000, 500], [1000, 250], [2000, 500], [3000, 500], [6000, 500], [0, 1000]] as const;
  for (const d of detectors) {
    for (const [sampleChars, windowChars] of plans) {
      const config = { ...configOf(d), sampleChars, windowChars };
      let correct = 0;
      for (const doc of long) {
        const v = judgeText(doc.text, d, config);
        if ((v.keep ? v.lang : v.reason) === doc.expect) correct++;
        else if (verbose) out.push(`  - ${d.name} ${sampleChars}/${windowChars}: expected ${doc.expect}, got ${v.keep ? v.lang : v.reason + ' ' + v.detail}`);
      }
      const speed = measureSpeed(long.map((x) => x.text), (t) => judgeText(t, d, config), Math.min(seconds, 1));
      out.push(`| ${d.name} | ${sampleChars || 'all'} | ${windowChars} | ${correct}/${long.length} | ${speed.docsPerSecond.toFixed(0)} |`);
    }
  }
  for (const d of detectors) d.dispose();
  process.stdout.write(out.join('\n') + '\n');
}

main().catch((err: Error) => {
  process.stderr.write(`evaluate: ${err.stack ?? err.message}\n`);
  process.exitCode = 1;
});
