import type { Doc } from '@apollo/document';
import type { DocStep, StepContext } from './doc-task';

/** A filter's answer for one document: keep it (possibly changed), or drop it with a reason. */
export type Judgement = { keep: true; doc?: Doc } | { keep: false; reason: string; detail?: string; extra?: Record<string, unknown> };

/** Keeps the document; `changed` replaces it (e.g. with its language added). */
export function keep(changed?: Doc): Judgement {
  return changed === undefined ? KEEP : { keep: true, doc: changed };
}
const KEEP: Judgement = { keep: true };

/** Drops the document: it goes to the rejects with the reason (a stable code counted in the stats) and the detail. */
export function drop(reason: string, detail?: string, extra?: Record<string, unknown>): Judgement {
  return { keep: false, reason, ...(detail !== undefined ? { detail } : {}), ...(extra !== undefined ? { extra } : {}) };
}

/**
 * A filter: a judge of one document at a time. The loop, the counting and the rejects are done
 * once, by `filterStep`, as datatrove's BaseFilter does them.
 */
export interface Filter {
  /** Decides one document. Called in input order; may keep state across calls. */
  judge(doc: Doc, ctx: StepContext): Judgement | Promise<Judgement>;
  /** Runs after the last document, when every document was judged (e.g. to check that all expected ones arrived). */
  finish?(ctx: StepContext): void | Promise<void>;
  /** Runs when the step ends in any way, failures included (to release what the judge holds). */
  close?(): void | Promise<void>;
}

/** A step that keeps or drops each document by a judge (a function, or a `Filter` with a finish). */
export function filterStep(filter: Filter | Filter['judge']): DocStep {
  const f: Filter = typeof filter === 'function' ? { judge: filter } : filter;
  return async function* (docs: AsyncIterable<Doc>, ctx: StepContext): AsyncIterable<Doc> {
    try {
      for await (const doc of docs) {
        let j = f.judge(doc, ctx);
        // A synchronous judge costs no promise turn per document.
        if (j instanceof Promise) j = await j;
        if (j.keep) yield j.doc ?? doc;
        else ctx.drop(doc, j.reason, j.detail, j.extra);
      }
      await f.finish?.(ctx);
    } finally {
      await f.close?.();
    }
  };
}

/** Steps run one after another, each on what the one before kept. */
export function pipe(...steps: DocStep[]): DocStep {
  if (steps.length === 0) return (docs) => docs;
  return (docs, ctx) => steps.reduce<AsyncIterable<Doc>>((stream, step) => step(stream, ctx), docs);
}
