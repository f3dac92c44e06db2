import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';
import { planBatches } from './batching';
import { FullRecomputeDecoder, KvCacheDecoder, type IncrementalDecoder } from './decoder';
import { readModelDir, type ModelFiles } from './model-dir';
import { createSession, forward, graphSignature, logSoftmaxAt, type GraphSignature, type Logits } from './session';
import { TextTokenizer, type BosPolicy } from './tokenizer';

export interface CausalLMOptions {
  /** Graph file inside the folder. Default: the first of model.onnx, decoder_model_merged.onnx, decoder_model.onnx, onnx/model.onnx. */
  modelFile?: string;
  /**
   * Graph with past key/values inputs and present outputs, for generation with a KV cache.
   * Default: the main graph when it has both, else the first of `model_with_past.onnx` and
   * `decoder_with_past_model.onnx` (older Optimum) the folder has, loaded on first use (scoring
   * modes never load it), else none (generation recomputes the whole sequence each step).
   */
  pastModelFile?: string;
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

/**
 * Anything that turns token rows into next-token logits: one ONNX model, or a proxy-tuned
 * combination of three. Scoring (next-token, continuation) and generation are written once
 * on top of `forwardRows` and `decoder`.
 */
export abstract class LogitsModel {
  abstract readonly tokenizer: TextTokenizer;
  /** Logits for right-padded rows, [batch, seq, vocab]. */
  abstract forwardRows(rows: readonly (readonly number[])[]): Promise<Logits>;
  /** A fresh incremental decoder for one sequence (generation). */
  abstract decoder(): IncrementalDecoder;
  /** Whether `decoder()` keeps a KV cache (else it recomputes the sequence each step). */
  abstract readonly usesKvCache: boolean;
  abstract close(): Promise<void>;

  protected budget(options: BatchOptions): number {
    const cap = Math.floor(2 ** 30 / (4 * Math.max(1, this.tokenizer.vocabSize)));
    return Math.max(1, Math.min(options.batchTokens ?? 8192, cap));
  }

  /** Runs sequences in length-sorted batches; `take` reads what it needs from each batch's logits. */
  private async batched<T>(
    seqs: readonly (readonly number[])[],
    options: BatchOptions,
    take: (logits: Logits, row: number, index: number) => T,
  ): Promise<T[]> {
    const results = new Array<T>(seqs.length);
    let done = 0;
    for (const batch of planBatches(
      seqs.map((s) => s.length),
      this.budget(options),
      options.maxBatch,
    )) {
      const logits = await this.forwardRows(batch.map((i) => seqs[i]!));
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
}

/** KV-cache graphs tried beside a main graph without past outputs. */
export const PAST_MODEL_FILES = ['model_with_past.onnx', 'decoder_with_past_model.onnx'];

/** A causal language model in an ONNX graph, with its tokenizer. */
export class CausalLM extends LogitsModel {
  private constructor(
    readonly files: ModelFiles,
    readonly tokenizer: TextTokenizer,
    private readonly session: InferenceSession,
    readonly signature: GraphSignature,
    /** The graph file for KV-cache decoding (may be the main graph), or null. */
    private readonly pastFile: string | null,
    private readonly sessionOptions: { threads?: number },
  ) {
    super();
    if (pastFile === files.modelFile) this.past = Promise.resolve({ session, signature });
  }

  /** The KV-cache graph's session, created on first use. */
  private past: Promise<{ session: InferenceSession; signature: GraphSignature }> | null = null;

  private pastSession(): Promise<{ session: InferenceSession; signature: GraphSignature }> {
    if (!this.past) {
      const file = this.pastFile!;
      this.past = createSession(file, this.sessionOptions).then((s) => {
        const sig = graphSignature(s, this.files.config);
        if (sig.past.length === 0 || sig.presentNames.length === 0) throw new Error(`${file}: no past_key_values inputs with present outputs`);
        return { session: s, signature: sig };
      });
    }
    return this.past;
  }

  static async load(dir: string, options: CausalLMOptions = {}): Promise<CausalLM> {
    const files = await readModelDir(dir, options.modelFile);
    const tokenizer = new TextTokenizer(files, options.bos);
    const sessionOptions = options.threads ? { threads: options.threads } : {};
    const session = await createSession(files.modelFile, sessionOptions);
    const signature = graphSignature(session, files.config);
    let pastFile: string | null = null;
    if (options.pastModelFile !== undefined) {
      pastFile = join(dir, options.pastModelFile);
      if (!existsSync(pastFile)) throw new Error(`${pastFile}: missing`);
    } else if (signature.past.length > 0 && signature.presentNames.length > 0) {
      pastFile = files.modelFile;
    } else {
      pastFile = PAST_MODEL_FILES.map((n) => join(dir, n)).find((f) => existsSync(f)) ?? null;
    }
    return new CausalLM(files, tokenizer, session, signature, pastFile, sessionOptions);
  }

  /** The graph file used for KV-cache decoding, or null (generation recomputes). */
  get pastModelFile(): string | null {
    return this.pastFile;
  }

  get usesKvCache(): boolean {
    return this.pastFile !== null;
  }

  private get padId(): number {
    return this.files.config.pad_token_id ?? this.tokenizer.eosId ?? 0;
  }

  forwardRows(rows: readonly (readonly number[])[]): Promise<Logits> {
    return forward(this.session, this.signature, rows, this.padId);
  }

  /** A decoder that forces full recomputation even when a KV-cache graph exists (for checks). */
  recomputeDecoder(): IncrementalDecoder {
    return new FullRecomputeDecoder((rows) => this.forwardRows(rows));
  }

  decoder(): IncrementalDecoder {
    if (this.pastFile) return new KvCacheDecoder(() => this.pastSession());
    return this.recomputeDecoder();
  }

  async close(): Promise<void> {
    if (this.past && this.pastFile !== this.files.modelFile) await (await this.past).session.release();
    await this.session.release();
  }
}
