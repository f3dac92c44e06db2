// Builds the labelled near-duplicate evaluation set of the dedupe stage, deterministically, from
// real medical text: the Apollo training samples (en, zh), XMedBench dev questions with their
// options (all languages that have them) and the pipeline sample texts (pipelines/samples/<lang>).
// Positives: a document and a copy made by realistic edits; negatives: a document and the most
// similar other document of its language (same topic, shared vocabulary, not a copy).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { traditionalToSimplifiedTable, type EvalPair } from '@apollo/dedupe';
import { seededRandom } from '@apollo/document';

export const EVAL_LANGS = ['en', 'zh', 'es', 'fr', 'ar', 'hi'] as const;

export interface EvalSetOptions {
  /** Folder with apollo-train-samples/ and xmedbench-dev/. Default /work/shared/data. */
  dataDir: string;
  /** Folder with <lang>/ sample texts. Default pipelines/samples. */
  samplesDir: string;
  /** Positive and negative pairs per language (at most). Default 40 each. */
  perLang: number;
  /** Longest document text, in characters (cut at a sentence end). Default 1200. */
  maxChars: number;
  seed: number;
}

export const DEFAULT_EVALSET_OPTIONS: EvalSetOptions = { dataDir: '/work/shared/data', samplesDir: 'pipelines/samples', perLang: 40, maxChars: 1200, seed: 20260101 };


const SENTENCE_END = /(?<=[.!?。！？؟।])\s*/u;

export function sentences(text: string): string[] {
  return text
    .split(SENTENCE_END)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function joinerOf(lang: string): string {
  return lang === 'zh' ? '' : ' ';
}

function cap(text: string, lang: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const out: string[] = [];
  let n = 0;
  for (const s of sentences(text)) {
    if (n + s.length > maxChars && out.length > 0) break;
    out.push(s);
    n += s.length + 1;
  }
  return out.join(joinerOf(lang));
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? filesUnder(p) : [p];
    });
}

