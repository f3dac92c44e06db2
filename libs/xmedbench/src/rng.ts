import { createHash } from 'node:crypto';

/**
 * A seeded generator (sfc32) keyed by arbitrary strings. Shots are drawn with a generator keyed
 * by (seed, item hash), so an item's shots do not depend on which other items run, their order,
 * `--limit` or `--rank`.
 */
export function seededRandom(...key: string[]): () => number {
  const h = createHash('sha256').update(key.join('\u0000')).digest();
  let a = h.readUInt32LE(0);
  let b = h.readUInt32LE(4);
  let c = h.readUInt32LE(8);
  let d = h.readUInt32LE(12);
  return () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

/** k distinct elements in random order (partial Fisher-Yates); fewer when the pool is smaller. */
export function sample<T>(pool: readonly T[], k: number, random: () => number): T[] {
  const a = pool.slice();
  const n = Math.min(k, a.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (a.length - i));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a.slice(0, n);
}
