import type { XMedBenchItem } from '@apollo/benchmark-items';
import { itemTemplateKey, templateKey, type PromptSpec, type PromptTemplate, type TemplateKey } from './prompt-spec';
import { sample, seededRandom } from './rng';

type PromptFields = Pick<XMedBenchItem, 'question' | 'context' | 'optionsText' | 'answerText'>;

/** Length in Unicode code points: the reference measures prompts with Python's len(). */
export function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** `User:{instruction}\n[Context: {context} \n]{question label} {question}\n{options label}\n{options}\nAssistant:` */
export function renderItem(t: PromptTemplate, item: PromptFields): string {
  const context = t.contextLine ? `Context: ${item.context ?? ''} \n` : '';
  return `User:${t.instruction}\n${context}${t.questionLabel} ${item.question}\n${t.optionsLabel}\n${item.optionsText}\nAssistant:`;
}

/** A solved example: the item, its answer sentence, the model's EOS string and a newline. */
export function renderShot(t: PromptTemplate, item: PromptFields, eos: string): string {
  return `${renderItem(t, item)}${t.answerSentence.replace('{answer}', () => item.answerText)}${eos}\n`;
}

/**
 * What follows `Assistant:` up to the answer letter, e.g. `The correct answer is (`; letter
 * scoring reads the next-token distribution after it.
 */
export function answerPrefix(t: PromptTemplate): string {
  return `${t.answerSentence.slice(0, t.answerSentence.indexOf('{answer}'))}(`;
}

/** A rendered prompt and how it was made. */
export interface BuiltPrompt {
  text: string;
  /** Template used for the item itself. */
  templateKey: TemplateKey;
  /** Ids of the shots kept, in prompt order. */
  shotIds: string[];
  /** Shots drawn for the item (before any were removed for length). */
  shotsDrawn: number;
  /** Shots left out because the prompt would have reached `maxChars`. */
  shotsDropped: number;
  /** The prompt is longer than `maxChars` even without the shots left out (the reference would drop it; we keep it). */
  overLimit: boolean;
  /** Length in code points. */
  chars: number;
}

/**
 * Assembles shots and item. With `referenceQuirks` each shot is kept only if the running prompt
 * plus the shot plus the item stays under `maxChars` (the reference's rule); otherwise shots are
 * removed from the end until the prompt is under `maxChars` or none is left.
 */
export function buildPrompt(spec: PromptSpec, item: XMedBenchItem, shots: readonly XMedBenchItem[], eos: string): BuiltPrompt {
  const key = itemTemplateKey(spec, item.source, item.language);
  const body = renderItem(spec.templates[key], item);
  const bodyChars = codePoints(body);
  const rendered = shots.map((s) => ({ id: s.id, text: renderShot(spec.templates[templateKey(s.source, s.language)], s, eos) }));
  let kept: typeof rendered;
  if (spec.referenceQuirks) {
    kept = [];
    let chars = 0;
    for (const s of rendered) {
      const c = codePoints(s.text);
      if (chars + bodyChars + c < spec.maxChars) {
        kept.push(s);
        chars += c;
      }
    }
  } else {
    kept = rendered.slice();
    let chars = kept.reduce((n, s) => n + codePoints(s.text), 0) + bodyChars;
    while (kept.length > 0 && chars >= spec.maxChars) chars -= codePoints(kept.pop()!.text);
  }
  const text = kept.map((s) => s.text).join('') + body;
  const chars = codePoints(text);
  return {
    text,
    templateKey: key,
    shotIds: kept.map((s) => s.id),
    shotsDrawn: shots.length,
    shotsDropped: shots.length - kept.length,
    overLimit: chars > spec.maxChars,
    chars,
  };
}

/** Items grouped by source, to draw few-shot examples from. */
export class ShotPool {
  private readonly bySource = new Map<string, XMedBenchItem[]>();

  constructor(items: Iterable<XMedBenchItem>) {
    for (const item of items) {
      const list = this.bySource.get(item.source);
      if (list) list.push(item);
      else this.bySource.set(item.source, [item]);
    }
    // Sorted by content hash so a draw does not depend on the order of the pool's files.
    for (const list of this.bySource.values()) list.sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  }

  /** Items of a source in the pool. */
  size(source: string): number {
    return this.bySource.get(source)?.length ?? 0;
  }

  /**
   * Draws up to `k` shots of the item's source, never the item itself nor a copy of it (same
   * content hash: the dev split is a subset of the test split). The draw depends only on `seed`,
   * the item's hash and the set of same-source items in the pool.
   */
  draw(item: XMedBenchItem, k: number, seed: string | number): XMedBenchItem[] {
    const candidates = (this.bySource.get(item.source) ?? []).filter((s) => s.hash !== item.hash);
    return sample(candidates, k, seededRandom(String(seed), item.hash));
  }
}
