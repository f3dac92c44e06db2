import { argmax, CausalLM, scoreLetterChoices, type BosPolicy } from '@apollo/onnx-lm';
import {
  answerPrefix,
  buildPrompt,
  isCorrect,
  loadItems,
  promptSpec,
  ShotPool,
  summarize,
  type BuiltPrompt,
  type LoadedItems,
  type PromptSpec,
  type PromptSpecName,
  type ScoreSummary,
  type XMedBenchItem,
} from '@apollo/xmedbench';
import { sha256Hex } from '@apollo/document';

/** Everything a run depends on. Plain data: it is recorded in results.json. */
export interface EvalConfig {
  /** Model folder (Optimum layout: model.onnx, tokenizer.json, config.json...). */
  model: string;
  /** Graph file in the folder. Default: model.onnx (or Optimum's other names). */
  modelFile?: string;
  /** Item files or folders (XMedBench unified format, .json or .jsonl). */
  items: string[];
  /** Scoring mode. Only `letter` exists so far. */
  mode: 'letter';
  /** Prompt spec: `apollo` (reference, quirks included) or `default` (corrected). */
  prompt: PromptSpecName;
  /** Shots per item. Default 3. */
  shots: number;
  /** Where `default` draws shots from (the dev split). Ignored by `apollo`, which draws from the scored items as the reference did. */
  shotsFrom: string[];
  /** Seed of the shot draw. */
  seed: number;
  /** Padded tokens per forward pass. */
  batchTokens: number;
  /** Rows per forward pass at most (0: no limit). */
  maxBatch: number;
  /** Score only the first n items of each source (0: all). */
  limit: number;
  /** Intra-op threads (0: all cores). */
  threads: number;
  bos: BosPolicy;
}

/** One scored item, as written to samples.jsonl. */
export interface Sample {
  id: string;
  source: string;
  language: string;
  promptHash: string;
  promptChars: number;
  tokens: number;
  shotIds: string[];
  shotsDropped: number;
  overLimit: boolean;
  method: 'letter' | 'continuation';
  /** Log-prob per option letter. */
  scores: Record<string, number>;
  prediction: string[];
  gold: string[];
  correct: boolean;
}

export interface EvalRun {
  config: EvalConfig;
  spec: PromptSpec;
  lm: CausalLM;
  loaded: LoadedItems;
  samples: Sample[];
  summary: ScoreSummary;
  timings: { loadSeconds: number; promptSeconds: number; scoreSeconds: number };
}

/** The first `limit` items of each source, in file order. */
export function limitPerSource(items: readonly XMedBenchItem[], limit: number): XMedBenchItem[] {
  if (limit <= 0) return items.slice();
  const seen = new Map<string, number>();
  return items.filter((i) => {
    const n = (seen.get(i.source) ?? 0) + 1;
    seen.set(i.source, n);
    return n <= limit;
  });
}

/** Prompts for every item: shots drawn per item with the seed, then assembled by the spec. */
export function buildPrompts(spec: PromptSpec, items: readonly XMedBenchItem[], pool: ShotPool, seed: number, eos: string): BuiltPrompt[] {
  return items.map((item) => buildPrompt(spec, item, pool.draw(item, spec.shots, seed), eos));
}

const seconds = (since: number) => (performance.now() - since) / 1000;

/** Loads the model and items, builds prompts, scores every item. Writes nothing. */
export async function evaluate(config: EvalConfig, onProgress?: (done: number, total: number) => void): Promise<EvalRun> {
  let t = performance.now();
  const lm = await CausalLM.load(config.model, {
    ...(config.modelFile ? { modelFile: config.modelFile } : {}),
    ...(config.threads > 0 ? { threads: config.threads } : {}),
    bos: config.bos,
  });
  const loaded = await loadItems(config.items);
  const items = limitPerSource(loaded.items, config.limit);
  const loadSeconds = seconds(t);

  t = performance.now();
  const spec = promptSpec(config.prompt, config.shots);
  // The reference drew shots from the full test set of the item's source; the corrected
  // default draws from a separate pool (the dev split).
  const pool = new ShotPool(spec.referenceQuirks ? loaded.items : (await loadItems(config.shotsFrom)).items);
  const prompts = buildPrompts(spec, items, pool, config.seed, lm.tokenizer.eosText);
  const promptSeconds = seconds(t);

  t = performance.now();
  const requests = items.map((item, i) => ({
    context: prompts[i]!.text + answerPrefix(spec.templates[prompts[i]!.templateKey]),
    letters: item.options.map((o) => o.label),
  }));
  const scored = await scoreLetterChoices(lm, requests, {
    batchTokens: config.batchTokens,
    ...(config.maxBatch > 0 ? { maxBatch: config.maxBatch } : {}),
    ...(onProgress ? { onProgress } : {}),
  });
  const scoreSeconds = seconds(t);

  const samples = items.map((item, i): Sample => {
    const p = prompts[i]!;
    const s = scored[i]!;
    const letters = requests[i]!.letters;
    const prediction = [letters[argmax(s.scores)]!];
    return {
      id: item.id,
      source: item.source,
      language: item.language,
      promptHash: sha256Hex(requests[i]!.context).slice(0, 16),
      promptChars: p.chars,
      tokens: s.contextTokens,
      shotIds: p.shotIds,
      shotsDropped: p.shotsDropped,
      overLimit: p.overLimit,
      method: s.method,
      scores: Object.fromEntries(letters.map((l, k) => [l, s.scores[k]!])),
      prediction,
      gold: item.gold,
      correct: isCorrect(item.gold, prediction),
    };
  });
  const summary = summarize(samples.map((s, i) => ({ source: s.source, language: items[i]!.language, gold: s.gold, prediction: s.prediction })));
  return { config, spec, lm, loaded, samples, summary, timings: { loadSeconds, promptSeconds, scoreSeconds } };
}
