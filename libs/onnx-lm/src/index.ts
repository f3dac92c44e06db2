export * from './model-dir';
export * from './tokenizer';
export * from './session';
export * from './batching';
export * from './causal-lm';
export * from './choice';
