import { makeDoc, seededRandom, type Doc } from '@apollo/document';
import type { BenchmarkItem } from './benchmark';
import type { CleanText } from './clean-texts';
import { checkDocument } from './decontaminate';
import { BenchmarkIndex, DEFAULT_DECONTAM_OPTIONS, type DecontamOptions } from './ngram-index';

/**
 * The planted set that measures decontamination: real benchmark items written into real medical
 * text the ways copies are found (a post quoting the question, an exam page with the options,
 * the same reformatted, a page where the item sits among other paragraphs), and clean medical
 * text that holds no item. Built deterministically from a seed.
 */
export const PLANTED_FORMS = ['question', 'verbatim', 'inline', 'reformatted', 'embedded'] as const;
export type PlantedForm = (typeof PLANTED_FORMS)[number];

export const PLANTED_FORM_TITLES: Record<PlantedForm, string> = {
  question: 'the question alone, verbatim, between two sentences of other text',
  verbatim: 'the question and its options block as XMedBench writes it (`(A) text.` lines), between two sentences of other text',
  inline: 'the question and its options in one paragraph (`... (A) text. (B) text.`), as a forum post quotes them',
  reformatted:
    'labels rewritten (`A.`, `A)`, `b:`, `（C）`, `[D]`, `A、`, Arabic or Devanagari letters), options inline, on lines or after a `Question: ... Options:` pair of field labels, periods dropped, a line break put into the question, spacing changed, full-width and half-width swapped',
  embedded: 'the reformatted item inside 2-4k characters of other medical text of its language, between paragraphs or inside one',
};

export interface PlantedDoc {
  /** Index of the planted item in the item list. */
  item: number;
  form: PlantedForm;
  doc: Doc;
}

/** Latin labels as pages write them. */
const LABEL_STYLES: readonly ((l: string) => string)[] = [(l) => `${l}.`, (l) => `${l})`, (l) => `${l.toLowerCase()}:`, (l) => `（${l}）`, (l) => `[${l}]`, (l) => `${l}．`, (l) => `(${l.toLowerCase()})`, (l) => `${l}、`];
/** Arabic and Devanagari letter labels (أ ب ج د هـ; क ख ग घ ङ). */
const SCRIPT_LABELS: Partial<Record<string, readonly string[]>> = { ar: ['أ', 'ب', 'ج', 'د', 'هـ'], hi: ['क', 'ख', 'ग', 'घ', 'ङ'] };

/** The words exam pages and SFT records put before the question and the options (Apollo's exam records: `Question: ...\nOptions:\n(A). ...`). */
const QUESTION_WORD: Record<string, string> = { en: 'Question', zh: '问题', es: 'Pregunta', fr: 'Question', ar: 'السؤال', hi: 'प्रश्न' };
const OPTIONS_WORD: Record<string, string> = { en: 'Options', zh: '选项', es: 'Opciones', fr: 'Propositions', ar: 'الخيارات', hi: 'विकल्प' };

const FULL_WIDTH_OFFSET = 0xfee0;

/** ASCII punctuation, letters and digits to their full-width forms. */
export function toFullWidth(s: string): string {
  return s.replace(/[!-~]/gu, (c) => String.fromCharCode(c.charCodeAt(0) + FULL_WIDTH_OFFSET));
}

/** Full-width forms back to ASCII, and the ideographic space to a space. */
export function toHalfWidth(s: string): string {
  return s.replace(/[\uff01-\uff5e]/gu, (c) => String.fromCharCode(c.charCodeAt(0) - FULL_WIDTH_OFFSET)).replace(/\u3000/gu, ' ');
}

