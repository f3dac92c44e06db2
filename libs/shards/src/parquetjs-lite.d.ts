// Types for the part of parquetjs-lite 0.8.7 we use (the package ships none).
declare module 'parquetjs-lite' {
  export type ParquetCompression = 'UNCOMPRESSED' | 'SNAPPY' | 'GZIP';

  export interface ParquetFieldDefinition {
    type?: 'UTF8' | 'INT32' | 'INT64' | 'DOUBLE' | 'BOOLEAN' | 'LIST';
    optional?: boolean;
    repeated?: boolean;
    compression?: ParquetCompression;
    /** `false` stores no min/max statistics for the column (nor a column index). */
    statistics?: boolean;
    fields?: Record<string, ParquetFieldDefinition>;
  }

  export class ParquetSchema {
    constructor(fields: Record<string, ParquetFieldDefinition>);
  }

  export interface ParquetWriterOptions {
    rowGroupSize?: number;
    /** Data page v2 (the default) or v1 headers. */
    useDataPageV2?: boolean;
    pageIndex?: boolean;
  }

  export class ParquetWriter {
    static openFile(schema: ParquetSchema, path: string, opts?: ParquetWriterOptions): Promise<ParquetWriter>;
    appendRow(row: Record<string, unknown>): Promise<void>;
    close(): Promise<void>;
    setRowGroupSize(rows: number): void;
    setMetadata(key: string, value: string): void;
    /** Internal, but stable in 0.8.7: `offset` is the number of bytes written so far. */
    readonly envelopeWriter: { offset: number };
  }
}
