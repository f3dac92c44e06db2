import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { argmax, CausalLM, scoreLetterChoices, type LetterChoiceRequest } from '@apollo/onnx-lm';
import { LANGUAGES, loadItems, type XMedBenchItem } from '@apollo/benchmark-items';
import { answerPrefix, buildPrompt, ShotPool } from '../prompt';
import { DEFAULT_SPEC } from '../prompt-spec';

const ROOT = join(__dirname, '../../../..');
const FIXTURE = join(ROOT, 'tools/tiny-model/fixture');
const DEV = join(ROOT, 'pipelines/benchmarks/xmedbench-dev');
const PYTHON = '/usr/bin/python3';

const torchCheck = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' });
const hasTorch = torchCheck.status === 0;
if (!hasTorch) {
  // The only reason to skip: the reference side cannot run (setup installs python3-torch from apt).
  console.warn(`parity test skipped: ${PYTHON} cannot import torch (apt-get install python3-torch)`);
}

const size = (i: XMedBenchItem) => i.question.length + i.optionsText.length + (i.context?.length ?? 0);

/** The 10 shortest items per language, cycling through the language's sources, so every source is covered. */
function pick(items: XMedBenchItem[]): XMedBenchItem[] {
  const out: XMedBenchItem[] = [];
  for (const lang of LANGUAGES) {
    const bySource = new Map<string, XMedBenchItem[]>();
    const mine = items.filter((i) => i.language === lang).sort((a, b) => size(a) - size(b));
    for (const i of mine) bySource.set(i.source, [...(bySource.get(i.source) ?? []), i]);
    const lists = [...bySource.values()];
    for (let k = 0; out.filter((i) => i.language === lang).length < 10; k++) {
      const list = lists[k % lists.length]!;
      out.push(list[Math.floor(k / lists.length)]!);
    }
  }
  return out;
}

describe('letter-mode parity with PyTorch on the tiny model', () => {
  let lm: CausalLM;
  let items: XMedBenchItem[];
  let requests: LetterChoiceRequest[];

  beforeAll(async () => {
    lm = await CausalLM.load(FIXTURE, { threads: 1 });
    const dev = (await loadItems([DEV])).items;
    items = pick(dev);
    // Short items and no shots keep both sides fast (PyTorch runs one sequence at a time); the
    // scoring path is the same as with shots (whose EOS handling the onnx-lm tests cover).
    const spec = { ...DEFAULT_SPEC, shots: 0 };
    const pool = new ShotPool(dev);
    requests = items.map((item) => {
      const p = buildPrompt(spec, item, pool.draw(item, spec.shots, 7), lm.tokenizer.eosText);
      return { context: p.text + answerPrefix(spec.templates[p.templateKey]), letters: item.options.map((o) => o.label) };
    });
  });
  afterAll(async () => {
    await lm.close();
  });

  it('covers at least 50 items in all six languages and every source', () => {
    expect(items.length).toBeGreaterThanOrEqual(50);
    expect(new Set(items.map((i) => i.language)).size).toBe(6);
    expect(new Set(items.map((i) => i.source)).size).toBe(12);
  });

  it('gives identical predictions (and scores within 1e-5) for batch sizes 1 and 8', async () => {
    const one = await scoreLetterChoices(lm, requests, { maxBatch: 1 });
    const eight = await scoreLetterChoices(lm, requests, { maxBatch: 8, batchTokens: 1 << 20 });
    expect(one.map((s) => argmax(s.scores))).toEqual(eight.map((s) => argmax(s.scores)));
    one.forEach((s, i) => s.scores.forEach((v, j) => expect(Math.abs(v - eight[i]!.scores[j]!)).toBeLessThan(1e-5)));
    expect(one.every((s) => s.method === 'letter')).toBe(true);
    // A model that always says the same letter would make this check weak: the fixture is
    // trained so that its letter choice moves with the context.
    const predicted = one.map((s) => requests[0]!.letters[argmax(s.scores)]);
    const counts = new Map<string, number>();
    for (const l of predicted) counts.set(l!, (counts.get(l!) ?? 0) + 1);
    expect(counts.size).toBeGreaterThanOrEqual(2);
    expect(Math.max(...counts.values())).toBeLessThan(predicted.length * 0.9);
  });

  (hasTorch ? it : it.skip)('per-item letter log-probs equal PyTorch within 1e-4', async () => {
    const ours = await scoreLetterChoices(lm, requests, { batchTokens: 1 << 14 });
    const tok = lm.tokenizer;
    const sequences = requests.map((r) => tok.encode(r.context));
    const select = requests.map((r, i) => r.letters.map((l) => tok.singleTokenAfter(sequences[i]!, r.context, l)!));
    const res = spawnSync(PYTHON, [join(ROOT, 'tools/tiny-model/score.py'), FIXTURE], {
      input: JSON.stringify({ sequences, select }),
      maxBuffer: 1 << 26,
      encoding: 'utf8',
    });
    if (res.status !== 0) throw new Error(`score.py failed: ${res.stderr}`);
    const torch = (JSON.parse(res.stdout) as { logprobs: number[][] }).logprobs;
    let worst = 0;
    ours.forEach((s, i) => s.scores.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - torch[i]![j]!)))));
    expect(worst).toBeLessThan(1e-4);
    expect(torch).toHaveLength(items.length);
  });
});
