import { DOC_KINDS, type DocItem, type DocKind, isSourceType, SOURCE_TYPES, type SourceType, TRAINING_STAGES, type TrainingStage } from '@apollo/document';
import { createLogger, type DocStep, docPhase, type Logger, type PipelineFile, silentLogger, type StageApp, type StageOptions, type TaskRuntime, type TaskSpec } from '@apollo/stage';
import type { Command } from 'commander';
import { crawlSite, IncompleteSourceError } from './crawler/crawl';
import type { CrawlerOptions } from './crawler/options';
import { PoliteClient } from './crawler/polite-client';
import { readSiteFile, type SiteFile } from './crawler/registry';
import type { FetchOptions, ReadLimits } from './options';
import { CRAWL_SETTINGS, type CrawlSettings } from './settings';
import { READERS, type ReadContext } from './readers';
import { type FileSpec, resolveInputFiles, resolveSourceFiles } from './source-files';
import { INPUT_FORMATS, type InputFormat, LANG_TAG, parseSourceSpecs } from './source-spec';

/** Configuration of a crawl run: plain data, recorded in run.json and sent to worker threads. */
export interface CrawlConfig {
  /** Every input file with its resolved spec, sorted by path; the stage's inputs in this order. */
  files: FileSpec[];
  limits: ReadLimits;
  /** Limits of each HTTP request (web crawl and URL lists). */
  fetch: FetchOptions;
  /** Politeness, retries and robots.txt of every fetch (web crawl and URL lists); the web crawl's state and discovery. */
  crawler: CrawlerOptions;
  /** Web crawl mode (`--sources`): the registry files, one task each, in place of `files`. */
  sites?: SiteFile[];
}

/** Defaults of ad-hoc `--input` runs for files whose names say nothing. */
export const INPUT_DEFAULTS = { source: 'web' as SourceType, stage: 'pretrain' as TrainingStage };

function cliChoice<T extends string>(value: unknown, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new Error(`${flag} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

/** Builds the crawl configuration from its resolved settings, the command line and the pipeline file. */
export async function configureCrawl(settings: CrawlSettings, opts: StageOptions, pipeline: PipelineFile | undefined): Promise<CrawlConfig> {
  const limits: ReadLimits = { maxChars: settings.maxChars, maxFileBytes: settings.maxFileBytes };
  const { fetch, crawler } = settings;
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
    return { files: [], limits, fetch, crawler, sites };
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
      process.cwd(),
      opts.ignore ?? [],
    );
  } else if (pipeline?.file !== undefined) {
    if (pipeline.sources === undefined) throw new Error(`${pipeline.file}: no "sources" list to crawl (or give --input)`);
    files = await resolveSourceFiles(parseSourceSpecs(pipeline.sources, pipeline.file), pipeline.file, process.cwd(), opts.ignore ?? []);
  } else {
    throw new Error('crawl needs --config <pipeline file> with a "sources" list, or --input <files or folders>');
  }
  return { files, limits, fetch, crawler };
}

/**
 * Reads one input file with the reader of its format. A URL list gets its own HTTP client (the
 * crawler's: robots.txt, per-host politeness, retries), closed when the list is done.
 */
export async function* readSourceFile(spec: FileSpec, config: CrawlConfig, log: Logger = silentLogger): AsyncGenerator<DocItem> {
  const limits = spec.maxChars ? { ...config.limits, maxChars: spec.maxChars } : config.limits;
  const ctx: ReadContext = { spec, limits };
  if (spec.format !== 'urls') {
    yield* READERS[spec.format](spec.file, ctx);
    return;
  }
  const client = new PoliteClient(config.fetch, config.crawler, { log, logFields: { file: spec.file } });
  try {
    yield* READERS.urls(spec.file, { ...ctx, client });
  } finally {
    await client.close();
  }
}

/** Task runtimes by task, so that a crawl's reader logs through the runtime's logger. */
const runtimes = new WeakMap<TaskSpec<CrawlConfig>, TaskRuntime>();

/**
 * Crawls the sources of one registry file, one after another. A source that is incomplete (see
 * `FetchTally`) does not stop the others: once all ran, an error names every incomplete one, so
 * the task is left unfinished (exit 2) and a rerun resumes it.
 */
export async function* crawlSiteFile(site: SiteFile, task: TaskSpec<CrawlConfig>, log: Logger, progress?: Pick<TaskRuntime, 'plan' | 'advance'>): AsyncGenerator<DocItem> {
  const { config } = task;
  const incomplete: string[] = [];
  for (const source of site.sources) {
    try {
      yield* crawlSite(source, {
        file: site.file,
        run: task.runStartedAt,
        output: task.output,
        fetch: config.fetch,
        crawler: config.crawler,
        limits: config.limits,
        log,
        ...(progress ? { progress } : {}),
      });
    } catch (err) {
      if (!(err instanceof IncompleteSourceError)) throw err;
      incomplete.push(err.message);
    }
  }
  if (incomplete.length > 0) throw new Error(incomplete.join('; '));
}

/** Documents were validated by the readers; the step only counts them per source. */
const passThrough: DocStep = async function* (docs, ctx) {
  for await (const doc of docs) {
    ctx.count(`source.${doc.provenance.sourceId ?? 'unknown'}`);
    yield doc;
  }
};

function addOptions(cmd: Command): void {
  cmd
    .option('--format <format>', `format of --input files: ${INPUT_FORMATS.join(', ')} (default: auto, from each file name)`)
    .option('--source <type>', `source type of --input files whose names do not say (default: ${INPUT_DEFAULTS.source}): ${SOURCE_TYPES.join(', ')}`)
    .option('--stage <stage>', `training stage of --input files whose names do not say (default: ${INPUT_DEFAULTS.stage})`)
    .option('--kind <kind>', 'expected record kind of --input files: text or qa (default: the record decides)')
    .option('--lang <code>', 'declared language of --input files, stored as langHint')
    .option('--sources <files...>', 'web crawl: source registry files (pipelines/sources/*.json), one task each');
}

/**
 * The first stage of the corpus pipeline: turns local sources (Apollo JSON arrays, JSONL, text,
 * HTML) and URL lists into validated documents, one task per input file.
 */
export const crawlStage: StageApp<CrawlConfig, CrawlSettings> = {
  name: 'crawl',
  summary: 'Ingest local sources (Apollo JSON, JSONL, text, HTML) and URL lists, or crawl web sources politely (--sources), into pipeline documents',
  settings: CRAWL_SETTINGS,
  options: addOptions,
  configure: (settings, { opts, pipeline }) => configureCrawl(settings, opts, pipeline),
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
            return crawlSiteFile(site, task, log, runtimes.get(task));
          }
          const spec = specs.get(file);
          if (!spec) throw new Error(`${file}: not in the crawl configuration`);
          return readSourceFile(spec, task.config, runtimes.get(task)?.log);
        };
      },
      step: (task, rt) => {
        runtimes.set(task, rt);
        return passThrough;
      },
    }),
  ],
};
