import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultEvalConfig, type EvalConfig } from '../harness/eval-options';
import { evaluate } from '../harness/evaluate';
import { limitPerSource, shardIndices } from '../harness/item-selection';
import { mergeParts } from '../harness/merge';
import { writeResults } from '../harness/output-files';
import type { Sample } from '../harness/samples';

const ROOT = join(__dirname, '../../../..');
const FIXTURE = join(ROOT, 'tools/tiny-model/fixture');

const base: EvalConfig = { ...defaultEvalConfig(ROOT), shots: 1, limit: 2, threads: 1 };
const ctx = { label: 'tiny', repoRoot: ROOT, totalSeconds: 1 };

const readSamples = (dir: string) =>
  readFileSync(join(dir, 'samples.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Sample);

describe('eval run on the tiny model (2 items per source)', () => {
  it('writes results.json, samples.jsonl, table.md and report.html with everything needed to reproduce', async () => {
    const out = mkdtempSync(join(tmpdir(), 'eval-'));
    const run = await evaluate(base);
    const md = await writeResults(run, out, ctx);

    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    const sources = Object.keys(results.summary.bySource);
    expect(sources).toHaveLength(12);
    for (const s of sources) {
      const stat = results.summary.bySource[s];
      expect(stat.n).toBe(2);
      expect(stat.stderr).toBeCloseTo(Math.sqrt((stat.accuracy * (1 - stat.accuracy)) / 1), 12);
    }
    expect(Object.keys(results.summary.byLanguage).sort()).toEqual(['ar', 'en', 'es', 'fr', 'hi', 'zh']);
    expect(results.summary.paper.complete).toBe(true);
    const fileSha = createHash('sha256').update(readFileSync(join(FIXTURE, 'model.onnx'))).digest('hex');
    expect(results.config.model.sha256).toBe(fileSha);
    expect(results.config.model.eos).toBe('<|endoftext|>');
    expect(results.config.model.pastModelFile).toBe(join(FIXTURE, 'model_with_past.onnx'));
    expect(results.config.onnxruntime).toBe('1.30.0');
    expect(results.config.seed).toBe(1234);
    expect(Object.keys(results.config.promptSpec.hashes)).toHaveLength(7);
    expect(results.counts.loaded['medmcqa']).toBe(210);
    expect(results.timings.scoreSeconds).toBeGreaterThan(0);
    expect(results.cache).toEqual({ file: null, hits: 0, scored: 24 });

    const samples = readSamples(out);
    expect(samples).toHaveLength(24);
    expect(samples.map((s) => s.index)).toEqual(samples.map((_, i) => i));
    for (const s of samples) {
      expect(s.shotIds).toHaveLength(1);
      expect(s.shotIds).not.toContain(s.id); // the dev pool never lends an item its own question
      expect(Object.keys(s.scores!)).toEqual(s.source === 'pubmedqa' ? ['A', 'B', 'C'] : expect.arrayContaining(['A', 'B', 'C', 'D']));
      expect(s.correct).toBe(s.prediction!.join() === s.gold.join());
      expect(s.tokens).toBeGreaterThan(10);
    }
    const correct = samples.filter((s) => s.correct).length;
    expect(results.summary.overall.correct).toBe(correct);

    expect(readFileSync(join(out, 'table.md'), 'utf8')).toBe(md);
    expect(md).toContain('| GPT-4 (paper) | 79.10 |');
    expect(md).toMatch(/\| \*\*tiny\*\* \| [\d.]+ \|/);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<table id="paper-table">');
  });

  it('apollo prompts draw shots from the scored items and are reproducible with the seed', async () => {
    const a = await evaluate({ ...base, prompt: 'apollo', limit: 1 });
    const b = await evaluate({ ...base, prompt: 'apollo', limit: 1 });
    expect(a.sets[0]!.samples.map((s) => s.promptHash)).toEqual(b.sets[0]!.samples.map((s) => s.promptHash));
    expect(a.sets[0]!.samples.map((s) => s.scores)).toEqual(b.sets[0]!.samples.map((s) => s.scores));
    expect(a.spec.referenceQuirks).toBe(true);
  });

  it('limits per source in file order, and shards round robin', () => {
    const items = ['a', 'b', 'a', 'a', 'b'].map((source, index) => ({ source, index }) as never);
    expect(limitPerSource(items, 2).map((i: { index: number }) => i.index)).toEqual([0, 1, 2, 4]);
    expect(limitPerSource(items, 0)).toHaveLength(5);
    expect(shardIndices(7, 1, 3)).toEqual([1, 4]);
    expect([...shardIndices(7, 0, 2), ...shardIndices(7, 1, 2)].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(() => shardIndices(7, 2, 2)).toThrow(/rank/);
  });
});

describe('scoring modes', () => {
  it('continuation: acc from summed log-probs, acc_norm from log-prob per character', async () => {
    const run = await evaluate({ ...base, mode: 'continuation', limit: 1 });
    const set = run.sets[0]!;
    expect(set.summaryNorm).toBeDefined();
    for (const s of set.samples) {
      expect(s.method).toBe('continuation');
      const letters = Object.keys(s.scores!);
      const best = letters.reduce((a, b) => (s.scores![b]! > s.scores![a]! ? b : a));
      const bestNorm = letters.reduce((a, b) => (s.scoresNorm![b]! > s.scoresNorm![a]! ? b : a));
      expect(s.prediction).toEqual([best]);
      expect(s.predictionNorm).toEqual([bestNorm]);
      for (const l of letters) expect(s.scores![l]!).toBeLessThan(0);
    }
    expect(set.summaryNorm!.overall.correct).toBe(set.samples.filter((s) => s.correctNorm).length);
  });

  it('generate: greedy text, reference extraction, invalid answers counted', async () => {
    const run = await evaluate({ ...base, mode: 'generate', limit: 1, maxNewTokens: 6 });
    const set = run.sets[0]!;
    expect(set.samples).toHaveLength(12);
    for (const s of set.samples) {
      expect(typeof s.generated).toBe('string');
      expect(s.generatedTokens).toBeLessThanOrEqual(6);
      expect(['eos', 'stop', 'length']).toContain(s.finish);
      expect(s.generated).not.toContain('\nUser:');
      if (s.prediction) expect(s.prediction.every((l) => /^[A-F]$/.test(l))).toBe(true);
      expect(s.scores).toBeUndefined();
    }
    expect(set.summary.overall.invalid).toBe(set.samples.filter((s) => s.prediction === null).length);
  });
});

describe('resume and split runs', () => {
  it('an interrupted run continues from the cache with the same results and nothing scored twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-cache-'));
    const cacheFile = join(dir, 'cache.jsonl');
    const clean = await evaluate(base);

    const abort = new AbortController();
    await expect(evaluate({ ...base, chunk: 5 }, { cacheFile, signal: abort.signal, onProgress: () => abort.abort() })).rejects.toThrow(/interrupted/);
    expect(readFileSync(cacheFile, 'utf8').trim().split('\n')).toHaveLength(5);

    const resumed = await evaluate({ ...base, chunk: 5 }, { cacheFile });
    expect(resumed.cache).toEqual({ file: cacheFile, hits: 5, scored: 19 });
    expect(resumed.sets[0]!.samples).toEqual(clean.sets[0]!.samples);
    const keys = readFileSync(cacheFile, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { k: string }).k);
    expect(keys).toHaveLength(24);
    expect(new Set(keys).size).toBe(24);

    const again = await evaluate(base, { cacheFile });
    expect(again.cache.scored).toBe(0);
    expect(again.sets[0]!.summary).toEqual(clean.sets[0]!.summary);
  });

  it('two ranks merged equal one run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-ranks-'));
    const small = { ...base, limit: 1 };
    const whole = await evaluate(small);
    await writeResults(whole, join(dir, 'whole'), ctx);
    for (const rank of [0, 1]) {
      const part = await evaluate({ ...small, rank, worldSize: 2 });
      expect(part.sets[0]!.samples).toHaveLength(6);
      await writeResults(part, join(dir, `part${rank}`), ctx);
    }
    await mergeParts([join(dir, 'part1'), join(dir, 'part0')], join(dir, 'merged'));
    expect(readSamples(join(dir, 'merged'))).toEqual(readSamples(join(dir, 'whole')));
    const merged = JSON.parse(readFileSync(join(dir, 'merged', 'results.json'), 'utf8'));
    const one = JSON.parse(readFileSync(join(dir, 'whole', 'results.json'), 'utf8'));
    expect(merged.summary).toEqual(one.summary);
    expect(merged.mergedFrom).toHaveLength(2);
    await expect(mergeParts([join(dir, 'part0')], join(dir, 'bad'))).rejects.toThrow(/ranks 0..1/);
    await expect(mergeParts([join(dir, 'part0'), join(dir, 'whole')], join(dir, 'bad'))).rejects.toThrow(/not a part of the same run/);
  });
});

