import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, type ConfigProblem, unknownKeyProblem } from './config-error';
import { checkSection, sectionSchema, type AnySettingsSpec } from './settings';

/**
 * Every stage's settings and the check of the `sources` list: what a pipeline file may hold.
 * Assembled above the step libraries (libs/pipeline-config), so that a pipeline file is checked
 * whole, every section against its stage's settings, before any stage runs.
 */
export interface PipelineCatalog {
  stages: Readonly<Record<string, AnySettingsSpec>>;
  /** Checks the top-level `sources` list (the crawl stage's inputs); returns its problems. */
  checkSources?(raw: unknown, file: string): ConfigProblem[];
  /** The `sources` list's JSON-Schema-able form, for editors. */
  sourcesSchema?: z.ZodType;
}

/** A pipeline definition file (pipelines/*.json): sources for the crawl, and a section per stage. */
export interface PipelineFile {
  /** The file, as given (absent for a definition built in code). */
  file?: string;
  name?: string;
  description?: string;
  /** Output root, resolved against the file's folder (absolute). */
  output?: string;
  sources?: unknown[];
  /** Stage sections (`stages.<stage>`), as written; each stage resolves its own (`resolveSettings`). */
  stages: Record<string, unknown>;
}

const TOP_LEVEL: Record<string, string> = {
  $schema: 'the JSON Schema this file follows (for editors)',
  name: 'name of the pipeline (the default output folder is output/<name>)',
  description: 'what the pipeline builds',
  output: 'output root, relative to this file',
  sources: 'the crawl stage\'s inputs',
  stages: 'settings per stage',
};

/**
 * Problems of a parsed pipeline file: unknown top-level keys, unknown stage sections, and with a
 * catalog every section's keys and values and the sources list. Without a catalog only the
 * shape is checked (each stage still checks its own section when it runs).
 */
export function checkPipeline(raw: unknown, file: string, catalog?: PipelineCatalog): ConfigProblem[] {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return [{ where: file, path: '', message: 'a pipeline file must hold a JSON object' }];
  const problems: ConfigProblem[] = [];
  const rec = raw as Record<string, unknown>;
  for (const key of Object.keys(rec)) {
    if (!(key in TOP_LEVEL)) problems.push(unknownKeyProblem(file, '(top level)', key, Object.keys(TOP_LEVEL)));
  }
  for (const key of ['$schema', 'name', 'description', 'output'] as const) {
    if (rec[key] !== undefined && (typeof rec[key] !== 'string' || rec[key] === '')) problems.push({ where: file, path: key, message: `must be a non-empty string, got ${JSON.stringify(rec[key])}` });
  }
  if (rec.sources !== undefined) {
    if (!Array.isArray(rec.sources)) problems.push({ where: file, path: 'sources', message: 'must be a list of source definitions' });
    else if (catalog?.checkSources) problems.push(...catalog.checkSources(rec.sources, file));
  }
  const stages = rec.stages;
  if (stages !== undefined) {
    if (stages === null || typeof stages !== 'object' || Array.isArray(stages)) {
      problems.push({ where: file, path: 'stages', message: 'must be an object with one section per stage' });
    } else if (catalog) {
      const known = Object.keys(catalog.stages);
      for (const [name, section] of Object.entries(stages as Record<string, unknown>)) {
        const spec = catalog.stages[name];
        if (!spec) problems.push(unknownKeyProblem(file, 'stages', name, known, 'stage'));
        else problems.push(...checkSection(spec, section, `stages.${name}`, file));
      }
    }
  }
  return problems;
}

/**
 * Reads and checks a pipeline file (`checkPipeline`), throwing a `ConfigError` that lists every
 * problem. The output root is resolved against the file's folder.
 */
export async function loadPipelineFile(path: string, catalog?: PipelineCatalog): Promise<PipelineFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError([{ where: path, path: '', message: `cannot read pipeline file: ${(err as Error).message}` }]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError([{ where: path, path: '', message: `not valid JSON: ${(err as Error).message}` }]);
  }
  const problems = checkPipeline(raw, path, catalog);
  if (problems.length > 0) throw new ConfigError(problems);
  const rec = raw as Record<string, unknown>;
  const dir = resolve(path, '..');
  return {
    file: path,
    ...(typeof rec.name === 'string' ? { name: rec.name } : {}),
    ...(typeof rec.description === 'string' ? { description: rec.description } : {}),
    ...(typeof rec.output === 'string' ? { output: isAbsolute(rec.output) ? rec.output : resolve(dir, rec.output) } : {}),
    ...(Array.isArray(rec.sources) ? { sources: rec.sources } : {}),
    stages: (rec.stages as Record<string, unknown> | undefined) ?? {},
  };
}

/** The JSON Schema of a pipeline file for editors (every stage's settings, with defaults and descriptions). */
export function pipelineJsonSchema(catalog: PipelineCatalog): Record<string, unknown> {
  const stages: Record<string, z.ZodType> = {};
  for (const [name, spec] of Object.entries(catalog.stages)) stages[name] = sectionSchema(spec).optional();
  const schema = z
    .strictObject({
      $schema: z.string().optional().meta({ description: TOP_LEVEL.$schema }),
      name: z.string().min(1).optional().meta({ description: TOP_LEVEL.name }),
      description: z.string().optional().meta({ description: TOP_LEVEL.description }),
      output: z.string().min(1).optional().meta({ description: TOP_LEVEL.output }),
      sources: (catalog.sourcesSchema ?? z.array(z.unknown())).optional().meta({ description: TOP_LEVEL.sources }),
      stages: z.strictObject(stages).optional().meta({ description: TOP_LEVEL.stages }),
    })
    .meta({ title: 'Apollo data pipeline definition' });
  return z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
}
