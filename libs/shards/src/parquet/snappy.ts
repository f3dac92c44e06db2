/**
 * Snappy compression (the raw block format Parquet's SNAPPY codec stores), in plain
 * TypeScript: Node has no built-in snappy. The algorithm is the reference one (64 KiB
 * fragments, a hash table of 4-byte sequences, literals and copies), as in snappyjs 0.6
 * (MIT, Zhipeng Jia); this version hashes with Math.imul, loads and compares four bytes at
 * once through a DataView and copies long literals with TypedArray.set, which makes it faster
 * on text. The output is byte for byte that of snappyjs.
 */

const BLOCK_SIZE = 1 << 16;
const MAX_HASH_TABLE_BITS = 14;
const INPUT_MARGIN = 15;

// One table per thread, cleared per fragment: allocating it per call costs more than the clear.
const hashTable = new Uint16Array(1 << MAX_HASH_TABLE_BITS);


function emitLiteral(input: Uint8Array, ip: number, len: number, out: Uint8Array, op: number): number {
  const n = len - 1;
  if (n < 60) out[op++] = n << 2;
  else if (n < 256) {
    out[op++] = 60 << 2;
    out[op++] = n;
  } else {
    out[op++] = 61 << 2;
    out[op++] = n & 0xff;
    out[op++] = n >>> 8;
  }
  if (len > 16) out.set(input.subarray(ip, ip + len), op);
  else for (let i = 0; i < len; i++) out[op + i] = input[ip + i]!;
  return op + len;
}

function emitCopyUpTo64(out: Uint8Array, op: number, offset: number, len: number): number {
  if (len < 12 && offset < 2048) {
    out[op] = 1 + ((len - 4) << 2) + ((offset >>> 8) << 5);
    out[op + 1] = offset & 0xff;
    return op + 2;
  }
  out[op] = 2 + ((len - 1) << 2);
  out[op + 1] = offset & 0xff;
  out[op + 2] = offset >>> 8;
  return op + 3;
}

function emitCopy(out: Uint8Array, op: number, offset: number, len: number): number {
  while (len >= 68) {
    op = emitCopyUpTo64(out, op, offset, 64);
    len -= 64;
  }
  if (len > 64) {
    op = emitCopyUpTo64(out, op, offset, 60);
    len -= 60;
  }
  return emitCopyUpTo64(out, op, offset, len);
}

function compressFragment(input: Uint8Array, view: DataView, start: number, size: number, out: Uint8Array, op: number): number {
  // Words are read with one unaligned little-endian DataView load (TurboFan inlines it), not
  // four byte loads: a quarter less time on text. Every load is inside the input except the
  // next probe's, which can pass the fragment's margin: that word is never compared, and past
  // the input's end (where a DataView would throw) it is 0.
  const table = hashTable;
  const last = input.length - 4;
  let bits = 1;
  while (1 << bits <= size && bits <= MAX_HASH_TABLE_BITS) bits++;
  bits--;
  const shift = 32 - bits;
  table.fill(0, 0, 1 << bits);
  const end = start + size;
  let nextEmit = start;
  if (size >= INPUT_MARGIN) {
    const limit = end - INPUT_MARGIN;
    let ip = start + 1;
    // The word at the next probe is loaded once: for its hash, then for the comparison.
    let nextWord = view.getInt32(ip, true);
    outer: for (;;) {
      let skip = 32;
      let nextIp = ip;
      let candidate = 0;
      // Find a 4-byte match, probing further apart the longer none is found.
      for (;;) {
        ip = nextIp;
        const word = nextWord;
        const hash = Math.imul(word, 0x1e35a7bd) >>> shift;
        nextIp = ip + (skip++ >>> 5);
        if (ip > limit) break outer;
        nextWord = nextIp <= last ? view.getInt32(nextIp, true) : 0;
        candidate = start + table[hash]!;
        table[hash] = ip - start;
        if (word === view.getInt32(candidate, true)) break;
      }
      op = emitLiteral(input, nextEmit, ip - nextEmit, out, op);
      // Emit copies while the next position matches too.
      for (;;) {
        const base = ip;
        let matched = 4;
        while (ip + matched + 4 <= end && view.getInt32(ip + matched, true) === view.getInt32(candidate + matched, true)) matched += 4;
        while (ip + matched < end && input[ip + matched] === input[candidate + matched]) matched++;
        ip += matched;
        op = emitCopy(out, op, base - candidate, matched);
        nextEmit = ip;
        if (ip >= limit) break outer;
        table[Math.imul(view.getInt32(ip - 1, true), 0x1e35a7bd) >>> shift] = ip - 1 - start;
        const word = view.getInt32(ip, true);
        const cur = Math.imul(word, 0x1e35a7bd) >>> shift;
        candidate = start + table[cur]!;
        table[cur] = ip - start;
        if (word !== view.getInt32(candidate, true)) break;
      }
      ip++;
      nextWord = view.getInt32(ip, true);
    }
  }
  if (nextEmit < end) op = emitLiteral(input, nextEmit, end - nextEmit, out, op);
  return op;
}

/** Largest compressed size of `n` input bytes. */
export function snappyMaxLength(n: number): number {
  return 32 + n + Math.floor(n / 6);
}

/**
 * Compresses `input` into `out` (at least `snappyMaxLength(input.length)` bytes); returns the
 * compressed length.
 */
export function snappyCompressInto(input: Uint8Array, out: Uint8Array): number {
  const op = writeLength(input.length, out);
  return compressFragments(input, out, op);
}

/** The preamble: the uncompressed length as a varint. */
function writeLength(length: number, out: Uint8Array): number {
  let op = 0;
  let n = length;
  while (n >= 0x80) {
    out[op++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  out[op++] = n;
  return op;
}

function compressFragments(input: Uint8Array, out: Uint8Array, op: number): number {
  const view = new DataView(input.buffer, input.byteOffset, input.length);
  for (let pos = 0; pos < input.length; pos += BLOCK_SIZE) {
    op = compressFragment(input, view, pos, Math.min(BLOCK_SIZE, input.length - pos), out, op);
  }
  return op;
}

/**
 * Compresses the concatenation of `pieces` into `out` (at least `snappyMaxLength` of their
 * total length) without concatenating them: the same bytes as `snappyCompressInto` of the
 * whole, since fragments are compressed independently. Every piece but the last must hold a
 * whole number of 64 KiB fragments. Returns the compressed length.
 */
export function snappyCompressChunks(pieces: readonly Uint8Array[], out: Uint8Array): number {
  let total = 0;
  pieces.forEach((p, i) => {
    if (i < pieces.length - 1 && p.length % BLOCK_SIZE !== 0) throw new Error(`snappy: piece ${i} of ${p.length} bytes is not a whole number of ${BLOCK_SIZE}-byte fragments`);
    total += p.length;
  });
  let op = writeLength(total, out);
  for (const p of pieces) op = compressFragments(p, out, op);
  return op;
}

/** Compresses `input` into a new buffer of the compressed size. */
export function snappyCompress(input: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(snappyMaxLength(input.length));
  return out.subarray(0, snappyCompressInto(input, out));
}
