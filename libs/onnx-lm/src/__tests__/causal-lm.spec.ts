import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { planBatches } from '../batching';
import { CausalLM } from '../causal-lm';
import { readModelDir } from '../model-dir';
import { addsBos, TextTokenizer } from '../tokenizer';

const FIXTURE = join(__dirname, '../../../../tools/tiny-model/fixture');

describe('planBatches', () => {
  it('sorts by length, keeps padded size within budget, covers every index once', () => {
    const lengths = [5, 40, 7, 40, 3, 100, 12, 12, 1];
    const batches = planBatches(lengths, 80);
    expect(batches.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
    expect(batches[0]).toEqual([5]); // 100 > budget: alone
    for (const b of batches.slice(1)) expect(b.length * Math.max(...b.map((i) => lengths[i]!))).toBeLessThanOrEqual(80);
    const flat = batches.flat().map((i) => lengths[i]!);
    expect(flat).toEqual([...flat].sort((a, b) => b - a));
    expect(planBatches(lengths, 1e9, 4).every((b) => b.length <= 4)).toBe(true);
  });
});

describe('BOS rules', () => {
  it('follows add_bos_token, then the model family', () => {
    expect(addsBos({ config: { model_type: 'qwen2' }, tokenizerConfig: {} })).toBe(false);
    expect(addsBos({ config: { model_type: 'gemma' }, tokenizerConfig: {} })).toBe(true);
    expect(addsBos({ config: { model_type: 'llama' }, tokenizerConfig: { add_bos_token: false } })).toBe(false);
    expect(addsBos({ config: { model_type: 'qwen2' }, tokenizerConfig: {} }, 'always')).toBe(true);
  });

  it('prepends the BOS id when the family wants one', async () => {
    const files = await readModelDir(FIXTURE);
    const plain = new TextTokenizer(files);
    expect(plain.addBos).toBe(false);
    expect(plain.eosText).toBe('<|endoftext|>');
    const gemmaLike = new TextTokenizer({ ...files, config: { ...files.config, model_type: 'gemma' }, tokenizerConfig: { ...files.tokenizerConfig, add_bos_token: undefined, bos_token: '<|endoftext|>' } });
    const ids = gemmaLike.encode('Question: x');
    expect(ids[0]).toBe(gemmaLike.bosId);
    expect(ids.slice(1)).toEqual(plain.encode('Question: x'));
  });

  it('recognises the EOS text inside prompts as one token', async () => {
    const tok = new TextTokenizer(await readModelDir(FIXTURE));
    const ids = tok.encode('is (B).<|endoftext|>\nUser:');
    expect(ids.filter((i) => i === tok.eosId)).toHaveLength(1);
    expect(tok.decode(ids)).toBe('is (B).<|endoftext|>\nUser:');
  });
});

describe('CausalLM on the tiny fixture', () => {
  let lm: CausalLM;
  beforeAll(async () => {
    lm = await CausalLM.load(FIXTURE, { threads: 1 });
  });
  afterAll(async () => {
    await lm.close();
  });

  it('matches the log-probs PyTorch computed at build time (parity.json) within 1e-4', async () => {
    const parity = JSON.parse(readFileSync(join(FIXTURE, 'parity.json'), 'utf8')) as { ids: number[]; logprobs: number[] }[];
    const all = parity[0]!.logprobs.map((_, i) => i);
    const got = await lm.nextTokenLogProbs(
      parity.map((p) => ({ ids: p.ids, select: all })),
      { batchTokens: 1024 },
    );
    let worst = 0;
    parity.forEach((p, i) => p.logprobs.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - got[i]![j]!)))));
    expect(worst).toBeLessThan(1e-4);
    // Not a uniform model: the top token is far above the mean.
    const lp = parity[3]!.logprobs;
    expect(Math.max(...lp) - lp.reduce((a, b) => a + b, 0) / lp.length).toBeGreaterThan(1);
  });

  it('gives the same results batched and one by one, in the original order', async () => {
    const tok = lm.tokenizer;
    const texts = ['Question: fever?', 'The correct answer is (', '正确答案是(', 'सही उत्तर है(', 'a', 'Assistant:('];
    const select = ['A', 'B', 'C', 'D'].map((l) => tok.encodeText(l)[0]!);
    const reqs = texts.map((t) => ({ ids: tok.encode(t), select }));
    const batched = await lm.nextTokenLogProbs(reqs, { batchTokens: 4096 });
    const single = await lm.nextTokenLogProbs(reqs, { maxBatch: 1 });
    batched.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(single[i]![j]!, 5)));
    expect(batched[1]).not.toEqual(batched[2]);
  });

  it('continuation log-probs agree with next-token log-probs', async () => {
    const ids = lm.tokenizer.encode('The correct answer is (B).');
    const [cont] = await lm.continuationLogProbs([{ ids, from: ids.length - 3 }]);
    for (let k = 0; k < 3; k++) {
      const p = ids.length - 3 + k;
      const [next] = await lm.nextTokenLogProbs([{ ids: ids.slice(0, p), select: [ids[p]!] }]);
      expect(cont![k]).toBeCloseTo(next![0]!, 5);
    }
  });

  it('checks that a letter is one token in context', () => {
    const tok = lm.tokenizer;
    const ctx = 'The correct answer is (';
    expect(tok.singleTokenAfter(tok.encode(ctx), ctx, 'B')).toBe(tok.encodeText('B')[0]);
    // "is" + "n" merges differently in context: not a single appended token.
    expect(tok.singleTokenAfter(tok.encode('The correct answer i'), 'The correct answer i', 's')).toBeNull();
  });

  it('feeds empty past key/values to a graph that takes them, with the same logits', async () => {
    const withPast = await CausalLM.load(FIXTURE, { modelFile: 'model_with_past.onnx', threads: 1 });
    try {
      expect(withPast.signature.past.map((p) => p.name)).toEqual([
        'past_key_values.0.key',
        'past_key_values.0.value',
        'past_key_values.1.key',
        'past_key_values.1.value',
      ]);
      const tok = lm.tokenizer;
      const all = Array.from({ length: tok.vocabSize }, (_, i) => i);
      const reqs = ['Question: chest pain', '问题: 发热'].map((t) => ({ ids: tok.encode(t), select: all }));
      const a = await lm.nextTokenLogProbs(reqs);
      const b = await withPast.nextTokenLogProbs(reqs);
      a.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - b[i]![j]!)).toBeLessThan(1e-5)));
    } finally {
      await withPast.close();
    }
  });
});
