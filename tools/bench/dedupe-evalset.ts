// Builds the labelled near-duplicate evaluation set of the dedupe stage, deterministically, in two
// parts. Documents: real medical text of 150-1,200 characters (Apollo training samples for en and
// zh, XMedBench dev questions with their options, the pipeline sample texts), each with a copy made
// by document-level edits, and the most similar other document of its language. Short texts: real
// texts of 80-300 characters (40-300 for zh) in the six languages (patient forum posts and short
// answers of the Apollo samples, XMedBench dev items, passages of stored public pages listed in
// libs/dedupe/eval/short-web-texts.jsonl), each with a copy made by the edits short texts get when
// they are republished (keywords substituted, cut, wrapped in site chrome, converted between
// simplified and traditional Chinese by OpenCC), the hardest same-topic short non-duplicates, and
// pairs found as they are on the pages (libs/dedupe/eval/web-pairs.jsonl).
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
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
  /** Folder with short-web-texts.jsonl, web-pairs.jsonl and zh-opencc.jsonl. Default libs/dedupe/eval. */
  evalDir: string;
  /** Short-text positive and negative pairs per language (at most). Default 36 each. */
  shortPerLang: number;
  seed: number;
}

export const DEFAULT_EVALSET_OPTIONS: EvalSetOptions = {
  dataDir: '/work/shared/data',
  samplesDir: 'pipelines/samples',
  perLang: 40,
  maxChars: 1200,
  evalDir: 'libs/dedupe/eval',
  shortPerLang: 36,
  seed: 20260101,
};


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

/** A real short text and where it comes from. */
export interface ShortText {
  text: string;
  /** forum, qa-answer, exam-item, passage, leaflet, health-page, news, web-story. */
  genre: string;
  /** Dataset file and record, or page URL. */
  origin: string;
}

const SHORT_MAX = 300;

/** Shortest short text: 80 characters, 40 for Chinese (a Chinese character carries about a word). */
function shortMin(lang: string): number {
  return lang === 'zh' ? 40 : 80;
}

function readJsonl<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as T);
}

/**
 * The real short texts of one language, grouped by genre, each group in a seeded order, the
 * groups interleaved (so the first texts span every genre): patient questions from online
 * consultations (forum) and short answers of the Apollo samples (en, zh), XMedBench dev items
 * (question with options when that fits, else the question alone), and the page passages of
 * short-web-texts.jsonl.
 */
export function loadShortPool(lang: string, o: EvalSetOptions): ShortText[] {
  const found: ShortText[] = [];
  if (lang === 'en' || lang === 'zh') {
    const turns = (kind: string): unknown[] => {
      const v = readJson(join(o.dataDir, 'apollo-train-samples', `${kind}_${lang}_sampled.json`));
      return Array.isArray(v) ? v : [];
    };
    const take = (kind: string, turn: 0 | 1, genre: string) =>
      turns(kind).forEach((x, i) => {
        if (Array.isArray(x) && typeof x[turn] === 'string') found.push({ text: x[turn], genre, origin: `apollo-train-samples/${kind}_${lang}_sampled.json#${i}` });
      });
    take('Medical_Patient', 0, 'forum');
    take('General', 1, 'qa-answer');
    take('Medical_Exam', 1, 'qa-answer');
    for (const kind of ['Medical_Book', 'Medical_Wiki', 'Medical_Guideline', 'Medical_Paper']) take(kind, 1, 'passage');
  }
  const bench = readJson(join(o.dataDir, 'xmedbench-dev', `${lang}.json`));
  if (Array.isArray(bench)) {
    bench.forEach((item: Record<string, unknown>, i) => {
      if (typeof item.question !== 'string') return;
      const options = typeof item.options === 'string' ? item.options : typeof item.option === 'string' ? item.option : '';
      const whole = `${item.question}\n${options}`.trim();
      found.push({ text: whole.length <= SHORT_MAX ? whole : item.question, genre: 'exam-item', origin: `xmedbench-dev/${lang}.json#${i}` });
    });
  }
  for (const w of readJsonl<{ lang: string; genre: string; url: string; text: string }>(join(o.evalDir, 'short-web-texts.jsonl'))) {
    if (w.lang === lang) found.push({ text: w.text, genre: w.genre, origin: w.url });
  }
  const seen = new Set<string>();
  const groups = new Map<string, ShortText[]>();
  for (const t of found) {
    const text = t.text.trim();
    if (text.length < shortMin(lang) || text.length > SHORT_MAX || seen.has(text)) continue;
    seen.add(text);
    const g = groups.get(t.genre) ?? [];
    groups.set(t.genre, g);
    g.push({ ...t, text });
  }
  const r = seededRandom(o.seed ^ 0x5e0c7 ^ [...lang].reduce((h, c) => Math.imul(h, 31) + c.charCodeAt(0), 7));
  const lists = [...groups.keys()].sort().map((k) => shuffled(groups.get(k)!, r));
  const out: ShortText[] = [];
  for (let i = 0; lists.some((l) => i < l.length); i++) for (const l of lists) if (i < l.length) out.push(l[i]!);
  return out;
}

