import type { DocItem } from '@apollo/document';
import type { FileFormat } from '../source-spec';
import { readApolloArray } from './apollo-array';
import type { ReadContext } from './context';
import { readHtmlFile, readTextFile } from './files';
import { readJsonlSource } from './jsonl';
import { readUrlList } from './url-list';

export type SourceReader = (file: string, ctx: ReadContext) => AsyncGenerator<DocItem>;

/** The reader of each file format. */
export const READERS: Record<FileFormat, SourceReader> = {
  apollo: readApolloArray,
  jsonl: readJsonlSource,
  text: readTextFile,
  html: readHtmlFile,
  urls: readUrlList,
};

export { readApolloArray, readHtmlFile, readJsonlSource, readTextFile, readUrlList };
export { docItem, problemItem, type ReadContext } from './context';
export { htmlDocItem } from './files';
export { JSONL_FIELDS } from './jsonl';
export { parseUrlLine } from './url-list';
