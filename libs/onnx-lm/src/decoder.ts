import type { InferenceSession } from 'onnxruntime-node';
import { forwardStep, type GraphSignature, type Logits, type PastState } from './session';

/** Feeds one sequence token by token; each call returns the logits after the last token fed. */
export interface IncrementalDecoder {
  /** Appends `ids` (the prompt at first, then one token per step); returns the last position's logits. */
  feed(ids: readonly number[]): Promise<Float32Array>;
}

function lastRow(logits: Logits): Float32Array {
  const off = (logits.seq - 1) * logits.vocab;
  return logits.data.subarray(off, off + logits.vocab);
}

/** Keeps the graph's present key/values between steps: each step runs only the new tokens. */
export class KvCacheDecoder implements IncrementalDecoder {
  private past: PastState | null = null;

  /** `graph` gives the session with past inputs and present outputs (created lazily by the model). */
  constructor(private readonly graph: () => Promise<{ session: InferenceSession; signature: GraphSignature }>) {}

  async feed(ids: readonly number[]): Promise<Float32Array> {
    if (ids.length === 0) throw new Error('nothing to feed');
    const { session, signature } = await this.graph();
    const step = await forwardStep(session, signature, ids, this.past);
    this.past = step.past;
    return lastRow(step.logits);
  }
}

/** For graphs without past outputs: reruns the whole sequence every step (quadratic, but exact). */
export class FullRecomputeDecoder implements IncrementalDecoder {
  private readonly ids: number[] = [];

  constructor(private readonly run: (rows: readonly (readonly number[])[]) => Promise<Logits>) {}

  async feed(ids: readonly number[]): Promise<Float32Array> {
    if (ids.length === 0) throw new Error('nothing to feed');
    this.ids.push(...ids);
    return lastRow(await this.run([this.ids]));
  }
}
