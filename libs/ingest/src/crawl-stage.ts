import { DOC_KINDS, type DocItem, type DocKind, isSourceType, SOURCE_TYPES, type SourceType, TRAINING_STAGES, type TrainingStage } from '@apollo/document';
import { createLogger, type DocStep, docPhase, type Logger, parseInteger, type PipelineFile, type StageApp, type StageOptions, type TaskRuntime, type TaskSpec } from '@apollo/stage';
import type { Command } from 'commander';
import { crawlSite } from './crawler/crawl';
import { type CrawlerOptions, DEFAULT_CRAWLER_OPTIONS, parseCrawlerOptions } from './crawler/options';
import { readSiteFile, type SiteFile } from './crawler/registry';
import { Fetcher } from './fetch';
import { DEFAULT_FETCH_OPTIONS, DEFAULT_READ_LIMITS, type FetchOptions, type ReadLimits } from './options';
import { READERS, type ReadContext } from './readers';
import { type FileSpec, resolveInputFiles, resolveSourceFiles } from './source-files';
import { INPUT_FORMATS, type InputFormat, LANG_TAG, parseSourceSpecs } from './source-spec';

/** Configuration of a crawl run: plain data, recorded in run.json and sent to worker threads. */
export interface CrawlConfig {
  /** Every input file with its resolved spec, sorted by path; the stage's inputs in this order. */
  files: FileSpec[];
  limits: ReadLimits;
  fetch: FetchOptions;
  /** Web crawl mode (`--sources`): the registry files, one task each, in place of `files`. */
  sites?: SiteFile[];
  /** Crawler options (web crawl mode only). */
  crawler?: CrawlerOptions;
}

/** Defaults of ad-hoc `--input` runs for files whose names say nothing. */
export const INPUT_DEFAULTS = { source: 'web' as SourceType, stage: 'pretrain' as TrainingStage };

const SECTION_FIELDS = new Set(['maxChars', 'maxFileBytes', 'fetch', 'crawler']);
const FETCH_FIELDS = Object.keys(DEFAULT_FETCH_OPTIONS) as (keyof FetchOptions)[];

