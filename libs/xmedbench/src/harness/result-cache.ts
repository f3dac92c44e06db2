import { createReadStream, existsSync } from 'node:fs';
import { appendFile, mkdir, stat, truncate } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { sha256Hex } from '@apollo/document';

/** One cached result line: `{"k": key, "v": value}`. */
interface CacheLine {
  k: string;
  v: unknown;
}

/**
 * The cache key of one scored unit: the model's fingerprint (graph, weights and tokenizer
 * hashes, BOS rule), the mode, the hash of the exact scored text, and whatever else changes the
 * result (choices, generation settings). Anything not in the key must not change the result.
 */
export function cacheKey(parts: readonly unknown[]): string {
  return sha256Hex(JSON.stringify(parts));
}

/**
 * An append-only JSONL file of scored results, so an interrupted run continues where it
 * stopped. Lines are appended after each chunk of items; a line cut short by a kill is dropped
 * (and the file trimmed back to its last complete line) when the cache is opened again.
 */
export class ResultCache {
  private constructor(
    readonly file: string | null,
    private readonly entries: Map<string, unknown>,
  ) {}

  /** A cache that keeps nothing (`--no-cache`). */
  static none(): ResultCache {
    return new ResultCache(null, new Map());
  }

  static async open(file: string): Promise<ResultCache> {
    const entries = new Map<string, unknown>();
    if (existsSync(file)) {
      const size = (await stat(file)).size;
      let offset = 0;
      let good = 0;
      const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
      for await (const line of lines) {
        let parsed: CacheLine | undefined;
        try {
          parsed = JSON.parse(line) as CacheLine;
        } catch {
          parsed = undefined;
        }
        if (!parsed || typeof parsed.k !== 'string') break;
        entries.set(parsed.k, parsed.v);
        offset += Buffer.byteLength(line, 'utf8') + 1;
        good = offset;
      }
      // A line cut short by a kill is dropped; a complete last line that lost only its newline
      // gets it back, so the next append starts on a line of its own.
      if (good < size) await truncate(file, good);
      else if (good > size) await appendFile(file, '\n');
    } else {
      await mkdir(dirname(file), { recursive: true });
    }
    return new ResultCache(file, entries);
  }

  get size(): number {
    return this.entries.size;
  }

  get<T>(key: string): T | undefined {
    return this.entries.get(key) as T | undefined;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Appends results (one write, so a chunk lands whole or is cut at most in its last line). */
  async put(items: readonly { key: string; value: unknown }[]): Promise<void> {
    if (items.length === 0) return;
    for (const { key, value } of items) this.entries.set(key, value);
    if (this.file) await appendFile(this.file, items.map(({ key, value }) => JSON.stringify({ k: key, v: value }) + '\n').join(''));
  }
}
