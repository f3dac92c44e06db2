import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { z } from 'zod';
import { ConfigError, type ConfigProblem, unknownKeyProblem } from './config-error';

/**
 * A stage's settings are declared once, as a `SettingsSpec`: each setting's schema, default,
 * description and command-line flag. From it come the command-line options (`addSettingOptions`),
 * the validation of the pipeline file's `stages.<stage>` section, the JSON Schema for editors
 * (`settingsJsonSchema`), the option tables in the docs, and the one resolver every stage uses
 * (`resolveSettings`: command line over the pipeline file's section over the default).
 */
export interface Setting<T> {
  readonly kind: 'setting';
  readonly schema: z.ZodType<T>;
  /** The allowed values in words, for errors: "must be <expected>". */
  readonly expected: string;
  readonly default: T;
  /** What the setting does; shown in --help, in the JSON Schema and in the docs. */
  readonly description: string;
  /** Command-line flag (e.g. `--threshold <x>`); absent for settings of the pipeline file only. */
  readonly flag?: string;
  /** Turns the flag's text (or texts, for a variadic flag) into the value the schema checks. */
  readonly parse?: (text: string | string[]) => unknown;
  /**
   * A path or list of paths: values from a pipeline file are resolved against the file's folder,
   * values from the command line against the working directory; resolved paths are absolute.
   */
  readonly path?: 'one' | 'list';
  /** Object settings whose entries merge over the default's (file entries, then command-line entries). */
  readonly merge?: boolean;
  /** The allowed values of a choice, for the help. */
  readonly choices?: readonly string[];
  /** A path that must exist when the run is configured (an input, not an output). */
  readonly mustExist?: boolean;
  /**
   * Makes one path absolute against a base, for paths with more to them than a path (a
   * `<format>:` prefix); returns the resolved value and the part that must exist. Default:
   * `resolve(base, path)`, all of it.
   */
  readonly resolvePath?: (path: string, base: string) => { value: string; file: string };
}

/** Settings nested under one key (e.g. `crawler: {...}`). */
export interface SettingsGroup<T> {
  readonly kind: 'group';
  readonly description: string;
  readonly settings: SettingsSpec<T>;
}

/** Settings of an object of values: each key a setting, or a group for a nested object. */
export type SettingsSpec<T> = {
  readonly [K in keyof T]-?: T[K] extends readonly unknown[] ? Setting<T[K]> : T[K] extends object ? Setting<T[K]> | SettingsGroup<T[K]> : Setting<T[K]>;
};

/** A spec whose value types are not known statically (catalogs, generic code). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnySettingsSpec = { readonly [key: string]: Setting<any> | SettingsGroup<any> };

interface Common {
  /** Command-line flag with its argument, e.g. `--bands <n>`. */
  flag?: string;
}

function fmt(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
}

function range(min: number | undefined, max: number | undefined, exclusiveMin: boolean): string {
  if (min !== undefined && max !== undefined) return ` in ${exclusiveMin ? '(' : '['}${min}, ${max}]`;
  if (min !== undefined) return ` ${exclusiveMin ? '>' : '>='} ${min}`;
  if (max !== undefined) return ` <= ${max}`;
  return '';
}

function toNumber(text: string | string[]): unknown {
  if (Array.isArray(text)) return text;
  const trimmed = text.trim();
  return trimmed === '' ? text : Number(trimmed);
}

function toList(text: string | string[]): string[] {
  const parts = Array.isArray(text) ? text : [text];
  return parts.flatMap((p) => p.split(',')).map((s) => s.trim()).filter(Boolean);
}

