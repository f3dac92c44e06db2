import { fail, type ItemLocation } from './item-error';
import type { ItemOption } from './item';

/** A label at the start of the options block or of a line: `(A) `. */
const OPTION_START = /(?:^|\n)\(([A-Z])\) ?/g;
/** A unified answer: letters in ASCII or full-width parentheses, `(B)`, `（b）`, `(BCDE)`. */
const ANSWER = /^[(（]([A-Za-z]+)[)）]$/;

/** The letter of the option at `i`: A, B, C... */
export function optionLabel(i: number): string {
  return String.fromCharCode(65 + i);
}

/**
 * The one rule that splits an XMedBench options block (`(A) text.\n(B) text.`) into labelled
 * options: a label `(X) ` opens an option at the start of the block or of a line, and the
 * option's text runs to the next label (a few MedQA options span lines). Labels must run A, B,
 * C... without gaps, at least two. Texts are kept exactly (their period included), so the
 * options re-joined as `(X) text` lines give the block back.
 */
export function splitOptions(block: string, at: ItemLocation, field = 'options'): ItemOption[] {
  const starts = [...block.matchAll(OPTION_START)];
  if (starts.length < 2) fail(at, 'bad_options', `expected at least two "(A) ..." options, got ${JSON.stringify(block.slice(0, 80))}`, field);
  if (starts[0]!.index !== 0) fail(at, 'bad_options', 'options block does not start with "(A)"', field);
  return starts.map((m, i) => {
    const expected = optionLabel(i);
    if (m[1] !== expected) fail(at, 'bad_options', `option ${i + 1} is labelled (${m[1]}), expected (${expected})`, field);
    const end = i + 1 < starts.length ? starts[i + 1]!.index : block.length;
    return { label: expected, text: block.slice(m.index + m[0].length, end) };
  });
}

/** The options block of the unified format: `(A) text` per line, each text followed by `end` (XMedBench's period, or nothing). */
export function renderOptions(options: readonly ItemOption[], end: string): string {
  return options.map((o) => `(${o.label}) ${o.text}${end}`).join('\n');
}

/** Gold labels from letters (`C`, `ace`, `ABCE`): sorted, each once, and each must name an option. */
export function goldLetters(letters: string, options: readonly ItemOption[], at: ItemLocation, field = 'answer', written = letters): string[] {
  const gold = [...new Set(letters.trim().toUpperCase())].sort();
  if (gold.length === 0) fail(at, 'bad_answer', `answer ${JSON.stringify(written)} names no option`, field);
  for (const label of gold) {
    if (!options.some((o) => o.label === label)) fail(at, 'bad_answer', `answer ${JSON.stringify(written)} names (${label}), which is not an option`, field);
  }
  return gold;
}

/** The unified answer `(C)` or `(BCDE)` (full-width parentheses and lower case accepted) as gold labels. */
export function parseAnswer(answer: string, options: readonly ItemOption[], at: ItemLocation, field = 'answer'): string[] {
  const m = ANSWER.exec(answer.trim());
  if (!m) fail(at, 'bad_answer', `answer ${JSON.stringify(answer)} is not a parenthesised letter set like "(B)"`, field);
  return goldLetters(m[1]!, options, at, field, answer);
}