/** Texts of one language, in a fixed order, deduplicated. */
export function loadPool(lang: string, o: EvalSetOptions): string[] {
  const texts: string[] = [];
  const strings = (v: unknown): string[] => {
    if (typeof v === 'string') return [v];
    if (Array.isArray(v)) {
      // [question, answer] pairs: the answer is the document, the two together another.
      if (v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') return [v[1], `${v[0]}\n${v[1]}`];
      return v.flatMap(strings);
    }
    if (v && typeof v === 'object') {
      const r = v as Record<string, unknown>;
      if (typeof r.text === 'string') return [r.text];
      if (typeof r.question === 'string') return [`${r.question}\n${typeof r.options === 'string' ? r.options : ''}`.trim()];
    }
    return [];
  };
  if (lang === 'en' || lang === 'zh') {
    for (const kind of ['Guideline', 'Wiki', 'Book', 'Web', 'Paper']) {
      const v = readJson(join(o.dataDir, 'apollo-train-samples', `Medical_${kind}_${lang}_sampled.json`));
      if (Array.isArray(v)) texts.push(...v.slice(0, 25).flatMap((x) => (Array.isArray(x) && typeof x[1] === 'string' ? [x[1]] : strings(x))));
    }
  }
  const bench = readJson(join(o.dataDir, 'xmedbench-dev', `${lang}.json`));
  // Three consecutive questions (with options) of one benchmark make a quiz page: single
  // questions are shorter than the documents a corpus holds.
  if (Array.isArray(bench)) {
    const items = bench.slice(0, 90).flatMap(strings);
    for (let i = 0; i < items.length; i += 3) texts.push(items.slice(i, i + 3).join('\n\n'));
  }
  for (const f of filesUnder(join(o.samplesDir, lang))) {
    if (f.endsWith('.txt')) texts.push(readFileSync(f, 'utf8'));
    else if (f.endsWith('.json')) texts.push(...strings(readJson(f)));
    else if (f.endsWith('.jsonl')) for (const l of readFileSync(f, 'utf8').split('\n')) if (l.trim()) texts.push(...strings(JSON.parse(l) as unknown));
  }
  const minChars = lang === 'zh' ? 60 : 150;
  const seen = new Set<string>();
  const out: string[] = [];
  for (const t of texts) {
    const c = cap(t.trim(), lang, o.maxChars);
    if (c.length < minChars || seen.has(c)) continue;
    seen.add(c);
    out.push(c);
  }
  return out;
}

const BOILERPLATE: Record<string, [string, string]> = {
  en: ['Home > Health A-Z > Conditions | Share | Print', 'Last reviewed by our medical team. This page is for information only and does not replace advice from your doctor. © 2025 HealthSite. All rights reserved.'],
  zh: ['首页 > 健康百科 > 疾病 | 分享 | 打印', '本文仅供参考，不能代替医生的诊断和治疗建议。版权所有，未经许可不得转载。'],
  es: ['Inicio > Salud A-Z > Enfermedades | Compartir | Imprimir', 'Revisado por nuestro equipo médico. Esta información no sustituye la consulta con su médico. © 2025 SaludWeb. Todos los derechos reservados.'],
  fr: ['Accueil > Santé A-Z > Maladies | Partager | Imprimer', "Relu par notre équipe médicale. Ces informations ne remplacent pas l'avis de votre médecin. © 2025 SantéWeb. Tous droits réservés."],
  ar: ['الرئيسية > الصحة من الألف إلى الياء > الأمراض | مشاركة | طباعة', 'راجعه فريقنا الطبي. هذه المعلومات لا تغني عن استشارة الطبيب. جميع الحقوق محفوظة 2025.'],
  hi: ['होम > स्वास्थ्य > रोग | साझा करें | प्रिंट करें', 'हमारी चिकित्सा टीम द्वारा समीक्षित। यह जानकारी डॉक्टर की सलाह का विकल्प नहीं है। सर्वाधिकार सुरक्षित 2025।'],
};

/** Light paraphrase: common words and their synonyms (both directions are tried). */
const SYNONYMS: Record<string, [string, string][]> = {
  en: [['patients', 'people'], ['doctor', 'physician'], ['disease', 'illness'], ['treatment', 'therapy'], ['symptoms', 'signs'], ['common', 'frequent'], ['important', 'essential'], ['reduce', 'lower'], ['use', 'employ'], ['help', 'assist'], ['risk', 'chance'], ['medicine', 'drug']],
  zh: [['患者', '病人'], ['医生', '大夫'], ['治疗', '医治'], ['症状', '表现'], ['重要', '关键'], ['常见', '多见'], ['需要', '需'], ['可以', '可'], ['进行', '开展'], ['药物', '药品']],
  es: [['pacientes', 'enfermos'], ['médico', 'doctor'], ['enfermedad', 'patología'], ['tratamiento', 'terapia'], ['síntomas', 'signos'], ['frecuente', 'común'], ['importante', 'fundamental'], ['reducir', 'disminuir']],
  fr: [['patients', 'malades'], ['médecin', 'docteur'], ['maladie', 'affection'], ['traitement', 'thérapie'], ['symptômes', 'signes'], ['fréquent', 'courant'], ['important', 'essentiel'], ['réduire', 'diminuer']],
  ar: [['المريض', 'العليل'], ['الطبيب', 'الدكتور'], ['المرض', 'الداء'], ['العلاج', 'المداواة'], ['الأعراض', 'العلامات'], ['مهم', 'ضروري'], ['شائع', 'منتشر']],
  hi: [['रोगी', 'मरीज'], ['डॉक्टर', 'चिकित्सक'], ['रोग', 'बीमारी'], ['उपचार', 'इलाज'], ['लक्षण', 'संकेत'], ['महत्वपूर्ण', 'जरूरी'], ['सामान्य', 'आम']],
};

type Edit = (text: string, lang: string, r: () => number, other: string) => string | undefined;

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)]!;
}

const EDITS: Record<string, Edit> = {
  // A sentence from another document of the language inserted at a random place.
  insert(text, lang, r, other) {
    const s = sentences(text);
    const add = sentences(other);
    if (add.length === 0) return undefined;
    s.splice(1 + Math.floor(r() * s.length), 0, pick(r, add));
    return s.join(joinerOf(lang));
  },
  // One sentence deleted (texts of three or more sentences).
  delete(text, lang, r) {
    const s = sentences(text);
    if (s.length < 3) return undefined;
    s.splice(Math.floor(r() * s.length), 1);
    return s.join(joinerOf(lang));
  },
  // Paragraphs (halves at a sentence boundary) swapped.
  reorder(text, lang) {
    const s = sentences(text);
    if (s.length < 4) return undefined;
    const mid = Math.floor(s.length / 2);
    return `${s.slice(mid).join(joinerOf(lang))}\n\n${s.slice(0, mid).join(joinerOf(lang))}`;
  },
  boilerplate(text, lang) {
    const [head, foot] = BOILERPLATE[lang]!;
    return `${head}\n\n${text}\n\n${foot}`;
  },
  // Line breaks, spacing, case and full-width punctuation: what copying between sites does.
  reformat(text, lang) {
    const s = sentences(text).map((x, i) => (i % 3 === 0 ? x.toUpperCase() : x));
    const out = s.join(lang === 'zh' ? '\n' : '\n  ');
    return lang === 'zh' ? out.replace(/，/gu, ',').replace(/：/gu, ':') : out.replace(/, /gu, ' , ');
  },
  // zh: simplified -> traditional characters; others: synonym swaps carry the paraphrase.
  traditional(text, lang) {
    if (lang !== 'zh') return undefined;
    const reverse = new Map<string, string>();
    for (const [cp, simp] of traditionalToSimplifiedTable()) if (!reverse.has(simp)) reverse.set(simp, String.fromCodePoint(cp));
    const out = [...text].map((c) => reverse.get(c) ?? c).join('');
    return out === text ? undefined : out;
  },
  // Up to three synonym swaps.
  paraphrase(text, lang, r) {
    let out = text;
    let swaps = 0;
    const pairs = [...SYNONYMS[lang]!].sort(() => r() - 0.5);
    for (const [a, b] of pairs) {
      if (swaps >= 3) break;
      const from = out.includes(a) ? a : out.includes(b) ? b : undefined;
      if (!from) continue;
      out = out.replace(from, from === a ? b : a);
      swaps++;
    }
    return swaps > 0 ? out : undefined;
  },
};

