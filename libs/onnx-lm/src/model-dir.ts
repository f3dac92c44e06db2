import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The parts of a Hugging Face config.json the engine reads. */
export interface ModelConfig {
  model_type?: string;
  vocab_size?: number;
  num_attention_heads?: number;
  num_key_value_heads?: number;
  hidden_size?: number;
  head_dim?: number;
  bos_token_id?: number | null;
  eos_token_id?: number | number[] | null;
  pad_token_id?: number | null;
  [key: string]: unknown;
}

/** A tokenizer_config.json special token: a string or `{content}`. */
type SpecialToken = string | { content: string } | null | undefined;

export interface TokenizerConfig {
  bos_token?: SpecialToken;
  eos_token?: SpecialToken;
  pad_token?: SpecialToken;
  add_bos_token?: boolean;
  [key: string]: unknown;
}

/** A model folder in the Optimum layout, as read from disk. */
export interface ModelFiles {
  dir: string;
  /** The ONNX graph file. */
  modelFile: string;
  config: ModelConfig;
  tokenizerJson: object;
  tokenizerConfig: TokenizerConfig;
  generationConfig: Record<string, unknown>;
}

/** Graph files tried in order when none is named: Optimum's names, old and new. */
export const MODEL_FILE_CANDIDATES = ['model.onnx', 'decoder_model_merged.onnx', 'decoder_model.onnx', 'onnx/model.onnx'];

async function readJson<T>(path: string, required: boolean): Promise<T | undefined> {
  if (!existsSync(path)) {
    if (required) throw new Error(`${path}: missing (the model folder needs it)`);
    return undefined;
  }
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (err) {
    throw new Error(`${path}: not valid JSON: ${(err as Error).message}`);
  }
}

/** Reads a model folder: graph file, config.json, tokenizer.json, tokenizer_config.json, generation_config.json. */
export async function readModelDir(dir: string, modelFile?: string): Promise<ModelFiles> {
  const file = modelFile ? join(dir, modelFile) : MODEL_FILE_CANDIDATES.map((n) => join(dir, n)).find((p) => existsSync(p));
  if (!file || !existsSync(file)) {
    throw new Error(`${dir}: no ONNX graph found (${modelFile ?? MODEL_FILE_CANDIDATES.join(', ')}); export one with optimum-cli (docs/eval.md)`);
  }
  return {
    dir,
    modelFile: file,
    config: (await readJson<ModelConfig>(join(dir, 'config.json'), false)) ?? {},
    tokenizerJson: (await readJson<object>(join(dir, 'tokenizer.json'), true))!,
    tokenizerConfig: (await readJson<TokenizerConfig>(join(dir, 'tokenizer_config.json'), false)) ?? {},
    generationConfig: (await readJson<Record<string, unknown>>(join(dir, 'generation_config.json'), false)) ?? {},
  };
}

/** sha256 of a file, streamed (model graphs can be GBs). */
export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

export function specialTokenText(token: SpecialToken): string | undefined {
  if (token === null || token === undefined) return undefined;
  return typeof token === 'string' ? token : token.content;
}
