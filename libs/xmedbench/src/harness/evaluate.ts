import { itemFiles, loadItems, type LoadedItems, type XMedBenchItem } from '@apollo/benchmark-items';
import { sha256Hex } from '@apollo/document';
import { CausalLM, ProxyLM, type CausalLMOptions, type LogitsModel } from '@apollo/onnx-lm';
import { buildPrompt, ShotPool, type BuiltPrompt } from '../prompt';
import { promptSpec, type PromptSpec } from '../prompt-spec';
import { isCorrect } from '../score';
import { checkEvalConfig, type EvalConfig } from './eval-options';
import { limitPerSource, shardIndices } from './item-selection';
import { modelFingerprint, modelInfo, type ModelInfo } from './model-info';
import type { ModeOutcome, ModeSettings, ScoringUnit } from './modes/scoring-mode';
import { scoringMode } from './modes/scoring-modes';
import { cacheKey, ResultCache } from './result-cache';
import { summarizeSet, type ResultSet, type Sample } from './samples';

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

/** Where a run keeps its results, and how it reports and stops. */
export interface EvaluateOptions {
  /** The append-only result cache (JSONL); absent: no cache. */
  cacheFile?: string;
  onProgress?: (done: number, total: number) => void;
  /** Checked between chunks: a run that is aborted stops after the chunk in progress is cached. */
  signal?: AbortSignal;
}

/** Prompts for every item: shots drawn per item with the seed, then assembled by the spec. */
export function buildPrompts(spec: PromptSpec, items: readonly XMedBenchItem[], pool: ShotPool, seed: number, eos: string): BuiltPrompt[] {
  return items.map((item) => buildPrompt(spec, item, pool.draw(item, spec.shots, seed), eos));
}

const seconds = (since: number) => (performance.now() - since) / 1000;

/**
 * Looks every unit up in the cache and scores the missing ones in chunks, appending each chunk's
 * results before the next starts: an interrupted run loses at most the chunk in progress, and
 * no unit is scored twice across runs.
 */
async function throughCache<R>(
  cache: ResultCache,
  keys: readonly string[],
  chunk: number,
  score: (indices: number[]) => Promise<R[]>,
  stats: { hits: number; scored: number },
  options: EvaluateOptions,
): Promise<R[]> {
  const out = new Array<R>(keys.length);
  const missing: number[] = [];
  keys.forEach((key, i) => {
    const hit = cache.get<R>(key);
    if (hit !== undefined) out[i] = hit;
    else missing.push(i);
  });
  stats.hits += keys.length - missing.length;
  let done = keys.length - missing.length;
  for (let start = 0; start < missing.length; start += chunk) {
    if (options.signal?.aborted) throw new Error('interrupted: rerun the same command to continue from the cache');
    const part = missing.slice(start, start + chunk);
    const results = await score(part);
    part.forEach((i, k) => (out[i] = results[k]!));
    await cache.put(part.map((i, k) => ({ key: keys[i]!, value: results[k] })));
    stats.scored += part.length;
    done += part.length;
    options.onProgress?.(done, keys.length);
  }
  return out;
}

/** The base model and, for proxy-tuning, the expert and antiexpert (one model when both name the same folder). */
interface Models {
  base: CausalLM;
  proxy?: { expert: CausalLM; antiexpert: CausalLM };
  /** Every distinct model, to close. */
  all: CausalLM[];
}

async function loadModels(config: EvalConfig): Promise<Models> {
  const options: CausalLMOptions = { ...(config.threads > 0 ? { threads: config.threads } : {}), bos: config.bos };
  const all: CausalLM[] = [];
  const load = async (dir: string, extra: CausalLMOptions = {}) => {
    const lm = await CausalLM.load(dir, { ...extra, ...options });
    all.push(lm);
    return lm;
  };
  try {
    const base = await load(config.model, config.modelFile ? { modelFile: config.modelFile } : {});
    if (config.expert === undefined || config.antiexpert === undefined) return { base, all };
    const expert = await load(config.expert);
    const antiexpert = config.antiexpert === config.expert ? expert : await load(config.antiexpert);
    new ProxyLM(base, expert, antiexpert, 1); // checks shared ids and BOS rules before any work
    return { base, proxy: { expert, antiexpert }, all };
  } catch (err) {
    for (const lm of all) await lm.close();
    throw err;
  }
}