/** Most shared vocabulary (overlap coefficient) a negative pair may have. */
const NEGATIVE_MAX_OVERLAP = 0.6;

/** Word (or character, for zh) sets for choosing same-topic negatives. */
function tokenSet(text: string, lang: string): Set<string> {
  const t = text.toLowerCase();
  if (lang === 'zh') {
    const out = new Set<string>();
    const chars = [...t.replace(/[^\u4e00-\u9fff]/gu, '')];
    for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i]! + chars[i + 1]!);
    return out;
  }
  return new Set(t.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 3));
}

function overlap(a: Set<string>, b: Set<string>): number {
  let n = 0;
  for (const x of a) if (b.has(x)) n++;
  return n / Math.max(1, Math.min(a.size, b.size));
}

/**
 * The evaluation pairs of one language: positives cycle through the edit kinds (one edit, or
 * two combined for every third pair); negatives pair each document with its most similar other
 * document (by shared words, or character bigrams for Chinese), skipping pairs where one
 * contains the other or that share so much vocabulary that they are versions of one text.
 */
export function languagePairs(lang: string, pool: string[], o: EvalSetOptions): EvalPair[] {
  const r = seededRandom(o.seed ^ [...lang].reduce((h, c) => Math.imul(h, 31) + c.charCodeAt(0), 7));
  const kinds = Object.keys(EDITS).filter((k) => k !== 'traditional' || lang === 'zh');
  const pairs: EvalPair[] = [];
  let attempts = 0;
  let positives = 0;
  while (positives < o.perLang && attempts < o.perLang * 20 && pool.length > 1) {
    const i = attempts % pool.length;
    const a = pool[i]!;
    const other = pool[(i + 1 + Math.floor(r() * (pool.length - 1))) % pool.length]!;
    const first = kinds[attempts % kinds.length]!;
    const chain = attempts % 3 === 2 ? [first, pick(r, kinds.filter((k) => k !== first))] : [first];
    attempts++;
    let b: string | undefined = a;
    for (const k of chain) b = b === undefined ? undefined : EDITS[k]!(b, lang, r, other);
    if (b === undefined || b === a) continue;
    pairs.push({ lang, label: 1, edit: chain.join('+'), a, b });
    positives++;
  }
  const sets = pool.map((t) => tokenSet(t, lang));
  const candidates: { i: number; j: number; score: number }[] = [];
  for (let i = 0; i < pool.length; i++) {
    let best = -1;
    let bestScore = -1;
    for (let j = 0; j < pool.length; j++) {
      if (j === i || pool[i]!.includes(pool[j]!) || pool[j]!.includes(pool[i]!)) continue;
      const s = overlap(sets[i]!, sets[j]!);
      // The sources hold a few versions of one text (a guideline with and without its title
      // and last sentence): such pairs are duplicates, not negatives.
      if (s >= NEGATIVE_MAX_OVERLAP) continue;
      if (s > bestScore) {
        best = j;
        bestScore = s;
      }
    }
    if (best >= 0) candidates.push({ i, j: best, score: bestScore });
  }
  candidates.sort((x, y) => y.score - x.score || x.i - y.i);
  const used = new Set<string>();
  for (const c of candidates) {
    if (pairs.length - positives >= o.perLang) break;
    const key = [Math.min(c.i, c.j), Math.max(c.i, c.j)].join(',');
    if (used.has(key)) continue;
    used.add(key);
    pairs.push({ lang, label: 0, edit: 'same-topic', a: pool[c.i]!, b: pool[c.j]! });
  }
  return pairs;
}

/** The whole evaluation set, language by language. */
export function buildNearDupEvalSet(options: Partial<EvalSetOptions> = {}): EvalPair[] {
  const o = { ...DEFAULT_EVALSET_OPTIONS, ...options };
  return EVAL_LANGS.flatMap((lang) => languagePairs(lang, loadPool(lang, o), o));
}