function toJson(text: string | string[]): unknown {
  if (Array.isArray(text)) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Builders of settings: each gives the schema, the words of its errors and how its flag is read. */
export const setting = {
  integer(description: string, dflt: number, o: Common & { min?: number; max?: number } = {}): Setting<number> {
    let schema = z.number().int();
    if (o.min !== undefined) schema = schema.min(o.min);
    if (o.max !== undefined) schema = schema.max(o.max);
    return { kind: 'setting', schema, expected: `an integer${range(o.min, o.max, false)}`, default: dflt, description, ...(o.flag ? { flag: o.flag, parse: toNumber } : {}) };
  },

  number(description: string, dflt: number, o: Common & { min?: number; max?: number; exclusiveMin?: boolean } = {}): Setting<number> {
    let schema = z.number().finite();
    if (o.min !== undefined) schema = o.exclusiveMin ? schema.gt(o.min) : schema.min(o.min);
    if (o.max !== undefined) schema = schema.max(o.max);
    return { kind: 'setting', schema, expected: `a number${range(o.min, o.max, o.exclusiveMin === true)}`, default: dflt, description, ...(o.flag ? { flag: o.flag, parse: toNumber } : {}) };
  },

  /** A flag without an argument turns it on; a setting that defaults to true gets a `--no-...` flag. */
  boolean(description: string, dflt: boolean, o: Common = {}): Setting<boolean> {
    return { kind: 'setting', schema: z.boolean(), expected: 'true or false', default: dflt, description, ...(o.flag ? { flag: o.flag } : {}) };
  },

  string(description: string, dflt: string, o: Common & { nonEmpty?: boolean; pattern?: RegExp; patternText?: string } = {}): Setting<string> {
    let schema = z.string();
    if (o.nonEmpty) schema = schema.min(1);
    if (o.pattern) schema = schema.regex(o.pattern);
    const expected = o.patternText ?? (o.nonEmpty ? 'a non-empty string' : 'a string');
    return { kind: 'setting', schema, expected, default: dflt, description, ...(o.flag ? { flag: o.flag, parse: (t) => t } : {}) };
  },

  choice<T extends string>(description: string, dflt: T, choices: readonly T[], o: Common = {}): Setting<T> {
    const schema = z.enum(choices as unknown as [T, ...T[]]) as unknown as z.ZodType<T>;
    return { kind: 'setting', schema, expected: `one of ${choices.join(', ')}`, default: dflt, description, choices, ...(o.flag ? { flag: o.flag, parse: (t) => t } : {}) };
  },

  /** A list; on the command line a variadic flag (`<items...>`) or comma-separated text. */
  list<T>(description: string, dflt: T[], item: { schema: z.ZodType<T>; expected: string }, o: Common & { unique?: boolean; nonEmpty?: boolean } = {}): Setting<T[]> {
    let schema: z.ZodType<T[]> = z.array(item.schema);
    if (o.nonEmpty) schema = (schema as z.ZodArray<z.ZodType<T>>).min(1);
    if (o.unique) schema = schema.refine((l) => new Set(l).size === l.length, { message: 'lists an entry twice' });
    const expected = `a${o.nonEmpty ? ' non-empty' : ''} list of ${item.expected}${o.unique ? ', each once' : ''}`;
    return { kind: 'setting', schema, expected, default: dflt, description, ...(o.flag ? { flag: o.flag, parse: toList } : {}) };
  },

  /** A path ('' or null: none, when the default is); `mustExist` for inputs, checked when the run is configured. */
  path<T extends string | null>(description: string, dflt: T, o: Common & { mustExist?: boolean } = {}): Setting<T> {
    const schema = (dflt === null ? z.string().min(1).nullable() : z.string()) as unknown as z.ZodType<T>;
    return {
      kind: 'setting',
      schema,
      expected: dflt === null ? 'a path or null' : 'a path',
      default: dflt,
      description,
      path: 'one',
      ...(o.mustExist ? { mustExist: true } : {}),
      ...(o.flag ? { flag: o.flag, parse: (t) => t } : {}),
    };
  },

  paths(description: string, dflt: string[], o: Common & { mustExist?: boolean; resolvePath?: Setting<string[]>['resolvePath'] } = {}): Setting<string[]> {
    const schema = z.array(z.string().min(1));
    return {
      kind: 'setting',
      schema,
      expected: 'a list of paths',
      default: dflt,
      description,
      path: 'list',
      ...(o.mustExist ? { mustExist: true } : {}),
      ...(o.resolvePath ? { resolvePath: o.resolvePath } : {}),
      ...(o.flag ? { flag: o.flag, parse: (t) => (Array.isArray(t) ? t : [t]) } : {}),
    };
  },

  /** An object of named numbers; entries merge over the default's. On the command line: JSON. */
  numberTable(description: string, dflt: Record<string, number>, o: Common & { min?: number; max?: number; exclusiveMin?: boolean; keyPattern?: RegExp } = {}): Setting<Record<string, number>> {
    let value = z.number().finite();
    if (o.min !== undefined) value = o.exclusiveMin ? value.gt(o.min) : value.min(o.min);
    if (o.max !== undefined) value = value.max(o.max);
    const key = o.keyPattern ? z.string().regex(o.keyPattern) : z.string();
    const schema = z.record(key, value);
    const expected = `an object of numbers${range(o.min, o.max, o.exclusiveMin === true)}${o.flag ? ` (JSON such as {"fr":0.8} on the command line)` : ''}`;
    return { kind: 'setting', schema, expected, default: dflt, description, merge: true, ...(o.flag ? { flag: o.flag, parse: toJson } : {}) };
  },

  group<T>(description: string, settings: SettingsSpec<T>): SettingsGroup<T> {
    return { kind: 'group', description, settings };
  },
};

/** The defaults of a spec. */
export function settingsDefaults<T>(spec: SettingsSpec<T>): T {
  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(spec) as [string, Setting<unknown> | SettingsGroup<unknown>][]) {
    out[key] = s.kind === 'group' ? settingsDefaults(s.settings) : structuredClone(s.default);
  }
  return out as T;
}