/** Loads the model(s) and items, builds prompts, scores every item of this rank. Writes only the cache. */
export async function evaluate(config: EvalConfig, options: EvaluateOptions = {}): Promise<EvalRun> {
  checkEvalConfig(config);
  const mode = scoringMode(config.mode);
  const spec = promptSpec(config.prompt, config.shots);
  // Item paths are checked before a model is loaded: a mistyped path costs no model load.
  const itemPaths = await itemFiles(config.items);
  const shotPaths = spec.referenceQuirks ? [] : await itemFiles(config.shotsFrom);

  let t = performance.now();
  const lms = await loadModels(config);
  try {
    const { base, proxy } = lms;
    const models = {
      base: await modelInfo(base),
      ...(proxy ? { expert: await modelInfo(proxy.expert), antiexpert: await modelInfo(proxy.antiexpert) } : {}),
    };
    const loaded = await loadItems(itemPaths);
    const all = limitPerSource(loaded.items, config.limit);
    const mine = shardIndices(all.length, config.rank, config.worldSize);
    const items = mine.map((i) => all[i]!);
    const loadSeconds = seconds(t);

    t = performance.now();
    // The reference drew shots from the full test set of the item's source; the corrected
    // default draws from a separate pool (the dev split).
    const pool = new ShotPool(spec.referenceQuirks ? loaded.items : (await loadItems(shotPaths)).items);
    const prompts = buildPrompts(spec, items, pool, config.seed, base.tokenizer.eosText);
    const promptSeconds = seconds(t);

    t = performance.now();
    const cache = options.cacheFile ? await ResultCache.open(options.cacheFile) : ResultCache.none();
    const stats = { hits: 0, scored: 0 };
    const settings: ModeSettings = {
      batch: { batchTokens: config.batchTokens, ...(config.maxBatch > 0 ? { maxBatch: config.maxBatch } : {}) },
      generation: { maxNewTokens: config.maxNewTokens, stop: ['\nUser:', ...(config.stop ?? [])] },
      arabicLetters: config.arabicLetters,
    };
    const units: ScoringUnit[] = items.map((item, i) => ({
      item,
      text: mode.scoredText(prompts[i]!.text, spec.templates[prompts[i]!.templateKey]),
      choices: mode.choices(item),
    }));
    const settingsKey = mode.settingsKey(settings);
    /** Every unit's result on one model, through the cache; the key holds whatever the result depends on. */
    const scoreOn = (lm: LogitsModel, modelKey: string) =>
      throughCache(
        cache,
        units.map((u) => cacheKey([modelKey, mode.name, sha256Hex(u.text), u.choices, settingsKey])),
        Math.max(1, config.chunk),
        (idx) =>
          mode.score(
            lm,
            idx.map((i) => units[i]!),
            settings,
          ),
        stats,
        options,
      );
    const setOf = (alpha: number | null, raws: unknown[]) =>
      resultSet(
        alpha,
        raws.map((raw, k) => mode.outcome(items[k]!, raw, settings)),
        { units, prompts, indices: mine },
      );

    const sets: ResultSet[] = [];
    if (!proxy) sets.push(setOf(null, await scoreOn(base, modelFingerprint(models.base))));
    else {
      const { expert, antiexpert } = proxy;
      const alphas = config.alphas.length > 0 ? config.alphas : [1];
      const combine = mode.combine?.bind(mode);
      if (combine) {
        // Each model's results, cached under its own fingerprint: any alpha is then a sum.
        const rb = await scoreOn(base, modelFingerprint(models.base));
        const re = await scoreOn(expert, modelFingerprint(models.expert!));
        const ra = antiexpert === expert ? re : await scoreOn(antiexpert, modelFingerprint(models.antiexpert!));
        for (const alpha of alphas) sets.push(setOf(alpha, rb.map((r, i) => combine(r, re[i], ra[i], alpha))));
      } else {
        for (const alpha of alphas) {
          const key = sha256Hex(JSON.stringify(['proxy', modelFingerprint(models.base), modelFingerprint(models.expert!), modelFingerprint(models.antiexpert!), alpha]));
          sets.push(setOf(alpha, await scoreOn(new ProxyLM(base, expert, antiexpert, alpha), key)));
        }
      }
    }
    const scoreSeconds = seconds(t);

    // Token counts come from the tokenizer, not from the scorer: cached items need them too.
    const tokenCounts = units.map((u) => base.tokenizer.encode(u.text).length);
    for (const set of sets) set.samples.forEach((s, k) => (s.tokens = tokenCounts[k]!));
    return {
      config,
      spec,
      models,
      loaded,
      sets,
      cache: { file: options.cacheFile ?? null, ...stats },
      timings: { loadSeconds, promptSeconds, scoreSeconds },
      promptTokens: tokenCounts.reduce((a, b) => a + b, 0),
    };
  } finally {
    for (const lm of lms.all) await lm.close();
  }
}

/** The samples and summaries of one result set. */
function resultSet(
  alpha: number | null,
  outcomes: ModeOutcome[],
  run: { units: ScoringUnit[]; prompts: BuiltPrompt[]; indices: number[] },
): ResultSet {
  const samples = outcomes.map((o, k): Sample => {
    const { item, text } = run.units[k]!;
    const p = run.prompts[k]!;
    return {
      index: run.indices[k]!,
      id: item.id,
      source: item.source,
      language: item.language,
      promptHash: sha256Hex(text).slice(0, 16),
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
