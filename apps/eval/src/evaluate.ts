import { existsSync } from 'node:fs';
import {
  CausalLM,
  combineLetterScores,
  generateGreedy,
  ProxyLM,
  scoreContinuations,
  scoreLetterChoices,
  sha256File,
  type BatchOptions,
  type BosPolicy,
  type LogitsModel,
} from '@apollo/onnx-lm';
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
import { cacheKey, ResultCache } from './cache';
import { answerLead, continuationOutcome, generateOutcome, letterOutcome, optionContinuation, type EvalMode, type ModeOutcome } from './modes';

/** Everything a run depends on. Plain data: it is recorded in results.json. */
export interface EvalConfig {
  /** Model folder (Optimum layout: model.onnx, tokenizer.json, config.json...). */
  model: string;
  /** Graph file in the folder. Default: model.onnx (or Optimum's other names). */
  modelFile?: string;
  /** Item files or folders (XMedBench unified format, .json or .jsonl, or the sources' original formats). */
  items: string[];
  /** Scoring mode. */
  mode: EvalMode;
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
  /** generate mode: new tokens at most. Default 32. */
  maxNewTokens?: number;
  /** generate mode: extra stop strings (the EOS token and `\nUser:` always stop). */
  stop?: string[];
  /** generate mode: also read (أ) (ب) (ج)/(س) (د) as A-D. Default false (the Apollo rule). */
  arabicLetters?: boolean;
  /** Proxy-tuning: expert and antiexpert model folders (both or neither). */
  expert?: string;
  antiexpert?: string;
  /** Proxy-tuning strengths; one result set per value. Default [1]. */
  alphas?: number[];
  /** This machine's part: items whose index modulo worldSize equals rank. Default 0 of 1. */
  rank?: number;
  worldSize?: number;
  /** Append-only result cache (JSONL); absent: no cache. */
  cacheFile?: string;
  /** Items scored between cache appends. Default 256. */
  chunk?: number;
}

/** One scored item, as written to samples.jsonl. */
export interface Sample extends ModeOutcome {
  /** Position in the whole (limited) item list: parts of a split run merge back in this order. */
  index: number;
  id: string;
  source: string;
  language: string;
  promptHash: string;
  promptChars: number;
  tokens: number;
  shotIds: string[];
  shotsDropped: number;
  overLimit: boolean;
  gold: string[];
  correct: boolean;
  /** continuation mode: whether `predictionNorm` is right (`acc_norm`). */
  correctNorm?: boolean;
  /** Proxy-tuning strength of this result set. */
  alpha?: number;
}

/** A model's identity for the cache and results.json. */
export interface ModelInfo {
  dir: string;
  file: string;
  sha256: string;
  dataFile?: string;
  dataSha256?: string;
  tokenizerSha256: string;
  modelType: string | null;
  addBos: boolean;
  eos: string;
  pastModelFile: string | null;
  graphInputs: { attentionMask: boolean; positionIds: boolean; pastKeyValues: number };
}

/** Scores of one result set (one per alpha in a proxy sweep). */
export interface ResultSet {
  alpha: number | null;
  samples: Sample[];
  summary: ScoreSummary;
  /** continuation mode: the same summary from length-normalized predictions (`acc_norm`). */
  summaryNorm?: ScoreSummary;
}

export interface EvalRun {
  config: EvalConfig;
  spec: PromptSpec;
  models: { base: ModelInfo; expert?: ModelInfo; antiexpert?: ModelInfo };
  loaded: LoadedItems;
  sets: ResultSet[];
  /** Items (per model in a letter-mode proxy run) found in the cache, and scored now. */
  cache: { file: string | null; hits: number; scored: number };
  timings: { loadSeconds: number; promptSeconds: number; scoreSeconds: number };
  /** Prompt tokens over the items of this run (for tokens/s). */
  promptTokens: number;
}