/** Every setting with a flag, with its key path (`crawler.delayMs`). */
export function flaggedSettings(spec: AnySettingsSpec, prefix = ''): { path: string; setting: Setting<unknown> }[] {
  const out: { path: string; setting: Setting<unknown> }[] = [];
  for (const [key, s] of Object.entries(spec) as [string, Setting<unknown> | SettingsGroup<unknown>][]) {
    if (s.kind === 'group') out.push(...flaggedSettings(s.settings, `${prefix}${key}.`));
    else if (s.flag) out.push({ path: `${prefix}${key}`, setting: s });
  }
  return out;
}

function shortDefault(value: unknown): string {
  const text = fmt(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** A default as the help shows it: lists comma-separated, nothing for an empty one. */
function helpDefault(value: unknown): string | undefined {
  if (value === '' || value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.join(',');
  if (typeof value === 'object') return Object.keys(value).length === 0 ? undefined : shortDefault(value);
  return String(value);
}

/** Adds a command-line option for every setting that has a flag; the help shows the default. */
export function addSettingOptions(cmd: Command, spec: AnySettingsSpec): void {
  for (const { setting: s } of flaggedSettings(spec)) {
    const dflt = typeof s.default === 'boolean' ? undefined : helpDefault(s.default);
    const notes = [...(s.choices ? [s.choices.join(', ')] : []), ...(dflt !== undefined ? [`default ${dflt}`] : [])];
    cmd.addOption(new Option(s.flag!, `${s.description}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`));
  }
}

/** Where a value came from: a command-line flag, a pipeline file's key, or the default. */
type Origin = { kind: 'cli'; flag: string } | { kind: 'file'; file: string; path: string } | { kind: 'default'; path: string };

function describeOrigin(o: Origin): { where: string; path: string } {
  if (o.kind === 'cli') return { where: o.flag.split(/[ ,]/)[0]!, path: '' };
  if (o.kind === 'file') return { where: o.file, path: o.path };
  return { where: 'default', path: o.path };
}

function problemOf(origin: Origin, s: Setting<unknown>, value: unknown, extra?: string): ConfigProblem {
  const { where, path } = describeOrigin(origin);
  return { where, path, message: `must be ${s.expected}${extra ? ` (${extra})` : ''}, got ${shortDefault(value)}` };
}

function resolveOne(p: unknown, s: Setting<unknown>, base: string): { value: unknown; file?: string } {
  if (typeof p !== 'string' || p === '') return { value: p };
  if (s.resolvePath) return s.resolvePath(p, base);
  const abs = isAbsolute(p) ? p : resolve(base, p);
  return { value: abs, file: abs };
}

/** A path setting's value with its relative paths made absolute against `base`. */
function resolvePaths(value: unknown, s: Setting<unknown>, base: string): unknown {
  if (s.path === 'one') return resolveOne(value, s, base).value;
  if (s.path === 'list' && Array.isArray(value)) return value.map((p) => resolveOne(p, s, base).value);
  return value;
}

/** The paths of a `mustExist` setting's value (resolved against `base`) that do not exist. */
function missingPaths(value: unknown, s: Setting<unknown>, base: string): string[] {
  if (!s.mustExist) return [];
  const files = (Array.isArray(value) ? value : [value]).map((p) => resolveOne(p, s, base).file);
  return files.filter((f): f is string => f !== undefined && !existsSync(f));
}

/** What the resolver reads: the command line's values (only those given), and a pipeline section. */
export interface SettingsSources {
  /** A flag's value if it was given on the command line (by the option's attribute name). */
  cli?: (attribute: string) => unknown;
  /** The pipeline file's section for this stage (`stages.<name>`), if any. */
  section?: unknown;
  /** Key path of the section in the file, for errors: `stages.dedupe`. */
  sectionPath: string;
  /** The pipeline file (errors name it; relative paths in it resolve against its folder). */
  file?: string;
  /** Base of relative command-line paths. Default: the working directory. */
  cwd?: string;
}

/**
 * Problems of a pipeline section against a spec: unknown keys, values outside their schema,
 * input paths that do not exist (relative ones resolved against `base`, the file's folder).
 */
export function checkSection(spec: AnySettingsSpec, section: unknown, sectionPath: string, file: string, base = resolve(file, '..')): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (section === undefined) return problems;
  if (section === null || typeof section !== 'object' || Array.isArray(section)) {
    return [{ where: file, path: sectionPath, message: `must be an object of settings, got ${shortDefault(section)}` }];
  }
  const known = Object.keys(spec);
  for (const [key, value] of Object.entries(section as Record<string, unknown>)) {
    const s = spec[key] as Setting<unknown> | SettingsGroup<unknown> | undefined;
    if (!s) {
      problems.push(unknownKeyProblem(file, sectionPath, key, known));
      continue;
    }
    const path = `${sectionPath}.${key}`;
    if (s.kind === 'group') problems.push(...checkSection(s.settings, value, path, file, base));
    else if (!s.schema.safeParse(value).success) problems.push(problemOf({ kind: 'file', file, path }, s, value, zodHint(s, value)));
    else for (const missing of missingPaths(value, s, base)) problems.push({ where: file, path, message: `not found: ${missing} (relative paths are resolved against the pipeline file's folder)` });
  }
  return problems;
}

/** A short reason from the schema where the expected words do not say it (e.g. a duplicate entry). */
function zodHint(s: Setting<unknown>, value: unknown): string | undefined {
  const result = s.schema.safeParse(value);
  if (result.success) return undefined;
  const custom = result.error.issues.find((i) => i.code === 'custom');
  if (custom) return custom.message;
  const issue = result.error.issues[0];
  if (issue && issue.path.length > 0) return `at ${issue.path.join('.')}: ${issue.message}`;
  return undefined;
}

function resolveInto(spec: AnySettingsSpec, src: SettingsSources, section: Record<string, unknown>, prefix: string, problems: ConfigProblem[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fileBase = src.file ? resolve(src.cwd ?? process.cwd(), src.file, '..') : (src.cwd ?? process.cwd());
  const cliBase = src.cwd ?? process.cwd();
  for (const [key, s] of Object.entries(spec) as [string, Setting<unknown> | SettingsGroup<unknown>][]) {
    if (s.kind === 'group') {
      const inner = section[key];
      out[key] = resolveInto(s.settings, src, inner !== null && typeof inner === 'object' && !Array.isArray(inner) ? (inner as Record<string, unknown>) : {}, `${prefix}${key}.`, problems);
      continue;
    }
    let value: unknown = structuredClone(s.default);
    if (section[key] !== undefined) {
      const fromFile = resolvePaths(section[key], s, fileBase);
      value = s.merge ? { ...(value as object), ...(fromFile as object) } : fromFile;
    }
    const attribute = s.flag ? new Option(s.flag).attributeName() : undefined;
    const given = attribute !== undefined ? src.cli?.(attribute) : undefined;
    if (given !== undefined) {
      const origin: Origin = { kind: 'cli', flag: s.flag! };
      const parsed = typeof given === 'string' || Array.isArray(given) ? (s.parse ? s.parse(given as string | string[]) : given) : given;
      const checked = s.schema.safeParse(parsed);
      if (!checked.success) {
        problems.push(problemOf(origin, s, given, zodHint(s, parsed)));
        continue;
      }
      for (const missing of missingPaths(checked.data, s, cliBase)) problems.push({ where: s.flag!.split(' ')[0]!, path: '', message: `not found: ${missing}` });
      const fromCli = resolvePaths(checked.data, s, cliBase);
      value = s.merge ? { ...(value as object), ...(fromCli as object) } : fromCli;
    }
    out[key] = value;
  }
  return out;
}

/**
 * The one configuration resolver: for every setting, the command-line value if given, else the
 * pipeline section's, else the default (object settings marked `merge` combine entry by entry in
 * that order). Throws a `ConfigError` listing every problem: unknown keys in the section (with
 * the known ones), values outside their schema, each named by the file and key path or the flag.
 */
export function resolveSettings<T>(spec: SettingsSpec<T>, src: SettingsSources): T {
  const file = src.file ?? 'pipeline file';
  const base = src.file ? resolve(src.cwd ?? process.cwd(), src.file, '..') : (src.cwd ?? process.cwd());
  const problems = checkSection(spec as AnySettingsSpec, src.section, src.sectionPath, file, base);
  const section = src.section !== null && typeof src.section === 'object' && !Array.isArray(src.section) ? (src.section as Record<string, unknown>) : {};
  const resolved = resolveInto(spec as AnySettingsSpec, src, problems.length > 0 ? {} : section, '', problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return resolved as T;
}

/** The zod schema of a section (every key optional, unknown keys refused), with descriptions and defaults. */
export function sectionSchema(spec: AnySettingsSpec): z.ZodType {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, s] of Object.entries(spec) as [string, Setting<unknown> | SettingsGroup<unknown>][]) {
    shape[key] = s.kind === 'group' ? sectionSchema(s.settings).describe(s.description).optional() : s.schema.optional().meta({ description: s.description, default: s.default });
  }
  return z.strictObject(shape);
}

/** One row per setting, for the docs: key path, flag, default, description. */
export function settingsTable(spec: AnySettingsSpec, prefix = ''): { key: string; flag: string; default: string; description: string }[] {
  const rows: { key: string; flag: string; default: string; description: string }[] = [];
  for (const [key, s] of Object.entries(spec) as [string, Setting<unknown> | SettingsGroup<unknown>][]) {
    if (s.kind === 'group') rows.push(...settingsTable(s.settings, `${prefix}${key}.`));
    else rows.push({ key: `${prefix}${key}`, flag: s.flag ?? '', default: fmt(s.default), description: s.description });
  }
  return rows;
}

/**
 * A stage's settings as a Markdown table (key in the pipeline file, command-line flag, default,
 * description): the tables in the docs are this output, checked by a test.
 */
export function settingsMarkdown(spec: AnySettingsSpec): string {
  const cell = (text: string) => text.replaceAll('|', '\\|');
  const rows = settingsTable(spec).map((r) => `| \`${r.key}\` | ${r.flag ? `\`${cell(r.flag)}\`` : ''} | \`${cell(r.default)}\` | ${cell(r.description)} |`);
  return ['| key | flag | default | what it does |', '|---|---|---|---|', ...rows].join('\n');
}
