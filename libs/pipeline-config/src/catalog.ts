// Only the settings modules of the step libraries are imported (not their stages), so that every
// app can check a whole pipeline file without loading the other stages' code.
import { CONVERT_SETTINGS } from '@apollo/shards/settings';
import { CRAWL_SETTINGS } from '@apollo/ingest/settings';
import { parseSourceSpecs, SOURCE_SPEC_SCHEMA } from '@apollo/ingest/source-spec';
import { DEDUPE_SETTINGS } from '@apollo/dedupe/settings';
import { LANGID_SETTINGS } from '@apollo/langid/settings';
import type { ConfigProblem, PipelineCatalog } from '@apollo/stage';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

/** The `sources` list: each entry well formed (crawl's source spec), and each path present. */
function checkSources(raw: unknown, file: string): ConfigProblem[] {
  let specs;
  try {
    specs = parseSourceSpecs(raw, file);
  } catch (err) {
    // The spec parser names the file and the source; the key path is in its message.
    return [{ where: file, path: '', message: (err as Error).message.replace(`${file}: `, '') }];
  }
  const dir = resolve(file, '..');
  return specs.flatMap((spec, i) =>
    existsSync(resolve(dir, spec.path)) ? [] : [{ where: file, path: `sources[${i}] (${spec.id}).path`, message: `not found: ${resolve(dir, spec.path)} (paths are relative to the pipeline file)` }],
  );
}

/** Every stage's settings and the sources check: what a pipeline file may hold, in stage order. */
export const PIPELINE_CATALOG: PipelineCatalog = {
  stages: {
    crawl: CRAWL_SETTINGS,
    langid: LANGID_SETTINGS,
    dedupe: DEDUPE_SETTINGS,
    convert: CONVERT_SETTINGS,
  },
  checkSources,
  sourcesSchema: z.array(SOURCE_SPEC_SCHEMA),
};
