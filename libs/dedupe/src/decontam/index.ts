export * from './benchmark';
export * from './match-tokens';
export * from './ngram-index';
export * from './decontaminate';
export * from './step';
export * from './report';
export * from './clean-texts';
export * from './planted-set';
