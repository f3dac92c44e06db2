import { existsSync } from 'node:fs';
import { sha256Hex } from '@apollo/document';
import { sha256File, type CausalLM } from '@apollo/onnx-lm';

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

export async function modelInfo(lm: CausalLM): Promise<ModelInfo> {
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
export function modelFingerprint(m: ModelInfo): string {
  return sha256Hex(JSON.stringify([m.sha256, m.dataSha256 ?? null, m.tokenizerSha256, m.addBos]));
}
