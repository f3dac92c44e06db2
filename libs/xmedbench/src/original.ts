import { open, readFile } from 'node:fs/promises';
import { readJsonArray, readJsonLines, RecordError, type RecordLocation } from '@apollo/document';
import { readCsvRows } from './csv';
import { itemHash, type ItemOption, type XMedBenchItem } from './item';
import { sourceInfo } from './sources';

/**
 * The public original formats of the XMedBench sources, named by source key (the format
 * decides the source and so the language):
 * - `medqa-usmle`, `medqa-mcmle`: MedQA JSONL, `{question, options: {A: ..}, answer_idx}`;
 * - `medmcqa`: MedMCQA JSON lines, `{question, opa, opb, opc, opd, cop}` with `cop` 1-4 (the
 *   original release; the Hugging Face copy counts from 0: use `medmcqa-hf`);
 * - `pubmedqa`: ori_pqal.json, `{PMID: {QUESTION, CONTEXTS: [..], final_decision}}`;
 * - `headqa`: HEAD-QA JSON, `{exams: {name: {data: [{qtext, ra, answers: [{aid, atext}]}]}}}` or a list of questions;
 * - `frenchmedmcqa`: JSON list, `{question, answers: {a: ..}, correct_answers: ['a', ..]}`;
 * - `mmlu-medical`, `mmlu-medical-ar`, `mmlu-medical-hi`: MMLU CSV without header, `question,A,B,C,D,answer`;
 * - `cmmlu-medical`: CMMLU CSV with header `,Question,A,B,C,D,Answer`;
 * - `cmexam`: CMExam CSV with header `Question,Options,Answer,...`, options as lines `A 文本`;
 * - `cmb-single`: CMB-Exam JSON list, `{question, option: {A: ..}, answer}`.
 */
export const ORIGINAL_FORMATS = [
  'medqa-usmle',
  'medqa-mcmle',
  'medmcqa',
  'medmcqa-hf',
  'pubmedqa',
  'headqa',
  'frenchmedmcqa',
  'mmlu-medical',
  'mmlu-medical-ar',
  'mmlu-medical-hi',
  'cmmlu-medical',
  'cmexam',
  'cmb-single',
] as const;
export type OriginalFormat = (typeof ORIGINAL_FORMATS)[number];

export function isOriginalFormat(v: string): v is OriginalFormat {
  return (ORIGINAL_FORMATS as readonly string[]).includes(v);
}

/** A record's content before it becomes an item. */
interface Parsed {
  question: string;
  context?: string;
  options: ItemOption[];
  gold: string[];
}

function fail(at: RecordLocation, reason: string, detail: string): never {
  throw new RecordError({ reason, detail, at });
}

function str(obj: Record<string, unknown>, key: string, at: RecordLocation): string {
  const v = obj[key];
  if (typeof v !== 'string' || v.trim() === '') fail(at, v === undefined ? 'missing_field' : 'bad_field', `"${key}" must be a non-empty string`);
  return v;
}

function object(v: unknown, at: RecordLocation, what = 'record'): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(at, 'not_an_object', `${what} must be a JSON object`);
  return v as Record<string, unknown>;
}

/** Options from an object keyed by letter (`{A: .., B: ..}` or lower case), in letter order from A without gaps. */
function letterOptions(obj: Record<string, unknown>, at: RecordLocation): ItemOption[] {
  const entries = Object.entries(obj)
    // Empty options stay (CMB has `"E": ""`, which XMedBench renders as `(E) .`).
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => [k.toUpperCase(), v] as const)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  entries.forEach(([k, v], i) => {
    if (k !== String.fromCharCode(65 + i)) fail(at, 'bad_options', `options must be lettered A, B, C... without gaps, got ${entries.map(([l]) => l).join(',')}`);
    if (typeof v !== 'string') fail(at, 'bad_options', `option ${k} is not a string`);
  });
  if (entries.length < 2) fail(at, 'bad_options', 'fewer than two options');
  return entries.map(([label, text]) => ({ label, text: (text as string).trim() }));
}

function goldLetters(letters: string, options: readonly ItemOption[], at: RecordLocation): string[] {
  const gold = [...new Set(letters.trim().toUpperCase())].sort();
  if (gold.length === 0 || gold.some((l) => !options.some((o) => o.label === l))) fail(at, 'bad_answer', `answer ${JSON.stringify(letters)} names no option`);
  return gold;
}

function listOptions(texts: readonly unknown[], at: RecordLocation): ItemOption[] {
  return texts.map((t, i) => {
    if (typeof t !== 'string' || t.trim() === '') fail(at, 'bad_options', `option ${i + 1} is empty or not a string`);
    return { label: String.fromCharCode(65 + i), text: t.trim() };
  });
}

