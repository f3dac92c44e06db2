#!/usr/bin/env node
// Builds libs/langid/data/eval-set.jsonl, the labelled language-ID evaluation set, from
//   - handwritten.jsonl (sentences and paragraphs written for this set, other languages, junk),
//   - real medical text from the shared data folder (Apache-2.0, Apollo release):
//     XMedBench dev questions (all six languages) and Apollo training answers (en, zh), and
//   - public-excerpts.jsonl: excerpts of public web pages and repository files, each with the
//     address it was taken from in `origin`: Hindi with English loanwords in Devanagari, Marathi
//     and Nepali, English naming Indian remedies, Hindi in Latin letters (`hi-Latn`, expected
//     drop reason `romanized_hindi`) and link lists and menus (expected `not_prose`).
// The selection is deterministic (file order, fixed quotas), so rerunning gives the same file.
// Usage: node libs/langid/data/build-eval-set.mjs [shared-data-dir]   (default ../shared/data)
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const here = import.meta.dirname;
const shared = process.argv[2] ?? join(here, '..', '..', '..', '..', 'shared', 'data');

/** Per language: XMedBench questions used as short texts, question + options as long texts. */
const XMED_QUOTA = {
  en: { short: 40, long: 30 },
  zh: { short: 40, long: 30 },
  es: { short: 40, long: 55 },
  fr: { short: 16, long: 16 },
  ar: { short: 35, long: 27 },
  hi: { short: 27, long: 27 },
};
const SHORT_MIN = 20;
const SHORT_MAX = 120;
const LONG_MIN = 200;
/** Apollo training answers: this many per file, long texts cut to LONG_MAX characters. */
const APOLLO_FILES = ['Medical_Book', 'Medical_Guideline', 'Medical_Paper', 'Medical_Web', 'Medical_Wiki', 'Medical_Patient'];
const APOLLO_PER_FILE = 6;
const LONG_MAX = 1500;

const rows = [];
for (const line of readFileSync(join(here, 'handwritten.jsonl'), 'utf8').split('\n')) {
  if (line.trim()) rows.push(JSON.parse(line));
}

for (const [lang, quota] of Object.entries(XMED_QUOTA)) {
  const file = `xmedbench-dev/${lang}.json`;
  const items = JSON.parse(readFileSync(join(shared, file), 'utf8'));
  let short = 0;
  let long = 0;
  items.forEach((item, i) => {
    const question = String(item.question ?? '').trim();
    const options = String(item.options ?? item.option ?? '').trim();
    const longText = `${question}\n${options}`;
    const canShort = question.length >= SHORT_MIN && question.length <= SHORT_MAX && !question.includes('\n');
    const canLong = longText.length >= LONG_MIN;
    // Alternate so short and long texts come from different items spread over the file.
    const preferShort = i % 2 === 0 || !canLong || long >= quota.long;
    if (canShort && short < quota.short && preferShort) {
      rows.push({ text: question, lang, length: 'short', origin: `${file}#${i}:question` });
      short++;
    } else if (canLong && long < quota.long) {
      rows.push({ text: longText, lang, length: 'long', origin: `${file}#${i}:question+options` });
      long++;
    }
  });
}

function cut(text, max) {
  if (text.length <= max) return text;
  const at = text.lastIndexOf(' ', max);
  return text.slice(0, at > max / 2 ? at : max);
}

for (const lang of ['en', 'zh']) {
  for (const name of APOLLO_FILES) {
    const file = `apollo-train-samples/${name}_${lang}_sampled.json`;
    const records = JSON.parse(readFileSync(join(shared, file), 'utf8'));
    let taken = 0;
    records.forEach((turns, i) => {
      const answer = String(turns[1] ?? '').trim();
      if (taken >= APOLLO_PER_FILE || answer.length < 300) return;
      rows.push({ text: cut(answer, LONG_MAX), lang, length: 'long', origin: `${file}#${i}:turn1` });
      taken++;
    });
  }
}

for (const line of readFileSync(join(here, 'public-excerpts.jsonl'), 'utf8').split('\n')) {
  if (line.trim()) rows.push(JSON.parse(line));
}

writeFileSync(join(here, 'eval-set.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
const counts = {};
for (const r of rows) {
  const key = `${r.lang}/${r.length}${r.expect ? ` (${r.expect})` : ''}`;
  counts[key] = (counts[key] ?? 0) + 1;
}
console.log(`${rows.length} texts`, counts);
