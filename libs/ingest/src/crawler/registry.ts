import { readFile } from 'node:fs/promises';
import { isSourceType, type SourceType, TRAINING_STAGES, type TrainingStage } from '@apollo/document';
import { LANG_TAG } from '../source-spec';
import { type CrawlerOptions, DEFAULT_CRAWLER_OPTIONS, parseCrawlerOptions } from './options';
import { normalizeUrl, type ScopeRules } from './url';

/** One web source of the registry (`pipelines/sources/*.json`). */
export interface SiteSource {
  id: string;
  /** Declared language (the documents' `langHint` unless a page declares its own). */
  lang: string;
  source: SourceType;
  stage: TrainingStage;
  /** License or terms of use of the content, stored in every document's `meta.license`. */
  license: string;
  note?: string;
  /** Start pages (depth 0). */
  seeds: string[];
  /** Sitemaps or sitemap indexes whose pages are crawled (depth 0). */
  sitemaps: string[];
  scope: ScopeRules;
  /** Crawler options for this source only (e.g. a larger `delayMs`). */
  crawler?: Partial<CrawlerOptions>;
  /** Size cap of this source's documents, in characters. */
  maxChars?: number;
}

/** A registry file: a list of sources, one task of the crawl stage. */
export interface SiteFile {
  file: string;
  sources: SiteSource[];
}

const ID = /^[A-Za-z0-9._-]+$/;
const SOURCE_FIELDS = new Set(['id', 'lang', 'source', 'stage', 'license', 'note', 'seeds', 'sitemaps', 'scope', 'crawler', 'maxChars']);
const SCOPE_FIELDS = new Set(['hosts', 'include', 'exclude', 'maxDepth', 'maxPages']);

function strings(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.length === 0)) throw new Error(`${where} must be a list of non-empty strings`);
  return value as string[];
}

function urls(value: unknown, where: string): string[] {
  return strings(value, where).map((raw, i) => {
    const url = normalizeUrl(raw);
    if (!url) throw new Error(`${where}[${i}]: ${JSON.stringify(raw)} is not an absolute http(s) URL`);
    return url;
  });
}

/** Validates one source entry; errors name the file, the index and the id. */
export function parseSiteSource(value: unknown, where: string): SiteSource {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${where} must be an object`);
  const v = value as Record<string, unknown>;
  if (typeof v.id !== 'string' || !ID.test(v.id)) throw new Error(`${where}: "id" must be letters, digits, ".", "_" or "-"`);
  const at = `${where} (${v.id})`;
  for (const key of Object.keys(v)) if (!SOURCE_FIELDS.has(key)) throw new Error(`${at}: unknown field "${key}" (allowed: ${[...SOURCE_FIELDS].join(', ')})`);
  if (typeof v.lang !== 'string' || !LANG_TAG.test(v.lang)) throw new Error(`${at}: "lang" must be a language code such as "en"`);
  if (!isSourceType(v.source)) throw new Error(`${at}: "source" must be a source type such as "guideline", got ${JSON.stringify(v.source)}`);
  const stage = v.stage ?? 'pretrain';
  if (!(TRAINING_STAGES as readonly unknown[]).includes(stage)) throw new Error(`${at}: "stage" must be one of ${TRAINING_STAGES.join(', ')}`);
  if (typeof v.license !== 'string' || v.license.trim().length === 0) throw new Error(`${at}: "license" is required (the terms the content is used under)`);
  if (v.note !== undefined && typeof v.note !== 'string') throw new Error(`${at}: "note" must be a string`);
  const seeds = urls(v.seeds, `${at}: seeds`);
  const sitemaps = urls(v.sitemaps, `${at}: sitemaps`);
  if (seeds.length + sitemaps.length === 0) throw new Error(`${at}: needs at least one seed or sitemap`);
  const scopeIn = (v.scope ?? {}) as Record<string, unknown>;
  if (typeof scopeIn !== 'object' || Array.isArray(scopeIn)) throw new Error(`${at}: "scope" must be an object`);
  for (const key of Object.keys(scopeIn)) if (!SCOPE_FIELDS.has(key)) throw new Error(`${at}: scope: unknown field "${key}" (allowed: ${[...SCOPE_FIELDS].join(', ')})`);
  const defaultHosts = [...new Set([...seeds, ...sitemaps].map((u) => new URL(u).host))];
  const int = (x: unknown, name: string, fallback: number, min: number) => {
    if (x === undefined) return fallback;
    if (!Number.isInteger(x) || (x as number) < min) throw new Error(`${at}: scope.${name} must be an integer >= ${min}`);
    return x as number;
  };
  const scope: ScopeRules = {
    hosts: scopeIn.hosts === undefined ? defaultHosts : strings(scopeIn.hosts, `${at}: scope.hosts`).map((h) => h.toLowerCase()),
    include: strings(scopeIn.include, `${at}: scope.include`),
    exclude: strings(scopeIn.exclude, `${at}: scope.exclude`),
    maxDepth: int(scopeIn.maxDepth, 'maxDepth', 3, 0),
    maxPages: int(scopeIn.maxPages, 'maxPages', 1000, 1),
  };
  if (v.maxChars !== undefined && (!Number.isInteger(v.maxChars) || (v.maxChars as number) < 1)) throw new Error(`${at}: "maxChars" must be a positive integer`);
  const crawler = parseCrawlerOptions(v.crawler, `${at}: crawler`, DEFAULT_CRAWLER_OPTIONS);
  return {
    id: v.id,
    lang: v.lang,
    source: v.source,
    stage: stage as TrainingStage,
    license: v.license,
    ...(v.note !== undefined ? { note: v.note as string } : {}),
    seeds,
    sitemaps,
    scope,
    ...(Object.keys(crawler).length > 0 ? { crawler } : {}),
    ...(v.maxChars !== undefined ? { maxChars: v.maxChars as number } : {}),
  };
}

/** Reads and validates a registry file `{ "name"?, "note"?, "sources": [...] }`. */
export async function readSiteFile(file: string): Promise<SiteFile> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: cannot read source registry: ${(err as Error).message}`);
  }
  const obj = data as Record<string, unknown>;
  if (!obj || typeof obj !== 'object' || !Array.isArray(obj.sources)) throw new Error(`${file}: expected an object with a "sources" list`);
  for (const key of Object.keys(obj)) if (!['name', 'note', 'sources'].includes(key)) throw new Error(`${file}: unknown field "${key}" (allowed: name, note, sources)`);
  const sources = obj.sources.map((s, i) => parseSiteSource(s, `${file}: sources[${i}]`));
  const ids = new Set<string>();
  for (const s of sources) {
    if (ids.has(s.id)) throw new Error(`${file}: duplicate source id "${s.id}"`);
    ids.add(s.id);
  }
  return { file, sources };
}