const YES_NO_MAYBE: ItemOption[] = [
  { label: 'A', text: 'Yes' },
  { label: 'B', text: 'No' },
  { label: 'C', text: 'Maybe' },
];

/** Maps one JSON record of a format to item content. */
export function parseOriginalJson(format: OriginalFormat, value: unknown, at: RecordLocation): Parsed {
  const o = object(value, at);
  switch (format) {
    case 'medqa-usmle':
    case 'medqa-mcmle': {
      const options = letterOptions(object(o['options'], at, '"options"'), at);
      return { question: str(o, 'question', at), options, gold: goldLetters(str(o, 'answer_idx', at), options, at) };
    }
    case 'medmcqa':
    case 'medmcqa-hf': {
      const options = listOptions(['opa', 'opb', 'opc', 'opd'].map((k) => o[k]), at);
      const cop = o['cop'];
      const idx = typeof cop === 'number' ? cop - (format === 'medmcqa' ? 1 : 0) : NaN;
      if (!Number.isInteger(idx) || idx < 0 || idx > 3) fail(at, 'bad_answer', `"cop" ${JSON.stringify(cop)} is not ${format === 'medmcqa' ? '1-4' : '0-3'}`);
      return { question: str(o, 'question', at), options, gold: [options[idx]!.label] };
    }
    case 'pubmedqa': {
      const contexts = o['CONTEXTS'];
      if (!Array.isArray(contexts) || contexts.some((c) => typeof c !== 'string')) fail(at, 'bad_field', '"CONTEXTS" must be a list of strings');
      const decision = str(o, 'final_decision', at).toLowerCase();
      const k = ['yes', 'no', 'maybe'].indexOf(decision);
      if (k === -1) fail(at, 'bad_answer', `final_decision ${JSON.stringify(decision)} is not yes, no or maybe`);
      return { question: str(o, 'QUESTION', at), context: (contexts as string[]).join(' '), options: YES_NO_MAYBE, gold: [YES_NO_MAYBE[k]!.label] };
    }
    case 'headqa': {
      const answers = o['answers'];
      if (!Array.isArray(answers)) fail(at, 'bad_options', '"answers" must be a list');
      const sorted = (answers as unknown[]).map((a) => object(a, at, 'answer')).sort((a, b) => Number(a['aid']) - Number(b['aid']));
      const options = listOptions(
        sorted.map((a) => a['atext']),
        at,
      );
      const ra = Number(o['ra']);
      const k = sorted.findIndex((a) => Number(a['aid']) === ra);
      if (k === -1) fail(at, 'bad_answer', `"ra" ${JSON.stringify(o['ra'])} is no answer's aid`);
      return { question: str(o, 'qtext', at), options, gold: [options[k]!.label] };
    }
    case 'frenchmedmcqa': {
      const options = letterOptions(object(o['answers'], at, '"answers"'), at);
      const correct = o['correct_answers'];
      if (!Array.isArray(correct) || correct.some((c) => typeof c !== 'string')) fail(at, 'bad_answer', '"correct_answers" must be a list of letters');
      return { question: str(o, 'question', at), options, gold: goldLetters((correct as string[]).join(''), options, at) };
    }
    case 'cmb-single': {
      const options = letterOptions(object(o['option'], at, '"option"'), at);
      return { question: str(o, 'question', at), options, gold: goldLetters(str(o, 'answer', at), options, at) };
    }
    default:
      return fail(at, 'bad_format', `${format} is a CSV format, not JSON`);
  }
}

const CMEXAM_OPTION = /^([A-Z])\s*[.、:：]?\s*(.*)$/;

/** Maps one CSV row of a format (header rows are skipped by the reader) to item content. */
export function parseOriginalCsv(format: OriginalFormat, row: readonly string[], at: RecordLocation): Parsed {
  const need = (n: number) => {
    if (row.length < n) fail(at, 'bad_row', `expected at least ${n} columns, got ${row.length}`);
  };
  switch (format) {
    case 'mmlu-medical':
    case 'mmlu-medical-ar':
    case 'mmlu-medical-hi': {
      need(6);
      const options = listOptions(row.slice(1, 5), at);
      return { question: row[0]!, options, gold: goldLetters(row[5]!, options, at) };
    }
    case 'cmmlu-medical': {
      need(7);
      const options = listOptions(row.slice(2, 6), at);
      return { question: row[1]!, options, gold: goldLetters(row[6]!, options, at) };
    }
    case 'cmexam': {
      need(3);
      const options = row[1]!
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '')
        .map((l, i) => {
          const m = CMEXAM_OPTION.exec(l);
          if (!m || m[1] !== String.fromCharCode(65 + i)) fail(at, 'bad_options', `option line ${JSON.stringify(l)} is not "${String.fromCharCode(65 + i)} text"`);
          return { label: m[1]!, text: m[2]!.trim() };
        });
      if (options.length < 2) fail(at, 'bad_options', 'fewer than two options');
      return { question: row[0]!, options, gold: goldLetters(row[2]!, options, at) };
    }
    default:
      return fail(at, 'bad_format', `${format} is a JSON format, not CSV`);
  }
}

