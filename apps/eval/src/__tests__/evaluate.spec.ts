import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate, limitPerSource, type EvalConfig, type Sample } from '../evaluate';
import { writeResults } from '../results';

const ROOT = join(__dirname, '../../../..');
const FIXTURE = join(ROOT, 'tools/tiny-model/fixture');
const DEV = join(ROOT, '../shared/data/xmedbench-dev');

const base: EvalConfig = {
  model: FIXTURE,
  items: [DEV],
  mode: 'letter',
  prompt: 'default',
  shots: 1,
  shotsFrom: [DEV],
  seed: 1234,
  batchTokens: 8192,
  maxBatch: 0,
  limit: 2,
  threads: 1,
  bos: 'auto',
};

describe('eval run on the tiny model (2 items per source)', () => {
  it('writes results.json, samples.jsonl and table.md with everything needed to reproduce', async () => {
    const out = mkdtempSync(join(tmpdir(), 'eval-'));
    const run = await evaluate(base);
    const md = await writeResults(run, out, 'tiny', ROOT, 1);
    await run.lm.close();

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
    expect(results.config.onnxruntime).toBe('1.30.0');
    expect(results.config.seed).toBe(1234);
    expect(Object.keys(results.config.promptSpec.hashes)).toHaveLength(7);
    expect(results.counts.loaded['medmcqa']).toBe(210);
    expect(results.timings.scoreSeconds).toBeGreaterThan(0);

    const samples = readFileSync(join(out, 'samples.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Sample);
    expect(samples).toHaveLength(24);
    for (const s of samples) {
      expect(s.shotIds).toHaveLength(1);
      expect(s.shotIds).not.toContain(s.id); // the dev pool never lends an item its own question
      expect(Object.keys(s.scores)).toEqual(s.source === 'pubmedqa' ? ['A', 'B', 'C'] : expect.arrayContaining(['A', 'B', 'C', 'D']));
      expect(s.correct).toBe(s.prediction.join() === s.gold.join());
      expect(s.tokens).toBeGreaterThan(10);
    }
    const correct = samples.filter((s) => s.correct).length;
    expect(results.summary.overall.correct).toBe(correct);

    expect(readFileSync(join(out, 'table.md'), 'utf8')).toBe(md);
    expect(md).toContain('| GPT-4 (paper) | 79.10 |');
    expect(md).toMatch(/\| \*\*tiny\*\* \| [\d.]+ \|/);
  });

  it('apollo prompts draw shots from the scored items and are reproducible with the seed', async () => {
    const a = await evaluate({ ...base, prompt: 'apollo', limit: 1 });
    const b = await evaluate({ ...base, prompt: 'apollo', limit: 1 });
    await a.lm.close();
    await b.lm.close();
    expect(a.samples.map((s) => s.promptHash)).toEqual(b.samples.map((s) => s.promptHash));
    expect(a.samples.map((s) => s.scores)).toEqual(b.samples.map((s) => s.scores));
    expect(a.spec.referenceQuirks).toBe(true);
  });

  it('limits per source in file order', () => {
    const items = ['a', 'b', 'a', 'a', 'b'].map((source, index) => ({ source, index }) as never);
    expect(limitPerSource(items, 2).map((i: { index: number }) => i.index)).toEqual([0, 1, 2, 4]);
    expect(limitPerSource(items, 0)).toHaveLength(5);
  });
});
