import { type DocInit, type DocItem, makeDoc, type RecordLocation } from '@apollo/document';
import type { PoliteClient } from '../crawler/polite-client';
import type { ReadLimits } from '../options';
import type { FileSpec } from '../source-files';

/** What a reader gets besides the file: its spec and limits (and, for URL lists, the HTTP client). */
export interface ReadContext {
  spec: FileSpec;
  /** Limits with the source's own `maxChars` already applied. */
  limits: ReadLimits;
  /** The task's HTTP client (URL lists only). */
  client?: PoliteClient;
}

/** Fields a reader derives from its record; the rest comes from the file spec. */
export type RecordInit = Omit<DocInit, 'source' | 'stage' | 'provenance'> & {
  source?: DocInit['source'];
  stage?: DocInit['stage'];
  provenance?: Partial<DocInit['provenance']>;
};

/** Builds a validated document item for a record, filling in what the file spec declares. */
export function docItem(ctx: ReadContext, init: RecordInit, at: RecordLocation, bytes: number): DocItem {
  const { spec } = ctx;
  const langHint = init.langHint ?? spec.lang;
  const meta = spec.license ? { license: spec.license, ...init.meta } : init.meta;
  const built = makeDoc(
    {
      ...init,
      source: init.source ?? spec.source,
      stage: init.stage ?? spec.stage,
      ...(langHint ? { langHint } : {}),
      ...(meta && Object.keys(meta).length > 0 ? { meta } : {}),
      provenance: {
        file: spec.file,
        ...(at.line !== undefined ? { line: at.line } : {}),
        ...(at.record !== undefined ? { record: at.record } : {}),
        ...init.provenance,
        sourceId: spec.sourceId,
      },
    },
    at,
    { maxChars: ctx.limits.maxChars },
  );
  return built.ok ? { doc: built.value, bytes } : { problem: built.problem, bytes };
}

/** A dropped record. */
export function problemItem(reason: string, detail: string, at: RecordLocation, bytes: number): DocItem {
  return { problem: { reason, detail, at }, bytes };
}
