/**
 * A baseline measured in the same benchmark run as our stage, on the same documents: the
 * plain library call our stage is compared against (cld3 in a loop, the `minhash` package,
 * the raw parquetjs-lite writer).
 */
export interface BaselineResult {
  name: string;
  docs: number;
  /** UTF-8 bytes of document text processed. */
  bytes: number;
  seconds: number;
}

/** A baseline runs over the documents of the given JSONL document files (stage format). */
export type Baseline = (docFiles: string[], options: { maxBytes: number }) => Promise<BaselineResult>;