describe('proxy-tuning', () => {
  it('expert = antiexpert gives exactly the base scores, for every alpha, without new forward passes per alpha (letter)', async () => {
    const plain = await evaluate({ ...base, limit: 1 });
    const proxy = await evaluate({ ...base, limit: 1, expert: FIXTURE, antiexpert: FIXTURE, alphas: [0, 0.5, 1] });
    expect(proxy.sets.map((s) => s.alpha)).toEqual([0, 0.5, 1]);
    // One pass over the items per distinct model (base, expert and antiexpert are one graph
    // here, so the expert's letter scores are the base's, found in the run's cache), none per alpha.
    expect(proxy.cache).toMatchObject({ scored: 12, hits: 12 });
    for (const set of proxy.sets) {
      expect(set.samples.map((s) => s.scores)).toEqual(plain.sets[0]!.samples.map((s) => s.scores));
      expect(set.samples.map((s) => s.prediction)).toEqual(plain.sets[0]!.samples.map((s) => s.prediction));
    }
  });

  it('expert = antiexpert gives exactly the base scores through combined logits (continuation)', async () => {
    const small = { ...base, mode: 'continuation' as const, limit: 1, shots: 0 };
    const plain = await evaluate(small);
    const proxy = await evaluate({ ...small, expert: FIXTURE, antiexpert: FIXTURE, alphas: [2] });
    expect(proxy.sets[0]!.samples.map((s) => s.scores)).toEqual(plain.sets[0]!.samples.map((s) => s.scores));
  });
});
