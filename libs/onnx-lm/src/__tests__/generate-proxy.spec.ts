import { join } from 'node:path';
import { CausalLM } from '../causal-lm';
import { codePointLength, scoreContinuations } from '../choice';
import { argmaxLogits, generateGreedy } from '../generate';
import { checkSharedVocab, combineLetterScores, combineLogits, ProxyLM } from '../proxy';
import { TextTokenizer } from '../tokenizer';
import { readModelDir } from '../model-dir';

const FIXTURE = join(__dirname, '../../../../tools/tiny-model/fixture');

describe('generation, continuations and proxy-tuning on the tiny fixture', () => {
  let lm: CausalLM;
  beforeAll(async () => {
    lm = await CausalLM.load(FIXTURE, { threads: 1 });
  });
  afterAll(async () => {
    await lm.close();
  });

  const prompts = ['User:Question: fever and cough?\nOptions:\n(A) flu.\n(B) cold.\nAssistant:', 'User:问题: 发热?\n选项:\n(A) 感冒.\n(B) 肺炎.\nAssistant:'];

  it('finds the with-past graph and decodes with its KV cache exactly as full recomputation does', async () => {
    expect(lm.usesKvCache).toBe(true);
    expect(lm.pastModelFile).toBe(join(FIXTURE, 'model_with_past.onnx'));
    const cached = await generateGreedy(lm, prompts, { maxNewTokens: 12 });
    const recomputed = await generateGreedy(lm, prompts, { maxNewTokens: 12, decoder: () => lm.recomputeDecoder() });
    expect(cached).toEqual(recomputed);
    cached.forEach((g, i) => {
      expect(g.tokens).toBeGreaterThan(0);
      expect(g.promptTokens).toBe(lm.tokenizer.encode(prompts[i]!).length);
    });
    // The KV-cache logits after the prompt equal the full forward pass at the last position.
    const dec = lm.decoder();
    const ids = lm.tokenizer.encode(prompts[0]!);
    const step = await dec.feed(ids);
    const full = await lm.forwardRows([ids]);
    const last = full.data.subarray((ids.length - 1) * full.vocab, ids.length * full.vocab);
    let worst = 0;
    for (let v = 0; v < full.vocab; v++) worst = Math.max(worst, Math.abs(step[v]! - last[v]!));
    expect(worst).toBeLessThan(1e-4);
    expect(argmaxLogits(step)).toBe(argmaxLogits(last));
  });

  it('cuts generations at stop strings', async () => {
    const free = await generateGreedy(lm, [prompts[0]!], { maxNewTokens: 16 });
    const text = free[0]!.text;
    if (text.length < 2) return; // the model ended at once: nothing to cut
    const stop = text.slice(1, 2);
    const cut = await generateGreedy(lm, [prompts[0]!], { maxNewTokens: 16, stop: [stop] });
    expect(cut[0]!.finish).toBe('stop');
    expect(cut[0]!.text).toBe(text.slice(0, text.indexOf(stop)));
  });

  it('scores continuations with joint tokenization: sum of token log-probs, lengths in code points', async () => {
    const ctx = 'User:Question: x?\nAssistant:The correct answer is ';
    const conts = ['(A) 肺炎.', '(B) flu'];
    const [s] = await scoreContinuations(lm, [{ context: ctx, continuations: conts }]);
    expect(s!.chars).toEqual([7, 7]);
    expect(codePointLength('𝒳a')).toBe(2);
    for (let k = 0; k < conts.length; k++) {
      const whole = lm.tokenizer.encode(ctx + conts[k]);
      const from = lm.tokenizer.encode(ctx).length;
      let sum = 0;
      for (let p = from; p < whole.length; p++) {
        const [lp] = await lm.nextTokenLogProbs([{ ids: whole.slice(0, p), select: [whole[p]!] }]);
        sum += lp![0]!;
      }
      expect(Math.abs(s!.logprobs[k]! - sum)).toBeLessThan(1e-5);
      expect(s!.tokens[k]).toBe(whole.length - from);
    }
  });

  it('proxy with expert = antiexpert returns the base logits exactly', async () => {
    const proxy = new ProxyLM(lm, lm, lm, 3);
    const rows = [lm.tokenizer.encode(prompts[0]!), lm.tokenizer.encode(prompts[1]!)];
    const a = await lm.forwardRows(rows);
    const b = await proxy.forwardRows(rows);
    expect(Buffer.from(b.data.buffer, b.data.byteOffset, b.data.byteLength).equals(Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength))).toBe(true);
    const g1 = await generateGreedy(lm, prompts, { maxNewTokens: 5 });
    const g2 = await generateGreedy(proxy, prompts, { maxNewTokens: 5 });
    expect(g2).toEqual(g1);
  });

  it('combines logits with a zero-padded offset when vocabularies differ in size', () => {
    const base = Float32Array.from([1, 2, 3, 4]);
    const expert = Float32Array.from([1, 1, 1]);
    const anti = Float32Array.from([0, 2, 1]);
    expect([...combineLogits(base, expert, anti, 2)]).toEqual([3, 0, 3, 4]);
    expect(combineLetterScores([-1, -2], [-0.5, -3], [-1, -1], 0.5)).toEqual([-0.75, -3]);
  });

  it('rejects tokenizers that give shared tokens different ids', async () => {
    const files = await readModelDir(FIXTURE);
    const tj = files.tokenizerJson as { model: { vocab: Record<string, number> } };
    const vocab = { ...tj.model.vocab };
    const [t1, t2] = Object.keys(vocab).slice(300, 302) as [string, string];
    [vocab[t1], vocab[t2]] = [vocab[t2]!, vocab[t1]!];
    const swapped = new TextTokenizer({ ...files, tokenizerJson: { ...tj, model: { ...tj.model, vocab } } });
    expect(() => checkSharedVocab(lm.tokenizer, lm.tokenizer)).not.toThrow();
    expect(() => checkSharedVocab(lm.tokenizer, swapped, ['base', 'expert'])).toThrow(/disagree on token ids/);
  });
});
