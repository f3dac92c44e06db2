// Speed of the eval app's letter mode: items/s and tokens/s on the tiny fixture model and on a
// larger generated model (6 layers, hidden 512, untrained, built with PyTorch into a temp
// folder), beside the raw onnxruntime forward pass on the same batches and beside PyTorch on
// CPU for the same model and batches; then an estimate of a full XMedBench pass (22,326 items)
// for a 0.5B model on CPU and on a GPU. Entry: `runEvalBench()`; run alone with
// `node dist/tools/bench/eval-bench.js` or through the lead's bench runner.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { CausalLM, planBatches, scoreLetterChoices, type LetterChoiceRequest } from '@apollo/onnx-lm';
import { loadItems, type XMedBenchItem } from '@apollo/benchmark-items';
import { answerPrefix, buildPrompt, DEFAULT_SPEC, ShotPool } from '@apollo/xmedbench';

export interface EvalBenchOptions {
  /** Repository root. Default: the working directory. */
  root?: string;
  /** XMedBench dev items. Default `<root>/pipelines/benchmarks/xmedbench-dev`. */
  items?: string;
  /** Items per source (12 sources) for the tiny model. Default 2. */
  perSource?: number;
  /** Items for the larger model (it is ~100x slower per token), one per language, so at most 6. Default 6. */
  largeItems?: number;
  /** Timed runs of the app and of the raw forward, alternating; the fastest counts (the machine is shared). Default 2. */
  repeats?: number;
  /** Shots per prompt. Default 1 for the tiny model; the larger model gets none (shorter prompts). */
  shots?: number;
  /** Progress lines. Default: to stderr. */
  log?: (line: string) => void;
  /** Threads for onnxruntime and PyTorch. Default: all cores. */
  threads?: number;
  /** Padded tokens per forward pass. Default 8192 (the app's default). */
  batchTokens?: number;
  /** Skip the larger model (no PyTorch build). Default false. */
  tinyOnly?: boolean;
  /** The Python with torch. Default /usr/bin/python3. */
  python?: string;
}

export interface EvalBenchRow {
  model: string;
  params: number;
  items: number;
  tokens: number;
  /** Eval app letter scoring (tokenize, single-token checks, batching, forward, log-softmax). */
  appSeconds: number;
  /** onnxruntime session.run alone on the same padded batches. */
  rawSeconds: number;
  /** PyTorch forward (+ last-position log-softmax) on the same batches; null without torch. */
  torchSeconds: number | null;
}

export interface EvalBenchResult {
  rows: EvalBenchRow[];
  estimate: { items: number; tokensPerItem: number; cpuHours: number | null; gpuHours: number; assumptions: string[] };
  markdown: string;
}

/** Items of a full XMedBench pass (REFERENCE.md section 2). */
const FULL_ITEMS = 22326;
/** Qwen2-0.5B: parameters (embeddings included; tied, so the output layer counts once). */
const QWEN05_PARAMS = 494e6;
/**
 * Qwen tokenizer characters per token by language (rough figures for its 152k vocabulary), to
 * turn prompt characters into tokens for the estimate.
 */
const CHARS_PER_TOKEN: Record<string, number> = { en: 4.2, es: 3.6, fr: 3.6, zh: 1.4, ar: 2.8, hi: 2.2 };
/** Sustained fp16 throughput assumed for prefill-only scoring on one H100 with onnxruntime's CUDA provider. */
const GPU_FLOPS = 100e12;

interface Prepared {
  requests: LetterChoiceRequest[];
  ids: number[][];
}

function prepare(lm: CausalLM, items: XMedBenchItem[], pool: ShotPool, shots: number): Prepared {
  const spec = { ...DEFAULT_SPEC, shots };
  const requests = items.map((item) => {
    const p = buildPrompt(spec, item, pool.draw(item, shots, 1234), lm.tokenizer.eosText);
    return { context: p.text + answerPrefix(spec.templates[p.templateKey]), letters: item.options.map((o) => o.label) };
  });
  return { requests, ids: requests.map((r) => lm.tokenizer.encode(r.context)) };
}

/** The raw baseline: its own session, tensors built inline and session.run on a batch, nothing else. */
class RawSession {
  private constructor(
    private readonly session: InferenceSession,
    private readonly pad: number,
  ) {}

