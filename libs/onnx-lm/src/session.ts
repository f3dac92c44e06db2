import { availableParallelism } from 'node:os';
import { env, InferenceSession, Tensor } from 'onnxruntime-node';
import type { ModelConfig } from './model-dir';

/** Session settings. */
export interface SessionOptions {
  /** Intra-op threads. Default: all cores (`os.availableParallelism()`). */
  threads?: number;
}

/** What the graph expects, read from its input and output metadata. */
export interface GraphSignature {
  hasAttentionMask: boolean;
  hasPositionIds: boolean;
  /** Merged decoders (Optimum's decoder_model_merged) take a `use_cache_branch` flag. */
  hasUseCacheBranch: boolean;
  /** `past_key_values.{i}.key/value` inputs, in graph order, with their element type and [heads, head_dim]. */
  past: { name: string; type: Tensor.Type; heads: number; headDim: number }[];
  /** `present.{i}.key/value` outputs matching `past` one to one (empty when the graph returns none). */
  presentNames: string[];
  logitsName: string;
}

export function onnxruntimeVersion(): string {
  return env.versions.node ?? env.versions.common;
}

function numericDim(d: number | string | undefined): number | undefined {
  return typeof d === 'number' && d > 0 ? d : undefined;
}

/** Reads a decoder graph's inputs; past shapes come from the graph, else from config.json. */
export function graphSignature(session: InferenceSession, config: ModelConfig): GraphSignature {
  const names = new Set(session.inputNames);
  if (!names.has('input_ids')) throw new Error(`the graph has no input_ids input (inputs: ${session.inputNames.join(', ')})`);
  const past: GraphSignature['past'] = [];
  for (const meta of session.inputMetadata) {
    if (!meta.name.startsWith('past_key_values.')) continue;
    if (!meta.isTensor) throw new Error(`${meta.name} is not a tensor input`);
    const heads = numericDim(meta.shape[1]) ?? config.num_key_value_heads ?? config.num_attention_heads;
    const headDim =
      numericDim(meta.shape[3]) ??
      config.head_dim ??
      (config.hidden_size && config.num_attention_heads ? config.hidden_size / config.num_attention_heads : undefined);
    if (!heads || !headDim) throw new Error(`${meta.name}: cannot tell its head count and size from the graph or config.json`);
    past.push({ name: meta.name, type: meta.type, heads, headDim });
  }
  const logitsName = session.outputNames.includes('logits') ? 'logits' : session.outputNames[0]!;
  const outputs = new Set(session.outputNames);
  const presentNames = past.map((p) => p.name.replace(/^past_key_values\./, 'present.'));
  return {
    presentNames: presentNames.every((n) => outputs.has(n)) ? presentNames : [],
    hasAttentionMask: names.has('attention_mask'),
    hasPositionIds: names.has('position_ids'),
    hasUseCacheBranch: names.has('use_cache_branch'),
    past,
    logitsName,
  };
}

export async function createSession(modelFile: string, options: SessionOptions = {}): Promise<InferenceSession> {
  return InferenceSession.create(modelFile, {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: options.threads ?? availableParallelism(),
    interOpNumThreads: 1,
    executionMode: 'sequential',
  });
}

/** float16 bits -> number (logits of half-precision exports). */
function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** Logits of one forward pass, [batch, seq, vocab], as float32 whatever the graph's type. */
export interface Logits {
  data: Float32Array;
  batch: number;
  seq: number;
  vocab: number;
}

function emptyPast(type: Tensor.Type, batch: number, heads: number, headDim: number): Tensor {
  const dims = [batch, heads, 0, headDim];
  if (type === 'float32') return new Tensor('float32', new Float32Array(0), dims);
  if (type === 'float16') return new Tensor('float16', new Uint16Array(0), dims);
  throw new Error(`unsupported past_key_values type ${type}`);
}

/**
 * One forward pass over right-padded rows. Right padding keeps every real position exactly as
 * in an unpadded run of a causal model (pads come after, so nothing real attends to them).
 * Graphs that want past key/values get empty ones; `position_ids` count real tokens.
 */