export interface EvalHooks {
  onProgress?: (done: number, total: number) => void;
  /** Checked between chunks: a run that is aborted stops after the chunk in progress is cached. */
  signal?: AbortSignal;
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

/** Item positions that belong to `rank` of `worldSize` (round robin, so every part gets every source). */
export function shardIndices(n: number, rank: number, worldSize: number): number[] {
  if (!Number.isInteger(worldSize) || worldSize < 1) throw new Error(`world size must be >= 1, got ${worldSize}`);
  if (!Number.isInteger(rank) || rank < 0 || rank >= worldSize) throw new Error(`rank must be in 0..${worldSize - 1}, got ${rank}`);
  const out: number[] = [];
  for (let i = rank; i < n; i += worldSize) out.push(i);
  return out;
}

/** Prompts for every item: shots drawn per item with the seed, then assembled by the spec. */
export function buildPrompts(spec: PromptSpec, items: readonly XMedBenchItem[], pool: ShotPool, seed: number, eos: string): BuiltPrompt[] {
  return items.map((item) => buildPrompt(spec, item, pool.draw(item, spec.shots, seed), eos));
}

const seconds = (since: number) => (performance.now() - since) / 1000;

async function modelInfo(lm: CausalLM): Promise<ModelInfo> {
  // Large exports keep weights beside the graph (ONNX external data); hash it too.
  const dataFile = [`${lm.files.modelFile}_data`, `${lm.files.modelFile}.data`].find((f) => existsSync(f));
  return {
    dir: lm.files.dir,
    file: lm.files.modelFile,
    sha256: await sha256File(lm.files.modelFile),
    ...(dataFile ? { dataFile, dataSha256: await sha256File(dataFile) } : {}),
    tokenizerSha256: await sha256File(`${lm.files.dir}/tokenizer.json`),
    modelType: lm.files.config.model_type ?? null,
    addBos: lm.tokenizer.addBos,
    eos: lm.tokenizer.eosText,
    pastModelFile: lm.pastModelFile,
    graphInputs: { attentionMask: lm.signature.hasAttentionMask, positionIds: lm.signature.hasPositionIds, pastKeyValues: lm.signature.past.length },
  };
}

/** What makes a model's outputs what they are: graph, weights, tokenizer, BOS rule. */
function fingerprint(m: ModelInfo): string {
  return sha256Hex(JSON.stringify([m.sha256, m.dataSha256 ?? null, m.tokenizerSha256, m.addBos]));
}

/**
 * Looks every unit up in the cache and scores the missing ones in chunks, appending each chunk's
 * results before the next starts: an interrupted run loses at most the chunk in progress, and
 * no unit is scored twice across runs.
 */
async function throughCache<R>(
  cache: ResultCache,
  units: readonly { key: string }[],
  chunk: number,
  score: (indices: number[]) => Promise<R[]>,
  stats: { hits: number; scored: number },
  hooks: EvalHooks,
): Promise<R[]> {
  const out = new Array<R>(units.length);
  const missing: number[] = [];
  units.forEach((u, i) => {
    const hit = cache.get<R>(u.key);
    if (hit !== undefined) out[i] = hit;
    else missing.push(i);
  });
  stats.hits += units.length - missing.length;
  let done = units.length - missing.length;
  for (let start = 0; start < missing.length; start += chunk) {
    if (hooks.signal?.aborted) throw new Error('interrupted: rerun the same command to continue from the cache');
    const part = missing.slice(start, start + chunk);
    const results = await score(part);
    part.forEach((i, k) => (out[i] = results[k]!));
    await cache.put(part.map((i, k) => ({ key: units[i]!.key, value: results[k] })));
    stats.scored += part.length;
    done += part.length;
    hooks.onProgress?.(done, units.length);
  }
  return out;
}

/** Loads the model(s) and items, builds prompts, scores every item of this rank. Writes only the cache. */
export async function evaluate(config: EvalConfig, hooks: EvalHooks = {}): Promise<EvalRun> {
  if ((config.expert === undefined) !== (config.antiexpert === undefined)) throw new Error('proxy-tuning needs both --expert and --antiexpert');
  const proxy = config.expert !== undefined;
  const alphas = proxy ? (config.alphas && config.alphas.length > 0 ? config.alphas : [1]) : [null];
  let t = performance.now();
  const lmOptions = { ...(config.threads > 0 ? { threads: config.threads } : {}), bos: config.bos };
  const base = await CausalLM.load(config.model, { ...(config.modelFile ? { modelFile: config.modelFile } : {}), ...lmOptions });
  const expert = proxy ? await CausalLM.load(config.expert!, lmOptions) : undefined;
  const anti = proxy ? (config.antiexpert === config.expert ? expert : await CausalLM.load(config.antiexpert!, lmOptions)) : undefined;
  const lms = [base, ...(expert ? [expert] : []), ...(anti && anti !== expert ? [anti] : [])];
  try {
    const models = {
      base: await modelInfo(base),
      ...(expert ? { expert: await modelInfo(expert) } : {}),
      ...(anti ? { antiexpert: await modelInfo(anti) } : {}),
    };
    if (expert && anti) new ProxyLM(base, expert, anti, 1); // checks shared ids and BOS rules before any work
    const loaded = await loadItems(config.items);
    const all = limitPerSource(loaded.items, config.limit);
    const mine = shardIndices(all.length, config.rank ?? 0, config.worldSize ?? 1);
    const items = mine.map((i) => all[i]!);
    const loadSeconds = seconds(t);

    t = performance.now();
    const spec = promptSpec(config.prompt, config.shots);
    // The reference drew shots from the full test set of the item's source; the corrected
    // default draws from a separate pool (the dev split).
    const pool = new ShotPool(spec.referenceQuirks ? loaded.items : (await loadItems(config.shotsFrom)).items);
    const prompts = buildPrompts(spec, items, pool, config.seed, base.tokenizer.eosText);
    const promptSeconds = seconds(t);

    t = performance.now();
    const cache = config.cacheFile ? await ResultCache.open(config.cacheFile) : ResultCache.none();
    const stats = { hits: 0, scored: 0 };
    const chunk = Math.max(1, config.chunk ?? 256);
    const batch: BatchOptions = { batchTokens: config.batchTokens, ...(config.maxBatch > 0 ? { maxBatch: config.maxBatch } : {}) };
    const templateOf = (i: number) => spec.templates[prompts[i]!.templateKey];
    const stop = ['\nUser:', ...(config.stop ?? [])];
    const genSettings = { maxNewTokens: config.maxNewTokens ?? 32, stop };

    /** Scored text per item, and what else its result depends on. */
    const scoredText = (i: number): string => {
      if (config.mode === 'letter') return prompts[i]!.text + answerPrefix(templateOf(i));
      if (config.mode === 'continuation') return prompts[i]!.text + answerLead(templateOf(i));
      return prompts[i]!.text;
    };
    const texts = items.map((_, i) => scoredText(i));
    const choiceKey = (i: number) =>
      config.mode === 'continuation' ? items[i]!.options.map((o) => optionContinuation(o.label, o.text)) : items[i]!.options.map((o) => o.label);
    const unitsFor = (modelKey: string) =>
      items.map((_, i) => ({ key: cacheKey([modelKey, config.mode, sha256Hex(texts[i]!), choiceKey(i), config.mode === 'generate' ? genSettings : null]) }));

    interface Raw {
      scores?: number[];
      method?: 'letter' | 'continuation';
      text?: string;
      finish?: 'eos' | 'stop' | 'length';
      generatedTokens?: number;
    }
    const runMode = async (lm: LogitsModel, modelKey: string): Promise<Raw[]> =>
      throughCache<Raw>(
        cache,
        unitsFor(modelKey),
        chunk,
        async (idx) => {
          if (config.mode === 'letter') {
            const r = await scoreLetterChoices(
              lm,
              idx.map((i) => ({ context: texts[i]!, letters: items[i]!.options.map((o) => o.label) })),
              batch,
            );
            return r.map((s) => ({ scores: s.scores, method: s.method }));
          }
          if (config.mode === 'continuation') {
            const r = await scoreContinuations(
              lm,
              idx.map((i) => ({ context: texts[i]!, continuations: choiceKey(i) })),
              batch,
            );
            return r.map((s) => ({ scores: s.logprobs }));
          }
          const g = await generateGreedy(
            lm,
            idx.map((i) => texts[i]!),
            genSettings,
          );
          return g.map((x) => ({ text: x.text, finish: x.finish, generatedTokens: x.tokens }));
        },
        stats,
        hooks,
      );

    const outcome = (i: number, raw: Raw): ModeOutcome => {
      const item = items[i]!;
      if (config.mode === 'letter') return letterOutcome(item, { scores: raw.scores!, method: raw.method! });
      if (config.mode === 'continuation') return continuationOutcome(item, { logprobs: raw.scores! });
      return generateOutcome(item, { text: raw.text!, finish: raw.finish!, tokens: raw.generatedTokens! }, config.arabicLetters ?? false);
    };

    const sets: ResultSet[] = [];
    if (!proxy) {
      const raw = await runMode(base, fingerprint(models.base));
      sets.push(resultSet(null, raw.map((r, i) => outcome(i, r))));
    } else if (config.mode === 'letter') {
      // Per-model letter scores, each cached under its own model: any alpha is then a sum.
      const rb = await runMode(base, fingerprint(models.base));
      const re = await runMode(expert!, fingerprint(models.expert!));
      const ra = anti === expert ? re : await runMode(anti!, fingerprint(models.antiexpert!));
      for (const alpha of alphas as number[]) {
        sets.push(
          resultSet(
            alpha,
            rb.map((r, i) => {
              const method = r.method === 'letter' && re[i]!.method === 'letter' && ra[i]!.method === 'letter' ? 'letter' : 'continuation';
              return outcome(i, { method, scores: combineLetterScores(r.scores!, re[i]!.scores!, ra[i]!.scores!, alpha) });
            }),
          ),
        );
      }
    } else {
      for (const alpha of alphas as number[]) {
        const lm = new ProxyLM(base, expert!, anti!, alpha);
        const key = sha256Hex(JSON.stringify(['proxy', fingerprint(models.base), fingerprint(models.expert!), fingerprint(models.antiexpert!), alpha]));
        const raw = await runMode(lm, key);
        sets.push(resultSet(alpha, raw.map((r, i) => outcome(i, r))));
      }
    }
    const scoreSeconds = seconds(t);

    function resultSet(alpha: number | null, outcomes: ModeOutcome[]): ResultSet {
      const samples = outcomes.map((o, k): Sample => {
        const item = items[k]!;
        const p = prompts[k]!;
        return {
          index: mine[k]!,
          id: item.id,
          source: item.source,
          language: item.language,
          promptHash: sha256Hex(texts[k]!).slice(0, 16),
          promptChars: p.chars,
          tokens: 0,
          shotIds: p.shotIds,
          shotsDropped: p.shotsDropped,
          overLimit: p.overLimit,
          ...o,
          gold: item.gold,
          correct: isCorrect(item.gold, o.prediction),
          ...(o.predictionNorm ? { correctNorm: isCorrect(item.gold, o.predictionNorm) } : {}),
          ...(alpha !== null ? { alpha } : {}),
        };
      });
      return summarizeSet(alpha, samples);
    }

    // Token counts come from the tokenizer, not from the scorer: cached items need them too.
    const tokenCounts = texts.map((text) => base.tokenizer.encode(text).length);
    for (const set of sets) set.samples.forEach((s, k) => (s.tokens = tokenCounts[k]!));
    const promptTokens = tokenCounts.reduce((a, b) => a + b, 0);
    return {
      config,
      spec,
      models,
      loaded,
      sets,
      cache: { file: config.cacheFile ?? null, ...stats },
      timings: { loadSeconds, promptSeconds, scoreSeconds },
      promptTokens,
    };
  } finally {
    for (const lm of lms) await lm.close();
  }
}

/** Summaries of a set of samples (also used when merging the parts of a split run). */
export function summarizeSet(alpha: number | null, samples: Sample[]): ResultSet {
  const outcome = (s: Sample, norm: boolean) => ({
    source: s.source,
    language: s.language as XMedBenchItem['language'],
    gold: s.gold,
    prediction: norm ? (s.predictionNorm ?? null) : s.prediction,
  });
  const summary = summarize(samples.map((s) => outcome(s, false)));
  const hasNorm = samples.length > 0 && samples.every((s) => s.predictionNorm !== undefined);
  return { alpha, samples, summary, ...(hasNorm ? { summaryNorm: summarize(samples.map((s) => outcome(s, true))) } : {}) };
}
