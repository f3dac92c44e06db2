import { LogitsModel } from './causal-lm';
import type { IncrementalDecoder } from './decoder';
import type { Logits } from './session';
import type { TextTokenizer } from './tokenizer';

/**
 * Checks that two tokenizers give the same id to every token they share: proxy-tuning adds
 * logits id by id, which is meaningless otherwise. Extra ids on one side (vocabularies padded
 * to different sizes, added tokens at the end) are allowed. Throws naming the first mismatches.
 */
export function checkSharedVocab(a: TextTokenizer, b: TextTokenizer, names: [string, string] = ['base', 'other']): void {
  const va = a.vocab();
  const vb = b.vocab();
  const bad: string[] = [];
  for (const [token, id] of va) {
    const other = vb.get(token);
    if (other !== undefined && other !== id) bad.push(`${JSON.stringify(token)} is ${id} in ${names[0]} but ${other} in ${names[1]}`);
    if (bad.length >= 3) break;
  }
  const shared = [...va.keys()].filter((t) => vb.has(t)).length;
  if (bad.length > 0) throw new Error(`vocabularies disagree on token ids: ${bad.join('; ')}`);
  if (shared < Math.min(va.size, vb.size) * 0.99) {
    throw new Error(`${names[0]} and ${names[1]} share only ${shared} of ${Math.min(va.size, vb.size)} tokens: not the same tokenizer family`);
  }
}

/**
 * base + alpha * (expert - antiexpert), position by position. The offset (expert - antiexpert)
 * covers the ids both small models have; it is zero beyond them (vocabularies padded to
 * different sizes), and ids beyond the base's vocabulary are ignored. With expert and
 * antiexpert equal the offset is exactly zero and the base logits come back unchanged.
 */
export function combineLogits(base: Float32Array, expert: Float32Array, anti: Float32Array, alpha: number, out = new Float32Array(base.length)): Float32Array {
  const n = Math.min(base.length, expert.length, anti.length);
  for (let v = 0; v < n; v++) out[v] = base[v]! + alpha * (expert[v]! - anti[v]!);
  for (let v = n; v < base.length; v++) out[v] = base[v]!;
  return out;
}

/** Proxy-tuning (Liu et al. 2024) over three models that share a tokenizer: decoding-time steering of `base` by `expert - antiexpert`. */
export class ProxyLM extends LogitsModel {
  readonly tokenizer: TextTokenizer;

  constructor(
    readonly base: LogitsModel,
    readonly expert: LogitsModel,
    readonly antiexpert: LogitsModel,
    readonly alpha: number,
  ) {
    super();
    checkSharedVocab(base.tokenizer, expert.tokenizer, ['base', 'expert']);
    checkSharedVocab(base.tokenizer, antiexpert.tokenizer, ['base', 'antiexpert']);
    if (base.tokenizer.addBos !== expert.tokenizer.addBos || base.tokenizer.addBos !== antiexpert.tokenizer.addBos) {
      throw new Error('the three models disagree on the BOS rule (pass --bos to force one)');
    }
    this.tokenizer = base.tokenizer;
  }

  get usesKvCache(): boolean {
    return this.base.usesKvCache && this.expert.usesKvCache && this.antiexpert.usesKvCache;
  }

  async forwardRows(rows: readonly (readonly number[])[]): Promise<Logits> {
    const b = await this.base.forwardRows(rows);
    const e = await this.expert.forwardRows(rows);
    const a = await this.antiexpert.forwardRows(rows);
    const out = new Float32Array(b.data.length);
    for (let p = 0; p < b.batch * b.seq; p++) {
      combineLogits(
        b.data.subarray(p * b.vocab, (p + 1) * b.vocab),
        e.data.subarray(p * e.vocab, (p + 1) * e.vocab),
        a.data.subarray(p * a.vocab, (p + 1) * a.vocab),
        this.alpha,
        out.subarray(p * b.vocab, (p + 1) * b.vocab),
      );
    }
    return { ...b, data: out };
  }

  decoder(): IncrementalDecoder {
    const decs = [this.base.decoder(), this.expert.decoder(), this.antiexpert.decoder()] as const;
    return {
      feed: async (ids) => {
        const b = await decs[0].feed(ids);
        const e = await decs[1].feed(ids);
        const a = await decs[2].feed(ids);
        return combineLogits(b, e, a, this.alpha);
      },
    };
  }

  async close(): Promise<void> {
    // The three models may be the same object (expert = antiexpert in checks); release each once.
    for (const m of new Set([this.base, this.expert, this.antiexpert])) await m.close();
  }
}

/**
 * Letter-mode proxy scores from per-model letter log-probs: base + alpha * (expert - antiexpert).
 * These equal the proxy-tuned log-probs of the letters up to one constant per item (each
 * model's log-normalizer), so the prediction is the same as from combined logits and an alpha
 * sweep needs no new forward passes.
 */
export function combineLetterScores(base: readonly number[], expert: readonly number[], anti: readonly number[], alpha: number): number[] {
  return base.map((b, i) => b + alpha * (expert[i]! - anti[i]!));
}
