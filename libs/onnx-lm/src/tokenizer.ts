import { Tokenizer } from '@huggingface/tokenizers';
import { specialTokenText, type ModelFiles } from './model-dir';

/** Whether to put the BOS token first: by model family (`auto`), or forced. */
export type BosPolicy = 'auto' | 'always' | 'never';

/**
 * Families whose models were trained with a BOS token in front of every sequence. Qwen, GPT-2
 * and similar byte-level BPE families have none; Gemma in particular degrades badly without it.
 */
const BOS_FAMILIES = ['gemma', 'gemma2', 'gemma3', 'gemma3_text', 'llama', 'mistral', 'mixtral', 'phi3', 'yi', 'baichuan', 'internlm2'];

/**
 * The BOS rule: tokenizer_config.json's `add_bos_token` when it says so (how Hugging Face
 * tokenizers decide), else the family table by config.json's `model_type`.
 */
export function addsBos(files: Pick<ModelFiles, 'config' | 'tokenizerConfig'>, policy: BosPolicy = 'auto'): boolean {
  if (policy !== 'auto') return policy === 'always';
  if (typeof files.tokenizerConfig.add_bos_token === 'boolean') return files.tokenizerConfig.add_bos_token;
  return BOS_FAMILIES.includes(files.config.model_type ?? '');
}

/** A tokenizer.json loaded with @huggingface/tokenizers, plus the model's BOS/EOS rules. */
export class TextTokenizer {
  private readonly tok: Tokenizer;
  readonly bosId: number | undefined;
  readonly eosId: number | undefined;
  /** The EOS token's text, e.g. `<|endoftext|>` or `<eos>`: prompts put it after each shot. */
  readonly eosText: string;
  readonly addBos: boolean;
  readonly vocabSize: number;

  constructor(files: Pick<ModelFiles, 'config' | 'tokenizerConfig' | 'tokenizerJson' | 'generationConfig'>, bos: BosPolicy = 'auto') {
    this.tok = new Tokenizer(files.tokenizerJson, files.tokenizerConfig);
    const idOf = (text: string | undefined) => (text === undefined ? undefined : this.tok.token_to_id(text));
    const firstId = (v: unknown) => (Array.isArray(v) ? (v[0] as number | undefined) : typeof v === 'number' ? v : undefined);
    const eosText = specialTokenText(files.tokenizerConfig.eos_token);
    this.eosId = idOf(eosText) ?? firstId(files.generationConfig['eos_token_id']) ?? firstId(files.config.eos_token_id);
    const eos = eosText ?? (this.eosId !== undefined ? this.tok.id_to_token(this.eosId) : undefined);
    if (eos === undefined) throw new Error('the tokenizer names no EOS token (tokenizer_config.json eos_token or config.json eos_token_id)');
    this.eosText = eos;
    this.bosId = idOf(specialTokenText(files.tokenizerConfig.bos_token)) ?? firstId(files.generationConfig['bos_token_id']) ?? firstId(files.config.bos_token_id);
    this.addBos = addsBos(files, bos);
    if (this.addBos && this.bosId === undefined) throw new Error('the model family needs a BOS token but the tokenizer names none');
    this.vocabSize = Math.max(files.config.vocab_size ?? 0, this.tok.get_vocab(true).size);
  }

  /**
   * Token ids of a text without the BOS (special tokens written in the text, such as the EOS
   * after each shot, are recognised as such).
   */
  encodeText(text: string): number[] {
    return this.tok.encode(text, { add_special_tokens: false }).ids;
  }

  /** Token ids of a whole sequence: BOS first when the model family wants one. */
  encode(text: string): number[] {
    const ids = this.encodeText(text);
    return this.addBos ? [this.bosId!, ...ids] : ids;
  }

  /** Token text -> id, added tokens included. */
  vocab(): Map<string, number> {
    return this.tok.get_vocab(true);
  }

  decode(ids: readonly number[]): string {
    return this.tok.decode([...ids], { skip_special_tokens: false });
  }

  /**
   * The single token that `continuation` becomes after `context`, if joint tokenization makes
   * it exactly one token appended to the context's own tokens; else null (the caller must
   * score the continuation as several tokens).
   */
  singleTokenAfter(contextIds: readonly number[], context: string, continuation: string): number | null {
    const joint = this.encode(context + continuation);
    if (joint.length !== contextIds.length + 1) return null;
    for (let i = 0; i < contextIds.length; i++) if (joint[i] !== contextIds[i]) return null;
    return joint[joint.length - 1]!;
  }
}
