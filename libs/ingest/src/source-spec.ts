import { z } from 'zod';
import {
  DOC_KINDS,
  type DocKind,
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
  /** Globs of files in the source's folder that are not inputs (any other file without a readable format is an error). */
  ignore?: string[];
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A BCP-47-like language tag: `en`, `zh`, `pt-BR`, `zh-Hant`. */
export const LANG_TAG = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

const oneOf = <T extends string>(values: readonly T[]) => z.enum(values as unknown as [T, ...T[]]);

/**
 * One source of a pipeline file: the schema that checks it (with `parseSourceSpecs`'s words for
 * each field) and that the pipeline file's JSON Schema shows editors.
 */
export const SOURCE_SPEC_SCHEMA = z.strictObject({
  id: z.string().regex(ID).meta({ description: "unique name of the source, recorded in each document's provenance" }),
  path: z.string().min(1).meta({ description: 'a file or a folder (searched recursively), relative to the pipeline file' }),
  format: oneOf(INPUT_FORMATS).optional().meta({ description: "how the files are read; auto: from each file's name", default: 'auto' }),
  source: oneOf(SOURCE_TYPES).optional().meta({ description: 'source type (Apollo release file names say it)' }),
  stage: oneOf(TRAINING_STAGES).optional().meta({ description: 'training stage (Apollo release file names say it)' }),
  kind: oneOf(DOC_KINDS).optional().meta({ description: 'expected record shape; records of the other shape are dropped (wrong_kind)' }),
  lang: z.string().regex(LANG_TAG).optional().meta({ description: 'declared language, stored as langHint' }),
  license: z.string().optional(),
  note: z.string().optional(),
  maxChars: z.number().int().min(1).optional().meta({ description: "size cap for this source's documents, in UTF-16 code units (default: the stage's maxChars)" }),
  ignore: z.array(z.string().min(1)).optional().meta({ description: 'globs of files in the folder that are not inputs (README.md, *.csv, notes/**)' }),
});

/** What each field must be, in words, for errors. */
const FIELD_RULES: Record<string, (value: unknown) => string> = {
  id: () => '"id" must be a non-empty string of letters, digits, ".", "_" or "-"',
  path: () => '"path" must be a non-empty string',
  format: (v) => `unknown format ${JSON.stringify(v)}; use one of ${INPUT_FORMATS.join(', ')}`,
  source: (v) => `unknown source type ${JSON.stringify(v)}; use one of ${SOURCE_TYPES.join(', ')}`,
  stage: (v) => `unknown stage ${JSON.stringify(v)}; use one of ${TRAINING_STAGES.join(', ')}`,
  kind: (v) => `unknown kind ${JSON.stringify(v)}; use one of ${DOC_KINDS.join(', ')}`,
  lang: (v) => `"lang" must be a language code such as "en" or "pt-BR", got ${JSON.stringify(v)}`,
  license: () => '"license" must be a string',
  note: () => '"note" must be a string',
  maxChars: () => '"maxChars" must be a positive integer',
  ignore: () => '"ignore" must be a list of globs',
};

export class SourceSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceSpecError';
  }
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
    const id = entry !== null && typeof entry === 'object' ? (entry as Record<string, unknown>).id : undefined;
    const where = `${pipelineFile}: sources[${index}]${typeof id === 'string' ? ` (${id})` : ''}`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new SourceSpecError(`${where}: a source must be an object`);
    const checked = SOURCE_SPEC_SCHEMA.safeParse(entry);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      if (issue.code === 'unrecognized_keys') throw new SourceSpecError(`${where}: unknown field "${issue.keys[0]}"`);
      const field = String(issue.path[0]);
      const rule = FIELD_RULES[field];
      throw new SourceSpecError(`${where}: ${rule ? rule((entry as Record<string, unknown>)[field]) : issue.message}`);
    }
    const spec = checked.data;
    const seen = ids.get(spec.id);
    if (seen !== undefined) throw new SourceSpecError(`${where}: id "${spec.id}" is already used by sources[${seen}]`);
    ids.set(spec.id, index);
    specs.push({ ...spec, format: spec.format ?? 'auto' });
  });
  return specs;
}
