export * from './benchmark';
export * from './ngram-index';
export * from './decontaminate';
export * from './step';
export * from './report';
