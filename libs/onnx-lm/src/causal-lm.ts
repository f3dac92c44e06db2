import type { InferenceSession } from 'onnxruntime-node';
import { planBatches } from './batching';
import { readModelDir, type ModelFiles } from './model-dir';
import { createSession, forward, graphSignature, logSoftmaxAt, type GraphSignature } from './session';
import { TextTokenizer, type BosPolicy } from './tokenizer';

export interface CausalLMOptions {
  /** Graph file inside the folder. Default: the first of model.onnx, decoder_model_merged.onnx, decoder_model.onnx, onnx/model.onnx. */
  modelFile?: string;
  /** Intra-op threads. Default: all cores. */
  threads?: number;
  /** BOS rule. Default `auto` (by tokenizer_config.json, then model family). */
  bos?: BosPolicy;
}

export interface BatchOptions {
  /**
   * Padded tokens per forward pass (rows x longest row). Default 8192, lowered so that the
   * [batch, seq, vocab] float32 logits stay under 1 GiB.
   */
  batchTokens?: number;
  /** Rows per forward pass at most. Default unlimited. */
  maxBatch?: number;
  /** Called after each forward pass with the number of sequences done so far. */
  onProgress?: (done: number, total: number) => void;
}

/** Log-probs wanted after a sequence: of the given token ids, at its last position. */
export interface NextTokenRequest {
  ids: readonly number[];
  select: readonly number[];
}

/** Log-probs of the tokens `ids[from..]`, each given everything before it. */
export interface ContinuationRequest {
  ids: readonly number[];
  from: number;
}

/** A causal language model in an ONNX graph, with its tokenizer. */
export class CausalLM {
  private constructor(
    readonly files: ModelFiles,
    readonly tokenizer: TextTokenizer,
    private readonly session: InferenceSession,
    readonly signature: GraphSignature,
  ) {}

  static async load(dir: string, options: CausalLMOptions = {}): Promise<CausalLM> {
    const files = await readModelDir(dir, options.modelFile);
    const tokenizer = new TextTokenizer(files, options.bos);
    const session = await createSession(files.modelFile, { ...(options.threads ? { threads: options.threads } : {}) });
    return new CausalLM(files, tokenizer, session, graphSignature(session, files.config));
  }

  private get padId(): number {
    return this.files.config.pad_token_id ?? this.tokenizer.eosId ?? 0;
  }

  private budget(options: BatchOptions): number {
    const cap = Math.floor(2 ** 30 / (4 * Math.max(1, this.tokenizer.vocabSize)));
    return Math.max(1, Math.min(options.batchTokens ?? 8192, cap));
  }

  /** Runs sequences in length-sorted batches; `take` reads what it needs from each batch's logits. */
  private async batched<T>(
    seqs: readonly (readonly number[])[],
    options: BatchOptions,
    take: (logits: Awaited<ReturnType<typeof forward>>, row: number, index: number) => T,
  ): Promise<T[]> {
    const results = new Array<T>(seqs.length);
    let done = 0;
    for (const batch of planBatches(
      seqs.map((s) => s.length),
      this.budget(options),
      options.maxBatch,
    )) {
      const logits = await forward(
        this.session,
        this.signature,
        batch.map((i) => seqs[i]!),
        this.padId,
      );
      batch.forEach((index, row) => {
        results[index] = take(logits, row, index);
      });
      done += batch.length;
      options.onProgress?.(done, seqs.length);
    }
    return results;
  }

  /** For each request, the log-probs of `select` tokens as the next token after `ids` (one forward pass each). */
  async nextTokenLogProbs(requests: readonly NextTokenRequest[], options: BatchOptions = {}): Promise<number[][]> {
    for (const r of requests) if (r.ids.length === 0) throw new Error('cannot score after an empty sequence');
    return this.batched(
      requests.map((r) => r.ids),
      options,
      (logits, row, index) => {
        const r = requests[index]!;
        const lp = logSoftmaxAt(logits, row, r.ids.length - 1);
        return r.select.map((id) => lp[id]!);
      },
    );
  }

  /** For each request, the log-prob of every token from `from` on (summed by the caller as needed). */
  async continuationLogProbs(requests: readonly ContinuationRequest[], options: BatchOptions = {}): Promise<number[][]> {
    for (const r of requests) if (r.from < 1 || r.from > r.ids.length) throw new Error(`continuation start ${r.from} outside 1..${r.ids.length}`);
    return this.batched(
      requests.map((r) => r.ids),
      options,
      (logits, row, index) => {
        const r = requests[index]!;
        const out: number[] = [];
        for (let p = r.from; p < r.ids.length; p++) out.push(logSoftmaxAt(logits, row, p - 1)[r.ids[p]!]!);
        return out;
      },
    );
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