/** The format's source key (`medmcqa-hf` is MedMCQA). */
export function formatSource(format: OriginalFormat): string {
  return format === 'medmcqa-hf' ? 'medmcqa' : format;
}

/**
 * The unified format's rendering of options, `(A) text.` per line: XMedBench ends each option
 * with a period (even after one, as HEAD-QA's `..` shows), except the Arabic and Hindi MMLU
 * translations. (English MMLU items in XMedBench mostly have the period, a few do not: those
 * few come out with one here.)
 */
export function renderOptions(source: string, options: readonly ItemOption[]): string {
  return options.map((o) => `(${o.label}) ${o.text}${optionEnd(source)}`).join('\n');
}

function optionEnd(source: string): string {
  return source === 'mmlu-medical-ar' || source === 'mmlu-medical-hi' ? '' : '.';
}

/** Item content -> the one item schema, as the unified reader would have built it from the XMedBench file. */
export function originalToItem(format: OriginalFormat, p: Parsed, file: string, index: number): Omit<XMedBenchItem, 'id'> {
  const source = formatSource(format);
  const optionsText = renderOptions(source, p.options);
  // The unified format keeps option texts with their period; so does the item schema.
  const options = p.options.map((o) => ({ label: o.label, text: o.text + optionEnd(source) }));
  const base = {
    source,
    language: sourceInfo(source)!.language,
    question: p.question,
    ...(p.context ? { context: p.context } : {}),
    options,
    optionsText,
    answerText: `(${p.gold.join('')})`,
    gold: p.gold,
  };
  return { ...base, hash: itemHash(base), file, index };
}

async function firstNonSpace(file: string): Promise<string | undefined> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(256);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return /[^\s\uFEFF]/.exec(buf.subarray(0, bytesRead).toString('utf8'))?.[0];
  } finally {
    await fh.close();
  }
}

/** Streams the items of one file in an original format. A malformed record throws with file and index (or line). */
export async function* readOriginalFile(format: OriginalFormat, file: string): AsyncGenerator<Omit<XMedBenchItem, 'id'>> {
  let index = 0;
  if (format === 'mmlu-medical' || format === 'mmlu-medical-ar' || format === 'mmlu-medical-hi' || format === 'cmmlu-medical' || format === 'cmexam') {
    const hasHeader = format !== 'mmlu-medical' && format !== 'mmlu-medical-ar' && format !== 'mmlu-medical-hi';
    let first = true;
    for await (const { row, line } of readCsvRows(file)) {
      if (first && hasHeader) {
        first = false;
        continue;
      }
      first = false;
      yield originalToItem(format, parseOriginalCsv(format, row, { file, line }), file, index++);
    }
    return;
  }
  if (format === 'pubmedqa' || format === 'headqa') {
    // Both are single JSON documents of a few MB (PubMedQA keyed by PMID, HEAD-QA grouped by exam).
    const doc = JSON.parse(await readFile(file, 'utf8')) as unknown;
    let records: unknown[];
    if (format === 'pubmedqa') records = Object.values(object(doc, { file }, 'PubMedQA file'));
    else if (Array.isArray(doc)) records = doc;
    else {
      const exams = object(object(doc, { file }, 'HEAD-QA file')['exams'], { file }, '"exams"');
      records = Object.values(exams).flatMap((e) => {
        const data = object(e, { file }, 'exam')['data'];
        if (!Array.isArray(data)) fail({ file }, 'bad_field', 'an exam has no "data" list');
        return data as unknown[];
      });
    }
    for (const r of records) {
      yield originalToItem(format, parseOriginalJson(format, r, { file, record: index }), file, index);
      index++;
    }
    return;
  }
  // MedQA and MedMCQA ship JSON lines (MedMCQA's as .json); the others JSON arrays: look.
  if ((await firstNonSpace(file)) !== '[') {
    for await (const rec of readJsonLines(file)) {
      if ('problem' in rec) throw new RecordError({ ...rec.problem, at: { file, line: rec.line } });
      yield originalToItem(format, parseOriginalJson(format, rec.value, { file, line: rec.line }), file, index++);
    }
    return;
  }
  for await (const rec of readJsonArray(file)) {
    if ('problem' in rec) throw new RecordError({ ...rec.problem, at: { file, record: rec.record } });
    yield originalToItem(format, parseOriginalJson(format, rec.value, { file, record: rec.record }), file, index++);
  }
}