type Random = () => number;
const pick = <T>(rand: Random, list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;

/** The item rewritten as pages reformat a copy (see `PLANTED_FORM_TITLES.reformatted`). */
export function reformatItem(item: BenchmarkItem, rand: Random): string {
  const script = SCRIPT_LABELS[item.language];
  const latinStyle = pick(rand, LABEL_STYLES);
  const scriptStyle = rand() < 0.5;
  const label = (i: number): string => {
    if (script && scriptStyle) return rand() < 0.5 ? `${script[i] ?? item.options[i]!.label})` : `(${script[i] ?? item.options[i]!.label})`;
    return latinStyle(item.options[i]!.label);
  };
  const dropPeriods = rand() < 0.5;
  const options = item.options.map((o, i) => `${label(i)} ${dropPeriods ? o.text.replace(/[.。]+$/u, '') : o.text}`);
  let question = item.question;
  const spaces = [...question.matchAll(/ /gu)].map((m) => m.index);
  if (spaces.length > 0 && rand() < 0.6) {
    const at = pick(rand, spaces);
    question = `${question.slice(0, at)}\n${question.slice(at + 1)}`;
  } else if (item.language === 'zh' && question.length > 4) {
    // A line break between two characters, not inside a Latin word or number (`D3`, `CO2`).
    const at = 2 + Math.floor(rand() * (question.length - 4));
    if (!/[0-9A-Za-z]{2}/u.test(question.slice(at - 1, at + 1))) question = `${question.slice(0, at)}\n${question.slice(at)}`;
  }
  const layout = rand();
  let text: string;
  if (layout < 0.3) text = `${question}\n${options.join('\n')}`;
  else if (layout < 0.55) text = `${question}  ${options.join(pick(rand, ['  ', ' ', ' \t', '\n\n']))}`;
  else if (layout < 0.8) text = `${question}\n\n${options.join(item.language === 'zh' ? pick(rand, ['；', ' ', '　']) : ' ')}`;
  else text = `${QUESTION_WORD[item.language]}: ${question}\n${OPTIONS_WORD[item.language]}:\n${options.join('\n')}`;
  if (item.language === 'zh') return rand() < 0.5 ? toFullWidth(text) : toHalfWidth(text);
  return rand() < 0.5 ? text.replace(/[0-9A-Za-z()]/gu, (c) => (rand() < 0.5 ? toFullWidth(c) : c)) : toHalfWidth(text);
}

/** Text of a clean text cut to at most `max` characters, at the last sentence end (or space) before it. */
function cutAt(text: string, max: number): string {
  if (text.length <= max) return text.trim();
  const head = text.slice(0, max);
  const end = Math.max(...['. ', '。', '！', '？', '? ', '। ', '\n'].map((p) => head.lastIndexOf(p)));
  return (end > max / 3 ? head.slice(0, end + 1) : head.slice(0, head.lastIndexOf(' ') > 0 ? head.lastIndexOf(' ') : max)).trim();
}

/** Clean texts by language, in a fixed order. */
function byLang(clean: readonly CleanText[]): Map<string, CleanText[]> {
  const m = new Map<string, CleanText[]>();
  for (const c of clean) {
    let l = m.get(c.lang);
    if (!l) m.set(c.lang, (l = []));
    l.push(c);
  }
  return m;
}

function plantedDoc(text: string, lang: string, n: number): Doc {
  const made = makeDoc({ kind: 'text', text, source: 'web', stage: 'pretrain', provenance: { file: 'planted', record: n } }, { file: 'planted', record: n });
  if (!made.ok) throw new Error(`planted document ${n}: ${made.problem.detail}`);
  return { ...made.value, lang };
}

/**
 * The planted items (all, or those numbered in `plant`) in every form, in item order, with other
 * text of the item's language around it (the clean texts must hold some text in each item's
 * language). An item's documents depend only on the seed, its number and the clean texts, not
 * on which other items are planted.
 */
export function buildPlantedSet(items: readonly BenchmarkItem[], clean: readonly CleanText[], seed: number, plant: readonly number[] = items.map((_, k) => k)): PlantedDoc[] {
  const pools = byLang(clean);
  const out: PlantedDoc[] = [];
  for (const k of plant) {
    const item = items[k]!;
    const pool = pools.get(item.language);
    if (!pool || pool.length === 0) throw new Error(`no clean text in ${item.language} to plant ${item.id} into`);
    const joiner = item.language === 'zh' ? '' : ' ';
    for (const form of PLANTED_FORMS) {
      // One generator per item and form: a subset of the items gets the same documents.
      const rand = seededRandom((seed ^ Math.imul(k + 1, 0x9e3779b1) ^ Math.imul(PLANTED_FORMS.indexOf(form) + 1, 0x85ebca6b)) >>> 0);
      const sentence = () => cutAt(pick(rand, pool).text, 120 + Math.floor(rand() * 180));
      let text: string;
      if (form === 'question') text = `${sentence()}\n${item.question}${joiner}${sentence()}`;
      else if (form === 'verbatim') text = `${sentence()}\n${item.question}\n${item.optionsText}\n${sentence()}`;
      else if (form === 'inline') text = `${sentence()}${joiner}${item.question}${joiner}${item.optionsText.replace(/\n/gu, joiner)}${joiner}${sentence()}`;
      else if (form === 'reformatted') text = `${sentence()}\n${reformatItem(item, rand)}\n${sentence()}`;
      else {
        const target = 2000 + Math.floor(rand() * 2000);
        const paragraphs: string[] = [];
        for (let len = 0; len < target; ) {
          const p = cutAt(pick(rand, pool).text, Math.min(1500, target - len + 200));
          paragraphs.push(p);
          len += p.length + 1;
        }
        const at = Math.floor(rand() * (paragraphs.length + 1));
        const planted = reformatItem(item, rand);
        // Half the time inside a paragraph, after its text, as a quoted item in running prose.
        if (at > 0 && rand() < 0.5) paragraphs[at - 1] = `${paragraphs[at - 1]}${joiner}${planted}`;
        else paragraphs.splice(at, 0, planted);
        text = paragraphs.join('\n');
      }
      out.push({ item: k, form, doc: plantedDoc(text, item.language, out.length) });
    }
  }
  return out;
}

/** What the planted set measured. */
export interface PlantedResult {
  options: DecontamOptions;
  seed: number;
  /**
   * Per source: items planted; items that cannot be matched at all; items whose question alone
   * is matched (an n-gram long, or a whole sequence no other item shares); items found per
   * form, and the ids missed.
   */
  sources: Record<string, { items: number; unmatchable: number; questionMatched: number; found: Record<PlantedForm, number>; missed: Record<PlantedForm, string[]> }>;
  /** Items whose own text (question and options) matched other items of different content: phrases items share. */
  sharedPhrases: { item: string; others: string[] }[];
  /** Planted documents that also matched an item other than the one planted in them. */
  otherItemHits: { form: PlantedForm; planted: string; others: string[] }[];
  /** Per language: clean documents checked, their characters, and those flagged with the items they matched. */
  clean: Record<string, { docs: number; chars: number; flagged: { origin: string; items: string[] }[] }>;
}

const zeroForms = <T>(make: () => T): Record<PlantedForm, T> => Object.fromEntries(PLANTED_FORMS.map((f) => [f, make()])) as Record<PlantedForm, T>;

/**
 * Builds the planted set (of all items, or of those numbered in `plant`), checks it and the
 * clean texts against an index of all the items, and counts.
 */
export function measurePlanted(
  items: BenchmarkItem[],
  clean: readonly CleanText[],
  seed: number,
  options: DecontamOptions = DEFAULT_DECONTAM_OPTIONS,
  plant: readonly number[] = items.map((_, k) => k),
): PlantedResult {
  const index = new BenchmarkIndex(items, options);
  const result: PlantedResult = { options, seed, sources: {}, sharedPhrases: [], otherItemHits: [], clean: {} };
  const unmatchable = new Set(index.unmatchable);
  for (const k of plant) {
    const item = items[k]!;
    const s = (result.sources[item.source] ??= { items: 0, unmatchable: 0, questionMatched: 0, found: zeroForms(() => 0), missed: zeroForms(() => []) });
    s.items++;
    if (unmatchable.has(k)) s.unmatchable++;
    if (index.questionMatched(k)) s.questionMatched++;
    const v = checkDocument(plantedDoc(`${item.question}\n${item.optionsText}`, item.language, -1 - k), index, 'drop');
    const others = v.status === 'clean' ? [] : v.items.filter((j) => j !== k && !sameContent(items[j]!, item));
    if (others.length > 0) result.sharedPhrases.push({ item: item.id, others: others.map((j) => items[j]!.id) });
  }
  for (const p of buildPlantedSet(items, clean, seed, plant)) {
    const v = checkDocument(p.doc, index, 'drop');
    const matched = v.status === 'clean' ? [] : v.items;
    const s = result.sources[items[p.item]!.source]!;
    if (matched.includes(p.item)) s.found[p.form]++;
    else s.missed[p.form].push(items[p.item]!.id);
    const others = matched.filter((k) => k !== p.item && !sameContent(items[k]!, items[p.item]!));
    if (others.length > 0) result.otherItemHits.push({ form: p.form, planted: items[p.item]!.id, others: others.map((k) => items[k]!.id) });
  }
  clean.forEach((c, i) => {
    const l = (result.clean[c.lang] ??= { docs: 0, chars: 0, flagged: [] });
    l.docs++;
    l.chars += c.text.length;
    const v = checkDocument(plantedDoc(c.text, c.lang, i), index, 'drop');
    if (v.status !== 'clean') l.flagged.push({ origin: c.origin, items: v.items.map((k) => items[k]!.id) });
  });
  return result;
}

/** Two items with the same question and options (a benchmark holding one item twice). */
function sameContent(a: BenchmarkItem, b: BenchmarkItem): boolean {
  return a.question === b.question && a.optionsText === b.optionsText;
}

/** The planted-set table: per source, items and items found per form; then false positives per language. */
export function plantedTableMarkdown(r: PlantedResult): string {
  const pct = (x: number, of: number) => (of === 0 ? '-' : `${((100 * x) / of).toFixed(1)}%`);
  const lines = [
    `| source | items | ${PLANTED_FORMS.join(' | ')} |`,
    `|---|---:|${PLANTED_FORMS.map(() => '---:').join('|')}|`,
  ];
  const total = { items: 0, found: zeroForms(() => 0) };
  for (const [source, s] of Object.entries(r.sources).sort((a, b) => a[0].localeCompare(b[0]))) {
    total.items += s.items;
    for (const f of PLANTED_FORMS) total.found[f] += s.found[f];
    lines.push(`| ${source} | ${s.items} | ${PLANTED_FORMS.map((f) => `${s.found[f]} (${pct(s.found[f], s.items)})`).join(' | ')} |`);
  }
  lines.push(`| **all** | ${total.items} | ${PLANTED_FORMS.map((f) => `${total.found[f]} (${pct(total.found[f], total.items)})`).join(' | ')} |`);
  lines.push('', '| clean text | documents | characters | flagged (false positives) |', '|---|---:|---:|---:|');
  for (const [lang, c] of Object.entries(r.clean).sort((a, b) => a[0].localeCompare(b[0]))) lines.push(`| ${lang} | ${c.docs} | ${c.chars} | ${c.flagged.length} |`);
  lines.push('', `Items whose text matched another item of different content: ${r.sharedPhrases.length}. Planted documents that also matched an item other than the one planted: ${r.otherItemHits.length}.`);
  return lines.join('\n') + '\n';
}
