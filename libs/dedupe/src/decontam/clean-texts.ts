import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, sep } from 'node:path';
import { LANGS } from '@apollo/document';

/** A text known not to be a benchmark item, in one of the six languages. */
export interface CleanText {
  lang: string;
  text: string;
  /** Where it was read: `<file>#<record>` (0-based record, or 1-based line for JSON lines). */
  origin: string;
}

const LANG_SET = new Set<string>(LANGS);
const READ = new Set(['.json', '.jsonl', '.txt']);

/** The language a path names: a folder named after it (`samples/es/...`), or `_<lang>_` / `_<lang>.` in the file name (the Apollo release's naming). */
function langOfPath(file: string): string | undefined {
  const name = basename(file);
  for (const l of LANGS) if (name.includes(`_${l}_`) || name.includes(`_${l}.`)) return l;
  const dirs = file.split(sep).slice(0, -1).reverse();
  return dirs.find((d) => LANG_SET.has(d));
}

/** The text of one record: a string, a list of turns (joined by line breaks), or an object's `text` or `turns`. */
function recordText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((t) => typeof t === 'string')) return value.join('\n');
  if (value && typeof value === 'object') {
    const o = value as { text?: unknown; turns?: unknown };
    return recordText(o.text ?? o.turns);
  }
  return undefined;
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${where}: not JSON (${(err as Error).message})`);
  }
}

function langField(value: unknown): unknown {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as { lang?: unknown }).lang : undefined;
}

function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => filesUnder(join(path, name)));
}

/**
 * Texts of the `.json` (array of strings, turn lists or objects with `text`), `.jsonl` (objects
 * with `text` or `turns`, and `lang` where the path names no language) and `.txt` files under
 * the given files and folders, in name order. Other files (HTML pages) are not read. A file
 * whose language cannot be told, or a record without text, is an error naming it.
 */
export function readCleanTexts(paths: readonly string[]): CleanText[] {
  const out: CleanText[] = [];
  for (const file of paths.flatMap(filesUnder)) {
    const ext = extname(file);
    if (!READ.has(ext)) continue;
    const pathLang = langOfPath(file);
    const add = (value: unknown, where: string, lang: unknown) => {
      const text = recordText(value);
      if (text === undefined) throw new Error(`${where}: no text (expected a string, a list of turns, or an object with "text" or "turns")`);
      const l = typeof lang === 'string' ? lang : pathLang;
      if (l === undefined || !LANG_SET.has(l)) throw new Error(`${where}: language not known (name a language folder, use the _<lang>_ file naming, or give "lang")`);
      if (text.trim() !== '') out.push({ lang: l, text, origin: where });
    };
    const content = readFileSync(file, 'utf8');
    if (ext === '.txt') add(content, file, undefined);
    else if (ext === '.json') {
      const parsed = parseJson(content, file);
      if (!Array.isArray(parsed)) throw new Error(`${file}: expected a JSON array`);
      parsed.forEach((v, i) => add(v, `${file}#${i}`, langField(v)));
    } else {
      content.split('\n').forEach((line, i) => {
        if (line.trim() === '') return;
        const v = parseJson(line, `${file}#${i + 1}`);
        add(v, `${file}#${i + 1}`, langField(v));
      });
    }
  }
  return out;
}
