import { attachRawText, type Doc, type DocItem, isSourceType, readJsonLines, TRAINING_STAGES, type TrainingStage } from '@apollo/document';
import { LANG_TAG } from '../source-spec';
import { docItem, problemItem, type ReadContext } from './context';

/** The fields a JSONL source record may have; any other field drops the record. */
export const JSONL_FIELDS = ['text', 'turns', 'id', 'url', 'title', 'lang', 'source', 'stage', 'meta'] as const;
const ALLOWED = new Set<string>(JSONL_FIELDS);

type Meta = NonNullable<Doc['meta']>;

function isScalarMap(value: unknown): value is Meta {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  return Object.values(value).every((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean');
}

/**
 * Reads a JSONL source: one object per line with exactly one of `text` (kind text) or `turns`
 * (kind qa), and optionally `id` (kept as `meta.recordId`), `url`, `title`, `lang`, `source`,
 * `stage` and `meta` (string, number or boolean values). Malformed JSON, invalid UTF-8, unknown
 * fields and wrong types are dropped with the file and line.
 */
export async function* readJsonlSource(file: string, ctx: ReadContext): AsyncGenerator<DocItem> {
  for await (const item of readJsonLines(file)) {
    const at = { file, line: item.line };
    if ('problem' in item) {
      yield problemItem(item.problem.reason, item.problem.detail, at, item.bytes);
      continue;
    }
    const rec = item.value;
    if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) {
      yield problemItem('invalid_record', 'a record must be a JSON object', at, item.bytes);
      continue;
    }
    const r = rec as Record<string, unknown>;
    const unknown = Object.keys(r).find((k) => !ALLOWED.has(k));
    if (unknown !== undefined) {
      yield problemItem('unknown_field', `unknown field "${unknown}" (allowed: ${JSONL_FIELDS.join(', ')})`, at, item.bytes);
      continue;
    }
    const invalid = (detail: string) => problemItem('invalid_field', detail, at, item.bytes);
    if (r.text !== undefined && r.turns !== undefined) {
      yield problemItem('invalid_record', 'a record has either "text" or "turns", not both', at, item.bytes);
      continue;
    }
    if (r.text === undefined && r.turns === undefined) {
      yield problemItem('missing_field', 'a record needs "text" or "turns"', at, item.bytes);
      continue;
    }
    if (r.text !== undefined && typeof r.text !== 'string') {
      yield invalid('field "text" must be a string');
      continue;
    }
    if (r.id !== undefined && typeof r.id !== 'string' && typeof r.id !== 'number') {
      yield invalid('field "id" must be a string or a number');
      continue;
    }
    const badString = (['url', 'title'] as const).find((k) => r[k] !== undefined && typeof r[k] !== 'string');
    if (badString) {
      yield invalid(`field "${badString}" must be a string`);
      continue;
    }
    if (r.lang !== undefined && (typeof r.lang !== 'string' || !LANG_TAG.test(r.lang))) {
      yield invalid(`field "lang" must be a language code such as "en", got ${JSON.stringify(r.lang)}`);
      continue;
    }
    if (r.source !== undefined && !isSourceType(r.source)) {
      yield invalid(`field "source" is not a known source type: ${JSON.stringify(r.source)}`);
      continue;
    }
    if (r.stage !== undefined && !(TRAINING_STAGES as readonly unknown[]).includes(r.stage)) {
      yield invalid(`field "stage" must be one of ${TRAINING_STAGES.join(', ')}`);
      continue;
    }
    if (r.meta !== undefined && !isScalarMap(r.meta)) {
      yield invalid('field "meta" must be an object of string, number or boolean values');
      continue;
    }
    const kind = r.turns !== undefined ? 'qa' : 'text';
    if (ctx.spec.kind && kind !== ctx.spec.kind) {
      yield problemItem('wrong_kind', `record has ${kind === 'qa' ? '"turns"' : '"text"'} but source ${ctx.spec.sourceId} holds ${ctx.spec.kind} records`, at, item.bytes);
      continue;
    }
    const meta: Meta = {
      ...(r.meta as Meta | undefined),
      ...(r.title !== undefined ? { title: r.title as string } : {}),
      ...(r.id !== undefined ? { recordId: String(r.id) } : {}),
    };
    const built = docItem(
      ctx,
      {
        kind,
        ...(kind === 'qa' ? { turns: r.turns as string[] } : { text: r.text as string }),
        ...(r.source !== undefined ? { source: r.source as Doc['source'] } : {}),
        ...(r.stage !== undefined ? { stage: r.stage as TrainingStage } : {}),
        ...(r.lang !== undefined ? { langHint: r.lang as string } : {}),
        ...(Object.keys(meta).length > 0 ? { meta } : {}),
        ...(r.url !== undefined ? { provenance: { url: r.url as string } } : {}),
      },
      at,
      item.bytes,
    );
    // The text as the line holds it, for the writer to copy rather than encode again.
    if (kind === 'text' && 'doc' in built) attachRawText(built.doc, r.text as string, item.raw, item.owner);
    yield built;
  }
}