  static async create(modelFile: string, threads: number, pad: number): Promise<RawSession> {
    const session = await InferenceSession.create(modelFile, { graphOptimizationLevel: 'all', intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential' });
    return new RawSession(session, pad);
  }

  async run(rows: number[][]): Promise<void> {
    const width = Math.max(...rows.map((r) => r.length));
    const ids = new BigInt64Array(rows.length * width).fill(BigInt(this.pad));
    const mask = new BigInt64Array(rows.length * width);
    rows.forEach((r, b) => r.forEach((id, t) => ((ids[b * width + t] = BigInt(id)), (mask[b * width + t] = 1n))));
    await this.session.run({ input_ids: new Tensor('int64', ids, [rows.length, width]), attention_mask: new Tensor('int64', mask, [rows.length, width]) });
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

function torchForward(python: string, root: string, dir: string, threads: number, batches: number[][][]): number | null {
  if (spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status !== 0) return null;
  const res = spawnSync(python, [join(root, 'tools/tiny-model/bench_torch.py'), dir, String(threads)], {
    input: JSON.stringify({ batches }),
    maxBuffer: 1 << 24,
    encoding: 'utf8',
  });
  if (res.status !== 0) throw new Error(`bench_torch.py failed: ${res.stderr}`);
  return (JSON.parse(res.stdout) as { seconds: number }).seconds;
}

interface BenchSettings {
  root: string;
  threads: number;
  batchTokens: number;
  python: string;
  shots: number;
  repeats: number;
  log: (line: string) => void;
}

async function benchModel(name: string, dir: string, items: XMedBenchItem[], pool: ShotPool, o: BenchSettings): Promise<EvalBenchRow> {
  const lm = await CausalLM.load(dir, { threads: o.threads });
  const cfg = lm.files.config;
  const d = cfg.hidden_size ?? 0;
  const layers = Number(cfg['num_hidden_layers'] ?? 0);
  const inter = Number(cfg['intermediate_size'] ?? 4 * d);
  const params = layers * (4 * d * d + 2 * d * inter) + (cfg.vocab_size ?? 0) * d;
  const prep = prepare(lm, items, pool, o.shots);
  // The same batches the app runs (its budget is capped by the vocabulary the same way).
  const budget = Math.max(1, Math.min(o.batchTokens, Math.floor(2 ** 30 / (4 * lm.tokenizer.vocabSize))));
  const batches = planBatches(
    prep.ids.map((r) => r.length),
    budget,
  ).map((b) => b.map((i) => prep.ids[i]!));
  const pad = cfg.pad_token_id ?? lm.tokenizer.eosId ?? 0;
  const raw = await RawSession.create(lm.files.modelFile, o.threads, pad);
  // Warm-up outside the timings (the first runs allocate onnxruntime's arenas), then alternate
  // app and raw runs and keep the fastest of each: other work on the machine only slows runs down.
  await scoreLetterChoices(lm, prep.requests.slice(0, 1), { batchTokens: o.batchTokens });
  await raw.run(batches[0]!);
  let appSeconds = Infinity;
  let rawSeconds = Infinity;
  for (let r = 0; r < o.repeats; r++) {
    let t = performance.now();
    const scored = await scoreLetterChoices(lm, prep.requests, { batchTokens: o.batchTokens });
    appSeconds = Math.min(appSeconds, (performance.now() - t) / 1000);
    if (scored.some((s) => s.method !== 'letter')) throw new Error(`${name}: some letters are not single tokens; the comparison would be unfair`);
    t = performance.now();
    for (const b of batches) await raw.run(b);
    rawSeconds = Math.min(rawSeconds, (performance.now() - t) / 1000);
  }
  o.log(`${name}: ${items.length} items, eval app ${appSeconds.toFixed(2)}s, raw onnxruntime ${rawSeconds.toFixed(2)}s`);
  await raw.release();
  await lm.close();
  const torchSeconds = torchForward(o.python, o.root, dir, o.threads, batches);
  o.log(`${name}: PyTorch ${torchSeconds === null ? 'not available' : `${torchSeconds.toFixed(2)}s`}`);
  return { model: name, params, items: items.length, tokens: prep.ids.reduce((n, r) => n + r.length, 0), appSeconds, rawSeconds, torchSeconds };
}

const f1 = (v: number) => v.toFixed(1);

/** Builds the larger untrained model with the tiny-model script (BPE and export only, no training). */
function buildLargeModel(python: string, root: string, out: string): void {
  const res = spawnSync(
    python,
    [join(root, 'tools/tiny-model/build.py'), '--out', out, '--steps', '0', '--layers', '6', '--hidden', '512', '--heads', '8', '--intermediate', '2048', '--no-parity'],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  if (res.status !== 0) throw new Error(`building the 6x512 model failed: ${res.stderr}`);
}

export async function runEvalBench(options: EvalBenchOptions = {}): Promise<EvalBenchResult> {
  const root = resolve(options.root ?? process.cwd());
  const o: BenchSettings = {
    root,
    shots: options.shots ?? 1,
    repeats: Math.max(1, options.repeats ?? 2),
    threads: options.threads ?? availableParallelism(),
    batchTokens: options.batchTokens ?? 8192,
    python: options.python ?? '/usr/bin/python3',
    log: options.log ?? ((line) => process.stderr.write(`eval-bench: ${line}\n`)),
  };
  const dev = (await loadItems([options.items ?? join(root, 'pipelines', 'benchmarks', 'xmedbench-dev')])).items;
  const firstPerSource = (k: number) => {
    const seen = new Map<string, number>();
    return dev.filter((i) => {
      const n = (seen.get(i.source) ?? 0) + 1;
      seen.set(i.source, n);
      return n <= k;
    });
  };
  const pool = new ShotPool(dev);
  const rows: EvalBenchRow[] = [await benchModel('tiny (2x64)', join(root, 'tools/tiny-model/fixture'), firstPerSource(options.perSource ?? 2), pool, o)];

  const canBuild = !options.tinyOnly && existsSync(o.python) && spawnSync(o.python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
  if (canBuild) {
    const tmp = mkdtempSync(join(tmpdir(), 'eval-bench-'));
    try {
      const t = performance.now();
      buildLargeModel(o.python, root, tmp);
      o.log(`built the 6x512 model in ${((performance.now() - t) / 1000).toFixed(1)}s`);
      const oneEach = dev.filter((i, k) => dev.findIndex((j) => j.language === i.language) === k).slice(0, options.largeItems ?? 6);
      rows.push(await benchModel('generated (6x512)', tmp, oneEach, pool, { ...o, shots: 0 }));
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }

  // Full-pass estimate: prompt characters of the dev items with 3 shots, per language, turned
  // into Qwen tokens; FLOPs per token ~ 2 x parameters; CPU speed from the largest model measured.
  const spec3 = { ...DEFAULT_SPEC, shots: 3 };
  let tokenSum = 0;
  for (const item of dev) {
    const p = buildPrompt(spec3, item, pool.draw(item, 3, 1234), '<|endoftext|>');
    tokenSum += p.chars / CHARS_PER_TOKEN[item.language]!;
  }
  const tokensPerItem = tokenSum / dev.length;
  const fullTokens = tokensPerItem * FULL_ITEMS;
  const flopsPerToken = 2 * QWEN05_PARAMS;
  const big = rows[rows.length - 1]!;
  const cpuFlops = (big.tokens / big.appSeconds) * 2 * big.params;
  const cpuHours = rows.length > 1 ? (fullTokens * flopsPerToken) / cpuFlops / 3600 : null;
  const gpuHours = (fullTokens * flopsPerToken) / GPU_FLOPS / 3600;
  const assumptions = [
    `prompts: the corrected default spec with 3 shots; ${f1(tokensPerItem)} Qwen tokens per item on average (dev items; characters per token ${Object.entries(CHARS_PER_TOKEN).map(([k, v]) => `${k} ${v}`).join(', ')})`,
    `compute: 2 x ${QWEN05_PARAMS / 1e6}M FLOPs per token (attention over the prompt ignored); CPU at the FLOP rate measured for the largest model here (${(cpuFlops / 1e9).toFixed(1)} GFLOP/s on ${o.threads} threads)`,
    `GPU: one H100 sustaining ${GPU_FLOPS / 1e12} TFLOP/s fp16 in prefill-only batches (about 10% of its dense peak), not measured`,
  ];

  const lines = [
    `| model | params | items | tokens | eval app items/s | eval app tokens/s | raw onnxruntime tokens/s | app overhead | PyTorch CPU tokens/s |`,
    `| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`,
    ...rows.map(
      (r) =>
        `| ${r.model} | ${(r.params / 1e6).toFixed(2)}M | ${r.items} | ${r.tokens} | ${f1(r.items / r.appSeconds)} | ${Math.round(r.tokens / r.appSeconds)} | ${Math.round(r.tokens / r.rawSeconds)} | ${(((r.appSeconds - r.rawSeconds) / r.rawSeconds) * 100).toFixed(1)}% | ${r.torchSeconds === null ? 'n/a' : Math.round(r.tokens / r.torchSeconds)} |`,
    ),
    '',
    `Full XMedBench pass (${FULL_ITEMS} items, letter mode, 3 shots) with a 0.5B model: ~${(fullTokens / 1e6).toFixed(1)}M prompt tokens; ` +
      `CPU (${o.threads} threads): ${cpuHours === null ? 'n/a (larger model not built)' : `~${f1(cpuHours)} h`}; GPU (H100): ~${(gpuHours * 60).toFixed(1)} min.`,
    ...assumptions.map((a) => `- ${a}`),
  ];
  return { rows, estimate: { items: FULL_ITEMS, tokensPerItem, cpuHours, gpuHours, assumptions }, markdown: lines.join('\n') + '\n' };
}