export async function forward(session: InferenceSession, sig: GraphSignature, rows: readonly (readonly number[])[], padId: number): Promise<Logits> {
  const batch = rows.length;
  const seq = Math.max(...rows.map((r) => r.length));
  const ids = new BigInt64Array(batch * seq);
  const mask = new BigInt64Array(batch * seq);
  const pos = new BigInt64Array(batch * seq);
  for (let b = 0; b < batch; b++) {
    const row = rows[b]!;
    for (let t = 0; t < seq; t++) {
      const real = t < row.length;
      ids[b * seq + t] = BigInt(real ? row[t]! : padId);
      mask[b * seq + t] = real ? 1n : 0n;
      // Pads get position 1, as Hugging Face does (cumsum(mask) - 1, then masked_fill 1).
      pos[b * seq + t] = real ? BigInt(t) : 1n;
    }
  }
  const feeds: Record<string, Tensor> = { input_ids: new Tensor('int64', ids, [batch, seq]) };
  if (sig.hasAttentionMask) feeds['attention_mask'] = new Tensor('int64', mask, [batch, seq]);
  if (sig.hasPositionIds) feeds['position_ids'] = new Tensor('int64', pos, [batch, seq]);
  if (sig.hasUseCacheBranch) feeds['use_cache_branch'] = new Tensor('bool', new Uint8Array([0]), [1]);
  for (const p of sig.past) feeds[p.name] = emptyPast(p.type, batch, p.heads, p.headDim);
  const out = await session.run(feeds, [sig.logitsName]);
  return readLogits(out[sig.logitsName]!, batch, seq);
}

function readLogits(logits: Tensor, batch: number, seq: number): Logits {
  const [ob, os, ov] = logits.dims as number[];
  if (ob !== batch || os !== seq || ov === undefined) throw new Error(`unexpected logits shape [${logits.dims.join(', ')}] for input [${batch}, ${seq}]`);
  let data: Float32Array;
  if (logits.type === 'float32') data = logits.data as Float32Array;
  else if (logits.type === 'float16') data = Float32Array.from(logits.data as Uint16Array, halfToFloat);
  else throw new Error(`unsupported logits type ${logits.type}`);
  return { data, batch, seq, vocab: ov };
}

/** Past key/values of one sequence, as the graph returned them (one tensor per past input). */
export interface PastState {
  tensors: Tensor[];
  length: number;
}

/**
 * One incremental step of a single sequence (batch 1) through a graph with past inputs and
 * present outputs: `ids` are the new tokens, `past` what earlier steps returned (null at the
 * start: empty past tensors are fed). Returns the logits of the new tokens and the new past.
 */
export async function forwardStep(session: InferenceSession, sig: GraphSignature, ids: readonly number[], past: PastState | null): Promise<{ logits: Logits; past: PastState }> {
  if (sig.presentNames.length === 0) throw new Error('the graph returns no present key/values: it cannot decode incrementally');
  const pastLen = past?.length ?? 0;
  const total = pastLen + ids.length;
  const feeds: Record<string, Tensor> = { input_ids: new Tensor('int64', BigInt64Array.from(ids, (i) => BigInt(i)), [1, ids.length]) };
  if (sig.hasAttentionMask) feeds['attention_mask'] = new Tensor('int64', new BigInt64Array(total).fill(1n), [1, total]);
  if (sig.hasPositionIds) feeds['position_ids'] = new Tensor('int64', BigInt64Array.from(ids, (_, k) => BigInt(pastLen + k)), [1, ids.length]);
  if (sig.hasUseCacheBranch) feeds['use_cache_branch'] = new Tensor('bool', new Uint8Array([pastLen > 0 ? 1 : 0]), [1]);
  sig.past.forEach((p, k) => (feeds[p.name] = past ? past.tensors[k]! : emptyPast(p.type, 1, p.heads, p.headDim)));
  const out = await session.run(feeds, [sig.logitsName, ...sig.presentNames]);
  return { logits: readLogits(out[sig.logitsName]!, 1, ids.length), past: { tensors: sig.presentNames.map((n) => out[n]!), length: total } };
}

/** log-softmax of one position's logits, in float64. */
export function logSoftmaxAt(logits: Logits, row: number, position: number): Float64Array {
  const off = (row * logits.seq + position) * logits.vocab;
  const v = logits.data.subarray(off, off + logits.vocab);
  let max = -Infinity;
  for (let i = 0; i < v.length; i++) if (v[i]! > max) max = v[i]!;
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += Math.exp(v[i]! - max);
  const lse = max + Math.log(sum);
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! - lse;
  return out;
}
