import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LANGS, seededRandom, type Lang } from '@apollo/document';

/** What the generator planted, to compare with what dedupe finds. */
export interface GeneratedCorpus {
  dir: string;
  files: string[];
  bytes: number;
  docs: number;
  exactDuplicates: number;
  nearDuplicates: number;
  perLanguage: Record<string, number>;
}


const SENTENCE_END: Record<Lang, RegExp> = {
  en: /(?<=[.?!])\s+/u,
  es: /(?<=[.?!])\s+/u,
  fr: /(?<=[.?!])\s+/u,
  zh: /(?<=[。！？；])/u,
  ar: /(?<=[.؟!])\s+/u,
  hi: /(?<=[।?!.])\s+/u,
};

function sentencesOf(lang: Lang, text: string): string[] {
  return text
    .split(SENTENCE_END[lang])
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter((s) => s.length >= (lang === 'zh' ? 8 : 25));
}

function collectStrings(value: unknown, out: string[]): void {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) collectStrings(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) collectStrings(v, out);
}

/**
 * Real medical sentences per language: the Apollo training samples (en, zh) and the XMedBench
 * dev questions and options (all six languages) from ../shared/data.
 */
export async function sentencePools(sharedData: string): Promise<Record<Lang, string[]>> {
  const pools = Object.fromEntries(LANGS.map((l) => [l, [] as string[]])) as Record<Lang, string[]>;
  const train = join(sharedData, 'apollo-train-samples');
  for (const name of await readdir(train)) {
    const lang = /_(en|zh)_/.exec(name)?.[1] as Lang | undefined;
    if (!lang) continue;
    const strings: string[] = [];
    collectStrings(JSON.parse(await readFile(join(train, name), 'utf8')), strings);
    for (const s of strings) pools[lang].push(...sentencesOf(lang, s));
  }
  for (const lang of LANGS) {
    const items = JSON.parse(await readFile(join(sharedData, 'xmedbench-dev', `${lang}.json`), 'utf8')) as Record<string, unknown>[];
    for (const item of items) {
      const strings: string[] = [];
      collectStrings([item.question, item.context, item.options], strings);
      for (const s of strings) pools[lang].push(...sentencesOf(lang, s.replace(/\([A-F]\)/g, ' ')));
    }
  }
  for (const lang of LANGS) pools[lang] = [...new Set(pools[lang])];
  return pools;
}

/** ApolloCorpora's language mix (REFERENCE.md), flattened so small languages still get real volume. */
const MIX: Record<Lang, number> = { en: 0.34, zh: 0.22, es: 0.12, fr: 0.11, ar: 0.1, hi: 0.11 };

function pickLang(r: number): Lang {
  let acc = 0;
  for (const lang of LANGS) {
    acc += MIX[lang];
    if (r < acc) return lang;
  }
  return 'en';
}

/**
 * Writes `files` JSONL files of raw records ({text, lang}) totalling about `targetBytes`:
 * documents of 400-6,000 characters composed from real sentences, 4% exact copies of earlier
 * documents and 4% near copies (a sentence dropped, one added, whitespace changed).
 */
export async function generateCorpus(options: { dir: string; targetBytes: number; files: number; seed: number; sharedData: string }): Promise<GeneratedCorpus> {
  const pools = await sentencePools(options.sharedData);
  const random = seededRandom(options.seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)]!;
  await mkdir(options.dir, { recursive: true });
  const perFile = options.targetBytes / options.files;
  const result: GeneratedCorpus = { dir: options.dir, files: [], bytes: 0, docs: 0, exactDuplicates: 0, nearDuplicates: 0, perLanguage: {} };
  const recent: { lang: Lang; sentences: string[] }[] = [];
  const joiner = (lang: Lang) => (lang === 'zh' ? '' : ' ');
  for (let f = 0; f < options.files; f++) {
    const lines: string[] = [];
    let bytes = 0;
    while (bytes < perFile) {
      const roll = random();
      let lang: Lang;
      let sentences: string[];
      if (roll < 0.04 && recent.length > 0) {
        ({ lang, sentences } = pick(recent));
        result.exactDuplicates++;
      } else if (roll < 0.08 && recent.length > 0) {
        const base = pick(recent);
        lang = base.lang;
        sentences = [...base.sentences];
        sentences.splice(Math.floor(random() * sentences.length), 1);
        sentences.splice(Math.floor(random() * sentences.length), 0, pick(pools[lang]));
        result.nearDuplicates++;
      } else {
        lang = pickLang(random());
        const target = 400 + Math.floor(random() ** 2 * 5600);
        sentences = [];
        let len = 0;
        // At least three sentences: single long sentences from the small pools (fr, ar) would
        // collide by chance and blur the planted duplicate counts.
        while (len < target || sentences.length < 3) {
          const s = pick(pools[lang]);
          sentences.push(s);
          len += s.length + 1;
        }
        if (recent.length < 2000) recent.push({ lang, sentences });
        else recent[Math.floor(random() * recent.length)] = { lang, sentences };
      }
      const line = JSON.stringify({ text: sentences.join(joiner(lang)), lang }) + '\n';
      lines.push(line);
      bytes += Buffer.byteLength(line);
      result.docs++;
      result.perLanguage[lang] = (result.perLanguage[lang] ?? 0) + 1;
    }
    const file = join(options.dir, `part-${String(f).padStart(5, '0')}.jsonl`);
    await writeFile(file, lines.join(''));
    result.files.push(file);
    result.bytes += bytes;
  }
  // Beside the folder, not in it: the folder is the crawl stage's input.
  await writeFile(`${options.dir}.json`, JSON.stringify(result, null, 2));
  return result;
}