function positiveInt(value: unknown, name: string): number {
  if (!Number.isInteger(value) || (value as number) < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(value)}`);
  return value as number;
}

function pick<T>(cli: T | undefined, section: unknown, fallback: T): T | unknown {
  return cli !== undefined ? cli : section !== undefined ? section : fallback;
}

/** Reads limits and fetch options: command line, then the pipeline's `stages.crawl` section, then defaults. */
export function crawlSettings(opts: StageOptions, section: Record<string, unknown>, where = 'stages.crawl'): { limits: ReadLimits; fetch: FetchOptions } {
  for (const key of Object.keys(section)) {
    if (!SECTION_FIELDS.has(key)) throw new Error(`${where}: unknown field "${key}" (allowed: ${[...SECTION_FIELDS].join(', ')})`);
  }
  const fetchSection = (section.fetch ?? {}) as Record<string, unknown>;
  if (fetchSection === null || typeof fetchSection !== 'object' || Array.isArray(fetchSection)) throw new Error(`${where}.fetch must be an object`);
  for (const key of Object.keys(fetchSection)) {
    if (!(FETCH_FIELDS as string[]).includes(key)) throw new Error(`${where}.fetch: unknown field "${key}" (allowed: ${FETCH_FIELDS.join(', ')})`);
  }
  const limits: ReadLimits = {
    maxChars: positiveInt(pick(opts.maxChars as number | undefined, section.maxChars, DEFAULT_READ_LIMITS.maxChars), 'maxChars'),
    maxFileBytes: positiveInt(pick(opts.maxFileBytes as number | undefined, section.maxFileBytes, DEFAULT_READ_LIMITS.maxFileBytes), 'maxFileBytes'),
  };
  const cliFetch: Partial<Record<keyof FetchOptions, unknown>> = {
    userAgent: opts.userAgent,
    totalTimeoutMs: opts.fetchTimeout,
    maxBytes: opts.maxFetchBytes,
    maxRedirects: opts.maxRedirects,
    concurrency: opts.fetchConcurrency,
    perHostConcurrency: opts.perHostConcurrency,
  };
  const fetch = { ...DEFAULT_FETCH_OPTIONS };
  for (const key of FETCH_FIELDS) {
    const value = pick(cliFetch[key], fetchSection[key], DEFAULT_FETCH_OPTIONS[key]);
    if (key === 'userAgent') {
      if (typeof value !== 'string' || value.trim().length === 0) throw new Error(`${where}.fetch.userAgent must be a non-empty string`);
      fetch.userAgent = value;
    } else if (key === 'maxRedirects') {
      if (!Number.isInteger(value) || (value as number) < 0) throw new Error(`maxRedirects must be an integer >= 0, got ${JSON.stringify(value)}`);
      fetch.maxRedirects = value as number;
    } else {
      fetch[key] = positiveInt(value, key);
    }
  }
  return { limits, fetch };
}

function cliChoice<T extends string>(value: unknown, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new Error(`${flag} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

/** Builds the crawl configuration from the command line and the pipeline file. */
export async function configureCrawl(opts: StageOptions, section: Record<string, unknown>, pipeline: PipelineFile | undefined): Promise<CrawlConfig> {
  const where = opts.config ? `${opts.config}: stages.crawl` : 'stages.crawl';
  const settings = crawlSettings(opts, section, where);
  const crawlerSection = parseCrawlerOptions(section.crawler, `${where}.crawler`);
  let files: FileSpec[];
  const siteFiles = opts.sources as string[] | undefined;
  if (siteFiles && siteFiles.length > 0) {
    const sites: SiteFile[] = [];
    for (const file of [...siteFiles].sort()) sites.push(await readSiteFile(file));
    const ids = new Set<string>();
    for (const site of sites) {
      for (const s of site.sources) {
        // Each source owns a state folder: two sources with one id would share (and corrupt) it.
        if (ids.has(s.id)) throw new Error(`${site.file}: source id "${s.id}" is also used in another registry file`);
        ids.add(s.id);
      }
    }
    const cli: Partial<CrawlerOptions> = {
      ...(opts.stateDir !== undefined ? { stateDir: opts.stateDir as string } : {}),
      ...(opts.delay !== undefined ? { delayMs: opts.delay as number } : {}),
      ...(opts.maxRetries !== undefined ? { maxRetries: opts.maxRetries as number } : {}),
      ...(opts.maxPages !== undefined ? { maxPagesCap: opts.maxPages as number } : {}),
      ...(opts.allowPrivateHosts ? { allowPrivateHosts: true } : {}),
      ...(opts.fetchConcurrency !== undefined ? { concurrency: opts.fetchConcurrency as number } : {}),
      ...(opts.perHostConcurrency !== undefined ? { perHostConcurrency: opts.perHostConcurrency as number } : {}),
    };
    return { files: [], ...settings, sites, crawler: { ...DEFAULT_CRAWLER_OPTIONS, ...crawlerSection, ...cli } };
  }
  if (opts.input && opts.input.length > 0) {
    if (opts.source !== undefined && !isSourceType(opts.source)) throw new Error(`--source must be one of ${SOURCE_TYPES.join(', ')}, got ${JSON.stringify(opts.source)}`);
    const source = opts.source as SourceType | undefined;
    const stage = cliChoice<TrainingStage>(opts.stage, TRAINING_STAGES, '--stage');
    const kind = cliChoice<DocKind>(opts.kind, DOC_KINDS, '--kind');
    const format = cliChoice<InputFormat>(opts.format, INPUT_FORMATS, '--format') ?? 'auto';
    const lang = opts.lang as string | undefined;
    if (lang !== undefined && !LANG_TAG.test(lang)) throw new Error(`--lang must be a language code such as "en", got ${JSON.stringify(lang)}`);
    files = await resolveInputFiles(
      opts.input,
      { format, ...(source ? { source } : {}), ...(stage ? { stage } : {}), ...(kind ? { kind } : {}), ...(lang ? { lang } : {}) },
      INPUT_DEFAULTS,
    );
  } else if (pipeline && opts.config) {
    if (pipeline.sources === undefined) throw new Error(`${opts.config}: no "sources" list to crawl (or give --input)`);
    files = await resolveSourceFiles(parseSourceSpecs(pipeline.sources, opts.config), opts.config);
  } else {
    throw new Error('crawl needs --config <pipeline file> with a "sources" list, or --input <files or folders>');
  }
  return { files, ...settings };
}

/**
 * Reads one input file with the reader of its format. A URL list gets its own fetcher, closed
 * when the list is done.
 */
export async function* readSourceFile(spec: FileSpec, config: CrawlConfig, createdAt: string): AsyncGenerator<DocItem> {
  const limits = spec.maxChars ? { ...config.limits, maxChars: spec.maxChars } : config.limits;
  const ctx: ReadContext = { spec, createdAt, limits };
  if (spec.format !== 'urls') {
    yield* READERS[spec.format](spec.file, ctx);
    return;
  }
  const fetcher = new Fetcher(config.fetch);
  try {
    yield* READERS.urls(spec.file, { ...ctx, fetcher });
  } finally {
    await fetcher.close();
  }
}

/** Task runtimes by task, so that a crawl's reader logs through the runtime's logger. */
const runtimes = new WeakMap<TaskSpec<CrawlConfig>, TaskRuntime>();

/** Crawls the sources of one registry file, one after another. */
export async function* crawlSiteFile(site: SiteFile, task: TaskSpec<CrawlConfig>, log: Logger): AsyncGenerator<DocItem> {
  const { config } = task;
  if (!config.crawler) throw new Error('web crawl without crawler options');
  for (const source of site.sources) {
    yield* crawlSite(source, {
      file: site.file,
      run: task.runStartedAt,
      createdAt: task.runStartedAt,
      output: task.output,
      fetch: config.fetch,
      crawler: config.crawler,
      limits: config.limits,
      log,
    });
  }
}

/** Documents were validated by the readers; the step only counts them per source. */
const passThrough: DocStep = async function* (docs, ctx) {
  for await (const doc of docs) {
    ctx.count(`source.${doc.provenance.sourceId ?? 'unknown'}`);
    yield doc;
  }
};

function addOptions(cmd: Command): void {
  const int = (name: string, min = 1) => parseInteger(name, min);
  cmd
    .option('--format <format>', `format of --input files: ${INPUT_FORMATS.join(', ')} (default: auto, from each file name)`)
    .option('--source <type>', `source type of --input files whose names do not say (default: ${INPUT_DEFAULTS.source}): ${SOURCE_TYPES.join(', ')}`)
    .option('--stage <stage>', `training stage of --input files whose names do not say (default: ${INPUT_DEFAULTS.stage})`)
    .option('--kind <kind>', 'expected record kind of --input files: text or qa (default: the record decides)')
    .option('--lang <code>', 'declared language of --input files, stored as langHint')
    .option('--max-chars <n>', `largest document, in characters (default ${DEFAULT_READ_LIMITS.maxChars})`, int('--max-chars'))
    .option('--max-file-bytes <n>', `largest .txt/.html file read (default ${DEFAULT_READ_LIMITS.maxFileBytes})`, int('--max-file-bytes'))
    .option('--user-agent <text>', `User-Agent of URL fetches (default "${DEFAULT_FETCH_OPTIONS.userAgent}")`)
    .option('--fetch-timeout <ms>', `whole-request deadline of a URL fetch (default ${DEFAULT_FETCH_OPTIONS.totalTimeoutMs})`, int('--fetch-timeout'))
    .option('--max-fetch-bytes <n>', `largest fetched body (default ${DEFAULT_FETCH_OPTIONS.maxBytes})`, int('--max-fetch-bytes'))
    .option('--max-redirects <n>', `redirects followed (default ${DEFAULT_FETCH_OPTIONS.maxRedirects})`, int('--max-redirects', 0))
    .option('--fetch-concurrency <n>', `fetches in flight per task (default ${DEFAULT_FETCH_OPTIONS.concurrency})`, int('--fetch-concurrency'))
    .option('--per-host-concurrency <n>', `fetches in flight per host and task (default ${DEFAULT_FETCH_OPTIONS.perHostConcurrency}; web crawl ${DEFAULT_CRAWLER_OPTIONS.perHostConcurrency})`, int('--per-host-concurrency'))
    .option('--sources <files...>', 'web crawl: source registry files (pipelines/sources/*.json), one task each')
    .option('--state-dir <dir>', `web crawl: folder of the persistent crawl state (default ${DEFAULT_CRAWLER_OPTIONS.stateDir})`)
    .option('--delay <ms>', `web crawl: least time between requests to one host (default ${DEFAULT_CRAWLER_OPTIONS.delayMs}; a larger Crawl-delay wins)`, int('--delay', 0))
    .option('--max-pages <n>', 'web crawl: pages fetched per source and run at most, capping each source\'s scope.maxPages (a trial run)', int('--max-pages'))
    .option('--max-retries <n>', `web crawl: retries after network errors, 5xx and 429 (default ${DEFAULT_CRAWLER_OPTIONS.maxRetries})`, int('--max-retries', 0))
    .option('--allow-private-hosts', 'web crawl: allow hosts on private, loopback or link-local addresses (tests, intranets)');
}

/**
 * The first stage of the corpus pipeline: turns local sources (Apollo JSON arrays, JSONL, text,
 * HTML) and URL lists into validated documents, one task per input file.
 */
export const crawlStage: StageApp<CrawlConfig> = {
  name: 'crawl',
  summary: 'Ingest local sources (Apollo JSON, JSONL, text, HTML) and URL lists, or crawl web sources politely (--sources), into pipeline documents',
  options: addOptions,
  configure: configureCrawl,
  inputs: async (_opts, config) => (config.sites ? config.sites.map((s) => s.file) : config.files.map((f) => f.file)),
  phases: [
    docPhase<CrawlConfig>({
      name: 'docs',
      read: (task) => {
        const specs = new Map(task.config.files.map((f) => [f.file, f]));
        const sites = new Map((task.config.sites ?? []).map((s) => [s.file, s]));
        return (file) => {
          const site = sites.get(file);
          if (site) {
            const log = runtimes.get(task)?.log ?? createLogger({ stage: 'crawl', rank: task.rank });
            return crawlSiteFile(site, task, log);
          }
          const spec = specs.get(file);
          if (!spec) throw new Error(`${file}: not in the crawl configuration`);
          return readSourceFile(spec, task.config, task.runStartedAt);
        };
      },
      step: (task, rt) => {
        runtimes.set(task, rt);
        return passThrough;
      },
    }),
  ],
};