function shuffled<T>(list: T[], r: () => number): T[] {
  const a = [...list];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** Keywords spam copies put in place of a page's own (one per language and kind of spam). */
const SPAM_KEYWORDS: Record<string, string[]> = {
  en: ['cheap viagra', 'casino bonus', 'buy cialis online', 'payday loans', 'replica watches'],
  zh: ['代开发票', '网络赌场', '减肥药代购', '高仿手表', '快速贷款'],
  es: ['viagra barata', 'casino online', 'préstamos rápidos', 'relojes réplica'],
  fr: ['viagra pas cher', 'casino en ligne', 'crédit rapide', 'montres réplique'],
  ar: ['فياجرا رخيصة', 'كازينو اون لاين', 'قروض سريعة', 'ساعات مقلدة'],
  hi: ['सस्ता वियाग्रा', 'ऑनलाइन कैसीनो', 'तुरंत लोन', 'नकली घड़ियां'],
};

/** Site chrome around a republished passage: breadcrumbs and bylines above, share bars and credits below. */
const SHORT_CHROME: Record<string, { head: string[]; foot: string[] }> = {
  en: { head: ['Home › Health › Conditions', 'Posted by admin | 12 comments'], foot: ['Share this: Facebook Twitter WhatsApp', 'Source: Ministry of Health', 'Read more »'] },
  zh: { head: ['首页 > 健康 > 疾病', '发布时间：2023-05-12 来源：健康网'], foot: ['分享到：微信 微博 QQ空间', '来源：卫生健康委员会', '阅读全文>>'] },
  es: { head: ['Inicio › Salud › Enfermedades', 'Publicado por admin | 12 comentarios'], foot: ['Compartir: Facebook Twitter WhatsApp', 'Fuente: Ministerio de Salud', 'Leer más »'] },
  fr: { head: ['Accueil › Santé › Maladies', 'Publié par admin | 12 commentaires'], foot: ['Partager : Facebook Twitter WhatsApp', 'Source : ministère de la Santé', 'Lire la suite »'] },
  ar: { head: ['الرئيسية › صحة › أمراض', 'نشر بواسطة المدير | 12 تعليقا'], foot: ['شارك: فيسبوك تويتر واتساب', 'المصدر: وزارة الصحة', 'اقرأ المزيد »'] },
  hi: { head: ['होम › स्वास्थ्य › रोग', 'एडमिन द्वारा पोस्ट | 12 टिप्पणियां'], foot: ['शेयर करें: फेसबुक ट्विटर व्हाट्सएप', 'स्रोत: स्वास्थ्य मंत्रालय', 'और पढ़ें »'] },
};

const WORD = /[\p{L}\p{M}]+/gu;
const HAN_PAIR = /[\u4e00-\u9fff]{2}/gu;
// Particles and pronouns: a two-character sequence holding one is not a keyword.
const ZH_FUNCTION = /[的是了在和有我不也就都而及与或其这那你他她它吗呢吧]/u;

/**
 * A keyword-spam copy: one content word per 150 characters (one two-character word per 60 for
 * Chinese) replaced, every time it occurs, by a spam keyword. Content words are those of at
 * least 5 letters (4 in Arabic and Hindi), the most frequent first.
 */
function substitute(text: string, lang: string, r: () => number): string | undefined {
  const counts = new Map<string, number>();
  const words = lang === 'zh' ? [...text.matchAll(HAN_PAIR)].map((m) => m[0]).filter((w) => !ZH_FUNCTION.test(w)) : (text.match(WORD) ?? []).filter((w) => w.length >= (lang === 'ar' || lang === 'hi' ? 4 : 5));
  for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
  const ranked = [...counts.entries()].sort((x, y) => y[1] - x[1] || y[0].length - x[0].length || (x[0] < y[0] ? -1 : 1)).map(([w]) => w);
  const n = Math.max(1, Math.round(text.length / (lang === 'zh' ? 60 : 150)));
  if (ranked.length === 0) return undefined;
  let out = text;
  for (const w of ranked.slice(0, n)) {
    const spam = pick(r, SPAM_KEYWORDS[lang]!);
    out = lang === 'zh' ? out.split(w).join(spam) : out.replace(new RegExp(`(?<![\\p{L}\\p{M}])${w}(?![\\p{L}\\p{M}])`, 'gu'), spam);
  }
  return out === text ? undefined : out;
}

/** A cut copy (a snippet or a teaser): 60-95% of the text kept, cut at a word (zh: anywhere), an ellipsis added. */
function truncate(text: string, lang: string, r: () => number): string {
  let end = Math.floor(text.length * (0.6 + 0.35 * r()));
  if (lang !== 'zh') {
    const space = text.lastIndexOf(' ', end);
    if (space > text.length / 2) end = space;
  }
  return `${text.slice(0, end).trimEnd()}${r() < 0.5 ? '...' : '…'}`;
}

/** The passage with a breadcrumb or byline above and a share bar or credit below (or only one of them). */
function wrap(text: string, lang: string, r: () => number): string {
  const { head, foot } = SHORT_CHROME[lang]!;
  const form = Math.floor(r() * 3);
  const parts = [form !== 2 ? pick(r, head) : '', text, form !== 1 ? pick(r, foot) : ''];
  return parts.filter((p) => p.length > 0).join('\n');
}

/**
 * OpenCC's conversion of a text with one of its configurations, read from the committed cache
 * (zh-opencc.jsonl) or made by the `opencc` command and added to it, so the set can be rebuilt
 * without OpenCC once the cache holds every text it needs.
 */
function openCC(text: string, config: string, o: EvalSetOptions): string {
  const cache = join(o.evalDir, 'zh-opencc.jsonl');
  const hit = readJsonl<{ config: string; text: string; out: string }>(cache).find((e) => e.config === config && e.text === text);
  if (hit) return hit.out;
  let out: string;
  try {
    out = execFileSync('opencc', ['-c', `${config}.json`], { input: text, encoding: 'utf8' }).replace(/\n$/u, '');
  } catch (err) {
    throw new Error(`${cache} has no ${config} conversion of ${JSON.stringify(text.slice(0, 20))}... and the opencc command failed (${(err as Error).message}); install OpenCC (Debian: apt-get install opencc) to rebuild the set`);
  }
  appendFileSync(cache, JSON.stringify({ config, text, out }) + '\n');
  return out;
}

/**
 * The other-script copy of a Chinese text as sites publish them: simplified text converted to
 * Taiwan (s2twp: characters and Taiwan phrasing, 软件 -> 軟體) or Hong Kong (s2hk: 衞 and
 * other Hong Kong forms) traditional characters; traditional text converted to simplified (t2s).
 */
function traditionalCopy(text: string, index: number, o: EvalSetOptions): string | undefined {
  const simplified = openCC(text, 't2s', o);
  const out = simplified !== text ? simplified : openCC(text, index % 2 === 0 ? 's2twp' : 's2hk', o);
  return out === text ? undefined : out;
}

const SHORT_EDITS: Record<string, (text: string, lang: string, r: () => number, index: number, o: EvalSetOptions) => string | undefined> = {
  substitute: (text, lang, r) => substitute(text, lang, r),
  truncate: (text, lang, r) => truncate(text, lang, r),
  boilerplate: (text, lang, r) => wrap(text, lang, r),
  traditional: (text, lang, _r, index, o) => (lang === 'zh' ? traditionalCopy(text, index, o) : undefined),
};

/**
 * The short-text pairs of one language: positives cycle through the edit kinds over the pool's
 * first texts; negatives pair each text with its most similar other short text of the language
 * (shared words of more than 3 letters, character bigrams for zh), the most similar pairs
 * first, skipping pairs where one contains the other or that share 60% or more of their
 * vocabulary (versions of one text); then the pairs found as they are on the pages.
 */
export function shortPairs(lang: string, pool: ShortText[], o: EvalSetOptions): EvalPair[] {
  const r = seededRandom(o.seed ^ 0x51a7 ^ [...lang].reduce((h, c) => Math.imul(h, 31) + c.charCodeAt(0), 7));
  const kinds = Object.keys(SHORT_EDITS).filter((k) => k !== 'traditional' || lang === 'zh');
  const pairs: EvalPair[] = [];
  for (let i = 0, made = 0; i < pool.length && made < o.shortPerLang; i++) {
    const edit = kinds[made % kinds.length]!;
    const a = pool[i]!;
    const b = SHORT_EDITS[edit]!(a.text, lang, r, i, o);
    if (b === undefined || b === a.text) continue;
    pairs.push({ lang, label: 1, edit, a: a.text, b, origin: a.origin });
    made++;
  }
  const sets = pool.map((t) => tokenSet(t.text, lang));
  const candidates: { i: number; j: number; score: number }[] = [];
  for (let i = 0; i < pool.length; i++) {
    for (let j = i + 1; j < pool.length; j++) {
      const x = pool[i]!.text;
      const y = pool[j]!.text;
      if (x.includes(y) || y.includes(x)) continue;
      const s = overlap(sets[i]!, sets[j]!);
      if (s < NEGATIVE_MAX_OVERLAP) candidates.push({ i, j, score: s });
    }
  }
  candidates.sort((x, y) => y.score - x.score || x.i - y.i || x.j - y.j);
  const used = new Set<number>();
  let negatives = 0;
  for (const c of candidates) {
    if (negatives >= o.shortPerLang) break;
    // Each text in at most one negative, so the negatives are not one text against many.
    if (used.has(c.i) || used.has(c.j)) continue;
    used.add(c.i);
    used.add(c.j);
    pairs.push({ lang, label: 0, edit: 'same-topic', a: pool[c.i]!.text, b: pool[c.j]!.text, origin: `${pool[c.i]!.origin} ${pool[c.j]!.origin}` });
    negatives++;
  }
  for (const w of readJsonl<{ lang: string; kind: string; label: 0 | 1; urlA: string; a: string; urlB: string; b: string }>(join(o.evalDir, 'web-pairs.jsonl'))) {
    if (w.lang !== lang) continue;
    pairs.push({ lang, label: w.label, edit: w.kind, a: w.a, b: w.b, origin: `${w.urlA} ${w.urlB}`, ...(w.kind === 'paraphrase' ? { category: 'paraphrase' as const } : {}) });
  }
  return pairs;
}

/** The whole evaluation set: the document pairs language by language, then the short-text pairs. */
export function buildNearDupEvalSet(options: Partial<EvalSetOptions> = {}): EvalPair[] {
  const o = { ...DEFAULT_EVALSET_OPTIONS, ...options };
  return [...EVAL_LANGS.flatMap((lang) => languagePairs(lang, loadPool(lang, o), o)), ...EVAL_LANGS.flatMap((lang) => shortPairs(lang, loadShortPool(lang, o), o))];
}
