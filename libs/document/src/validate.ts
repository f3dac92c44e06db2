import {
  DOC_KINDS,
  type Doc,
  type DocKind,
  isSourceType,
  TRAINING_STAGES,
  type TrainingStage,
} from './document';
import type { RecordLocation, RecordProblem } from './errors';
import { docId, joinTurns } from './normalize';

export type Validated<T> = { ok: true; value: T } | { ok: false; problem: RecordProblem };

/** Limits applied wherever data enters. */
export interface ValidationLimits {
  /** Largest accepted document text, in UTF-16 code units. Default 1,000,000. */
  maxChars: number;
}

export const DEFAULT_LIMITS: ValidationLimits = { maxChars: 1_000_000 };

const DOC_FIELDS = new Set([
  'id',
  'text',
  'kind',
  'turns',
  'source',
  'stage',
  'lang',
  'langScore',
  'langHint',
  'provenance',
  'createdAt',
  'fetchedAt',
  'meta',
]);

function fail(reason: string, detail: string, at: RecordLocation): { ok: false; problem: RecordProblem } {
  return { ok: false, problem: { reason, detail, at } };
}

/** Checks the text of a would-be document: non-empty and under the size cap. */
export function checkText(text: string, at: RecordLocation, limits = DEFAULT_LIMITS): Validated<string> {
  if (text.trim().length === 0) return fail('empty', 'text is empty or whitespace only', at);
  if (text.length > limits.maxChars) {
    return fail('too_large', `text has ${text.length} characters, above the cap of ${limits.maxChars}`, at);
  }
  return { ok: true, value: text };
}

/** Checks a turn list `[q1, a1, ...]`: an even number (>= 2) of non-empty strings. */
export function checkTurns(value: unknown, at: RecordLocation): Validated<string[]> {
  if (!Array.isArray(value)) return fail('invalid_field', 'turns must be an array of strings', at);
  if (value.length < 2) return fail('invalid_field', `a QA record needs at least 2 turns, got ${value.length}`, at);
  for (let i = 0; i < value.length; i++) {
    const turn: unknown = value[i];
    if (typeof turn !== 'string') return fail('invalid_field', `turn ${i} is ${typeof turn}, not a string`, at);
    if (turn.trim().length === 0) return fail('empty', `turn ${i} is empty`, at);
  }
  if (value.length % 2 !== 0) {
    return fail('invalid_field', `turns must alternate question and answer, got an odd count (${value.length})`, at);
  }
  return { ok: true, value: value as string[] };
}

/**
 * Validates a serialized document read between stages. Unknown fields, wrong types and missing
 * required fields are rejected with a reason naming the field.
 */
export function validateDoc(value: unknown, at: RecordLocation, limits = DEFAULT_LIMITS): Validated<Doc> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return fail('invalid_record', 'a document must be a JSON object', at);
  }
  const rec = value as Record<string, unknown>;
  for (const key of Object.keys(rec)) {
    if (!DOC_FIELDS.has(key)) return fail('unknown_field', `unknown field "${key}"`, at);
  }
  if (typeof rec.text !== 'string') return fail('missing_field', 'field "text" must be a string', at);
  const text = checkText(rec.text, at, limits);
  if (!text.ok) return text;
  if (!(DOC_KINDS as readonly unknown[]).includes(rec.kind)) {
    return fail('invalid_field', `field "kind" must be one of ${DOC_KINDS.join(', ')}`, at);
  }
  const kind = rec.kind as DocKind;
  if (!isSourceType(rec.source)) return fail('invalid_field', `field "source" is not a known source type: ${JSON.stringify(rec.source)}`, at);
  if (!(TRAINING_STAGES as readonly unknown[]).includes(rec.stage)) {
    return fail('invalid_field', `field "stage" must be one of ${TRAINING_STAGES.join(', ')}`, at);
  }
  if (kind === 'qa') {
    const turns = checkTurns(rec.turns, at);
    if (!turns.ok) return turns;
  } else if (rec.turns !== undefined) {
    return fail('invalid_field', 'a text document has no turns', at);
  }
  if (typeof rec.id !== 'string' || !/^[0-9a-f]{32}$/.test(rec.id)) {
    return fail('invalid_field', 'field "id" must be 32 lower-case hex digits', at);
  }
  for (const key of ['lang', 'langHint', 'createdAt', 'fetchedAt'] as const) {
    if (rec[key] !== undefined && typeof rec[key] !== 'string') return fail('invalid_field', `field "${key}" must be a string`, at);
  }
  if (rec.langScore !== undefined && (typeof rec.langScore !== 'number' || !(rec.langScore >= 0 && rec.langScore <= 1))) {
    return fail('invalid_field', 'field "langScore" must be a number in [0, 1]', at);
  }
  if (rec.provenance === null || typeof rec.provenance !== 'object' || Array.isArray(rec.provenance)) {
    return fail('missing_field', 'field "provenance" must be an object', at);
  }
  if (rec.meta !== undefined && (rec.meta === null || typeof rec.meta !== 'object' || Array.isArray(rec.meta))) {
    return fail('invalid_field', 'field "meta" must be an object', at);
  }
  return { ok: true, value: rec as unknown as Doc };
}

/** Fields a producer sets; `makeDoc` derives the id and the text of QA documents. */
export interface DocInit {
  kind: Doc['kind'];
  text?: string;
  turns?: string[];
  source: Doc['source'];
  stage: TrainingStage;
  langHint?: string;
  provenance: Doc['provenance'];
  fetchedAt?: string;
  meta?: Doc['meta'];
}

/** Builds a document from a producer's fields, validating text, turns and size. */
export function makeDoc(init: DocInit, at: RecordLocation, limits = DEFAULT_LIMITS): Validated<Doc> {
  let text: string;
  let turns: string[] | undefined;
  if (init.kind === 'qa') {
    const checked = checkTurns(init.turns, at);
    if (!checked.ok) return checked;
    turns = checked.value;
    text = joinTurns(turns);
  } else {
    text = init.text ?? '';
  }
  const checkedText = checkText(text, at, limits);
  if (!checkedText.ok) return checkedText;
  const doc: Doc = {
    id: docId(init.kind, text),
    text,
    kind: init.kind,
    ...(turns ? { turns } : {}),
    source: init.source,
    stage: init.stage,
    ...(init.langHint ? { langHint: init.langHint } : {}),
    provenance: init.provenance,
    ...(init.fetchedAt ? { fetchedAt: init.fetchedAt } : {}),
    ...(init.meta ? { meta: init.meta } : {}),
  };
  return { ok: true, value: doc };
}
