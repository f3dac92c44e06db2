import { type DocItem, type DocKind, readJsonArray } from '@apollo/document';
import { docItem, problemItem, type ReadContext } from './context';

function shapeOf(value: unknown): DocKind | undefined {
  if (typeof value === 'string') return 'text';
  if (Array.isArray(value)) return 'qa';
  return undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/**
 * Reads an Apollo release file: one JSON array whose elements are text chunks (strings,
 * `kind: text`) or turn lists (`["q1", "a1", ...]`, `kind: qa`). Streams element by element;
 * a truncated file yields its complete elements and then one `truncated_file` drop. Elements
 * of another shape, or of the shape the file name or spec excludes, are dropped with their
 * index.
 */
export async function* readApolloArray(file: string, ctx: ReadContext): AsyncGenerator<DocItem> {
  for await (const item of readJsonArray(file)) {
    const at = { file, record: item.record };
    if ('problem' in item) {
      yield problemItem(item.problem.reason, item.problem.detail, at, item.bytes);
      continue;
    }
    const kind = shapeOf(item.value);
    if (!kind) {
      yield problemItem('invalid_record', `element is ${describe(item.value)}; expected a text chunk (string) or a turn list (array of strings)`, at, item.bytes);
      continue;
    }
    if (ctx.spec.kind && kind !== ctx.spec.kind) {
      const what = kind === 'qa' ? 'a turn list' : 'a text chunk';
      yield problemItem('wrong_kind', `element is ${what} but source ${ctx.spec.sourceId} holds ${ctx.spec.kind} records`, at, item.bytes);
      continue;
    }
    yield kind === 'text'
      ? docItem(ctx, { kind, text: item.value as string }, at, item.bytes)
      : docItem(ctx, { kind, turns: item.value as string[] }, at, item.bytes);
  }
}
