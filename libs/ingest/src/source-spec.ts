import {
  DOC_KINDS,
  type DocKind,
  isSourceType,
  SOURCE_TYPES,
  type SourceType,
  TRAINING_STAGES,
  type TrainingStage,
} from '@apollo/document';

/** How a source's files are read. `auto` picks a reader from each file's name. */
export const INPUT_FORMATS = ['auto', 'apollo', 'jsonl', 'text', 'html', 'urls'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];
/** A format resolved for one file. */
export type FileFormat = Exclude<InputFormat, 'auto'>;

/**
 * One entry of a pipeline file's `sources` list: where documents come from and what they are.
 * `source`, `stage`, `kind` and `lang` may be left out for Apollo release files, whose names
 * carry them (see `inferApolloName`).
 */
export interface SourceSpec {
  /** Unique name of the source, recorded in each document's provenance. */
  id: string;
  /** A file or a folder (searched recursively), relative to the pipeline file's folder. */
  path: string;
  /** Default `auto`: chosen per file from its name. */
  format: InputFormat;
  source?: SourceType;
  stage?: TrainingStage;
  /** Expected record shape; records of the other shape are dropped (`wrong_kind`). */
  kind?: DocKind;
  /** Declared language, stored as `langHint`. */
  lang?: string;
  license?: string;
  note?: string;
  /** Size cap for this source's documents, in UTF-16 code units; default: the stage's `maxChars`. */
  maxChars?: number;
}

const SPEC_FIELDS = new Set(['id', 'path', 'format', 'source', 'stage', 'kind', 'lang', 'license', 'note', 'maxChars']);

/** A BCP-47-like language tag: `en`, `zh`, `pt-BR`, `zh-Hant`. */
export const LANG_TAG = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

export class SourceSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceSpecError';
  }
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[]): value is T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value);
}

/**
 * Validates the `sources` list of a pipeline file. Errors name the pipeline file and the
 * source by index and id, e.g. `pipelines/x.json: sources[3] (es-wiki): unknown format "xml"`.
 */
export function parseSourceSpecs(raw: unknown, pipelineFile: string): SourceSpec[] {
  if (!Array.isArray(raw)) throw new SourceSpecError(`${pipelineFile}: "sources" must be a list of source definitions`);
  const specs: SourceSpec[] = [];
  const ids = new Map<string, number>();
  raw.forEach((entry: unknown, index) => {
    const where = (id?: unknown) => `${pipelineFile}: sources[${index}]${typeof id === 'string' ? ` (${id})` : ''}`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
      throw new SourceSpecError(`${where()}: a source must be an object`);
    }
    const rec = entry as Record<string, unknown>;
    const fail = (message: string): never => {
      throw new SourceSpecError(`${where(rec.id)}: ${message}`);
    };
    for (const key of Object.keys(rec)) if (!SPEC_FIELDS.has(key)) fail(`unknown field "${key}"`);
    if (typeof rec.id !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(rec.id)) {
      fail('"id" must be a non-empty string of letters, digits, ".", "_" or "-"');
    }
    const id = rec.id as string;
    const seen = ids.get(id);
    if (seen !== undefined) fail(`id "${id}" is already used by sources[${seen}]`);
    ids.set(id, index);
    if (typeof rec.path !== 'string' || rec.path.length === 0) fail('"path" must be a non-empty string');
    const format = rec.format ?? 'auto';
    if (!oneOf(format, INPUT_FORMATS)) fail(`unknown format ${JSON.stringify(format)}; use one of ${INPUT_FORMATS.join(', ')}`);
    if (rec.source !== undefined && !isSourceType(rec.source)) {
      fail(`unknown source type ${JSON.stringify(rec.source)}; use one of ${SOURCE_TYPES.join(', ')}`);
    }
    if (rec.stage !== undefined && !oneOf(rec.stage, TRAINING_STAGES)) {
      fail(`unknown stage ${JSON.stringify(rec.stage)}; use one of ${TRAINING_STAGES.join(', ')}`);
    }
    if (rec.kind !== undefined && !oneOf(rec.kind, DOC_KINDS)) fail(`unknown kind ${JSON.stringify(rec.kind)}; use one of ${DOC_KINDS.join(', ')}`);
    if (rec.lang !== undefined && (typeof rec.lang !== 'string' || !LANG_TAG.test(rec.lang))) {
      fail(`"lang" must be a language code such as "en" or "pt-BR", got ${JSON.stringify(rec.lang)}`);
    }
    for (const key of ['license', 'note'] as const) {
      if (rec[key] !== undefined && typeof rec[key] !== 'string') fail(`"${key}" must be a string`);
    }
    if (rec.maxChars !== undefined && (!Number.isInteger(rec.maxChars) || (rec.maxChars as number) < 1)) {
      fail('"maxChars" must be a positive integer');
    }
    specs.push({
      id,
      path: rec.path as string,
      format: format as InputFormat,
      ...(rec.source !== undefined ? { source: rec.source as SourceType } : {}),
      ...(rec.stage !== undefined ? { stage: rec.stage as TrainingStage } : {}),
      ...(rec.kind !== undefined ? { kind: rec.kind as DocKind } : {}),
      ...(rec.lang !== undefined ? { lang: rec.lang as string } : {}),
      ...(rec.license !== undefined ? { license: rec.license as string } : {}),
      ...(rec.note !== undefined ? { note: rec.note as string } : {}),
      ...(rec.maxChars !== undefined ? { maxChars: rec.maxChars as number } : {}),
    });
  });
  return specs;
}
