import type { LogitsModel } from './causal-lm';
import type { IncrementalDecoder } from './decoder';

export interface GenerateOptions {
  /** New tokens at most. Default 32. */
  maxNewTokens?: number;
  /** Generation stops when the text contains one of these; the text is cut before it. Default none (the EOS token always stops). */
  stop?: readonly string[];
  /** Called after each finished sequence. */
  onProgress?: (done: number, total: number) => void;
  /** Decoder factory; default the model's own (KV cache when it has one). */
  decoder?: () => IncrementalDecoder;
}

export interface Generation {
  /** Generated text, cut before the first stop string. */
  text: string;
  /** Tokens generated (the EOS included when it ended the sequence). */
  tokens: number;
  /** Why it ended: `eos`, `stop` (a stop string), `length` (maxNewTokens). */
  finish: 'eos' | 'stop' | 'length';
  /** Prompt tokens (BOS included). */
  promptTokens: number;
}

/** Index of the highest logit; ties go to the lowest id (as torch.argmax does). */
export function argmaxLogits(v: Float32Array): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

/** The earliest position at which one of `stop` occurs in `text`, or -1. */
function firstStop(text: string, stop: readonly string[]): number {
  let at = -1;
  for (const s of stop) {
    const i = s.length > 0 ? text.indexOf(s) : -1;
    if (i !== -1 && (at === -1 || i < at)) at = i;
  }
  return at;
}

/**
 * Greedy decoding, one sequence at a time (batch 1: right padding cannot be used while
 * decoding, and left padding would change the positions of models that derive them from the
 * cache length). Each prompt is fed once, then one token per step through the decoder (a KV
 * cache when the model has a past graph).
 */
export async function generateGreedy(lm: LogitsModel, prompts: readonly string[], options: GenerateOptions = {}): Promise<Generation[]> {
  const max = options.maxNewTokens ?? 32;
  const stop = options.stop ?? [];
  const eos = lm.tokenizer.eosId;
  const out: Generation[] = [];
  for (const prompt of prompts) {
    const ids = lm.tokenizer.encode(prompt);
    if (ids.length === 0) throw new Error('cannot generate after an empty prompt');
    const dec = options.decoder ? options.decoder() : lm.decoder();
    const generated: number[] = [];
    let logits = await dec.feed(ids);
    let finish: Generation['finish'] = 'length';
    let text = '';
    while (generated.length < max) {
      const next = argmaxLogits(logits);
      generated.push(next);
      if (next === eos) {
        finish = 'eos';
        break;
      }
      text = lm.tokenizer.decode(generated);
      const at = firstStop(text, stop);
      if (at !== -1) {
        text = text.slice(0, at);
        finish = 'stop';
        break;
      }
      if (generated.length < max) logits = await dec.feed([next]);
    }
    if (finish === 'eos') text = lm.tokenizer.decode(generated.slice(0, -1));
    out.push({ text, tokens: generated.length, finish, promptTokens: ids.length });
    options.onProgress?.(out.length, prompts.length);
  }
  return out;
}
