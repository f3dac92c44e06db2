/**
 * The MinHash inner loop as a WebAssembly SIMD kernel: four permutations per i32x4 lane group,
 * sixteen per pass (four vectors of coefficients and minima held in locals, which fit the
 * sixteen vector registers of x64 and arm64). It computes exactly what `MinHasher`'s scalar
 * loop computes, fmix32(a_i * x + b_i) with 32-bit wrap-around and an unsigned minimum, about
 * 4-6x faster, and it is the reason the signatures phase is not bound by hashing.
 *
 * The module is a few hundred bytes, assembled here from its instructions rather than shipped as
 * a binary, so it is reviewable and needs no toolchain. Engines without SIMD fail validation and
 * the caller falls back to the scalar loop.
 */

/** Permutations one kernel pass handles: 4 vectors of 4 lanes. */
export const SIMD_GROUP = 16;

const PAGE = 65536;
const I32 = 0x7f;
const V128 = 0x7b;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function name(s: string): number[] {
  return [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];
}

// Opcodes (core and the 0xfd SIMD prefix).
const simd = (op: number): number[] => [0xfd, ...uleb(op)];
const localGet = (i: number): number[] => [0x20, ...uleb(i)];
const localSet = (i: number): number[] => [0x21, ...uleb(i)];
const localTee = (i: number): number[] => [0x22, ...uleb(i)];
const i32Const = (v: number): number[] => [0x41, ...sleb(v)];
const I32_ADD = [0x6a];
const I32_SUB = [0x6b];
const I32_SHL = [0x74];
const I32_EQZ = [0x45];
const I32_LT_U = [0x49];
const i32Load = (offset: number): number[] => [0x28, 2, ...uleb(offset)];
const v128Load = (offset: number): number[] => [...simd(0x00), 4, ...uleb(offset)];
const v128Store = (offset: number): number[] => [...simd(0x0b), 4, ...uleb(offset)];
const v128Splat = (v: number): number[] => {
  const bytes: number[] = [];
  for (let lane = 0; lane < 4; lane++) for (let k = 0; k < 4; k++) bytes.push((v >>> (8 * k)) & 0xff);
  return [...simd(0x0c), ...bytes];
};
const I32X4_SPLAT = simd(0x11);
const V128_XOR = simd(0x51);
const I32X4_SHR_U = simd(0xad);
const I32X4_ADD = simd(0xae);
const I32X4_MUL = simd(0xb5);
const I32X4_MIN_U = simd(0xb7);
const BLOCK = [0x02, 0x40];
const LOOP = [0x03, 0x40];
const END = [0x0b];
const brIf = (depth: number): number[] => [0x0d, ...uleb(depth)];
const br = (depth: number): number[] => [0x0c, ...uleb(depth)];

/**
 * kernel(shingles, count, coefs, out, groups): for each of `groups` passes, reads 16 a and 16 b
 * coefficients at `coefs` (a block of 128 bytes: a then b), writes the 16 minima at `out` (64
 * bytes), then moves both pointers on. `count` must be at least 1.
 */
function kernelBody(): number[] {
  // Locals: parameters 0-4, then end, p (i32), then x, h, c1, c2, a0-3, b0-3, m0-3 (v128).
  const [SH, N, COEF, OUT, GROUPS, END_P, P, X, H, C1, C2] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const A = (g: number) => 11 + g;
  const B = (g: number) => 15 + g;
  const M = (g: number) => 19 + g;
  const code: number[] = [];
  const emit = (...parts: number[][]) => parts.forEach((p) => code.push(...p));
  emit(v128Splat(0x85ebca6b), localSet(C1), v128Splat(0xc2b2ae35), localSet(C2));
  emit(localGet(SH), localGet(N), i32Const(2), I32_SHL, I32_ADD, localSet(END_P));
  emit(BLOCK, LOOP);
  emit(localGet(GROUPS), I32_EQZ, brIf(1));
  for (let g = 0; g < 4; g++) {
    emit(localGet(COEF), v128Load(16 * g), localSet(A(g)));
    emit(localGet(COEF), v128Load(64 + 16 * g), localSet(B(g)));
    emit(v128Splat(0xffffffff), localSet(M(g)));
  }
  emit(localGet(SH), localSet(P));
  emit(LOOP);
  emit(localGet(P), i32Load(0), I32X4_SPLAT, localSet(X));
  for (let g = 0; g < 4; g++) {
    // h = a*x + b; h ^= h >>> 16; h *= c1; h ^= h >>> 13; h *= c2; h ^= h >>> 16; m = min_u(m, h)
    emit(localGet(A(g)), localGet(X), I32X4_MUL, localGet(B(g)), I32X4_ADD, localTee(H));
    emit(localGet(H), i32Const(16), I32X4_SHR_U, V128_XOR, localGet(C1), I32X4_MUL, localTee(H));
    emit(localGet(H), i32Const(13), I32X4_SHR_U, V128_XOR, localGet(C2), I32X4_MUL, localTee(H));
    emit(localGet(H), i32Const(16), I32X4_SHR_U, V128_XOR, localGet(M(g)), I32X4_MIN_U, localSet(M(g)));
  }
  emit(localGet(P), i32Const(4), I32_ADD, localTee(P), localGet(END_P), I32_LT_U, brIf(0));
  emit(END);
  for (let g = 0; g < 4; g++) emit(localGet(OUT), localGet(M(g)), v128Store(16 * g));
  emit(localGet(COEF), i32Const(128), I32_ADD, localSet(COEF));
  emit(localGet(OUT), i32Const(64), I32_ADD, localSet(OUT));
  emit(localGet(GROUPS), i32Const(1), I32_SUB, localSet(GROUPS));
  emit(br(0), END, END, END);
  const locals = [2, ...uleb(2), I32, ...uleb(16), V128];
  return [...uleb(locals.length + code.length), ...locals, ...code];
}

/** The module's bytes: one function `kernel`, one exported memory `memory`. */
export function minhashKernelModule(): Uint8Array {
  const type = [1, 0x60, 5, I32, I32, I32, I32, I32, 0];
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, type),
    ...section(3, [1, 0]),
    ...section(5, [1, 0x00, 1]),
    ...section(7, [2, ...name('kernel'), 0x00, 0, ...name('memory'), 0x02, 0]),
    ...section(10, [1, ...kernelBody()]),
  ];
  return Uint8Array.from(bytes);
}

type Kernel = (shingles: number, count: number, coefs: number, out: number, groups: number) => void;

// The part of the WebAssembly API used here: the workspace's lib settings (ES2023, no DOM) have
// no WebAssembly types.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

let compiled: object | null | undefined;

/** The compiled module, or null where the engine lacks WebAssembly SIMD. */
function kernelModule(): object | null {
  if (compiled === undefined) {
    const bytes = minhashKernelModule();
    compiled = wasm !== undefined && wasm.validate(bytes) ? new wasm.Module(bytes) : null;
  }
  return compiled;
}

/** MinHash signatures through the SIMD kernel, for one fixed set of coefficients. */
export class SimdMinHash {
  private readonly memory: WasmMemory;
  private readonly kernel: Kernel;
  private readonly groups: number;
  private readonly outOffset: number;
  private readonly shingleOffset: number;
  private words: Uint32Array;

  private constructor(
    exports: Record<string, unknown>,
    private readonly numHashes: number,
    a: Int32Array,
    b: Int32Array,
  ) {
    this.memory = exports['memory'] as WasmMemory;
    this.kernel = exports['kernel'] as Kernel;
    this.groups = Math.ceil(numHashes / SIMD_GROUP);
    this.outOffset = this.groups * 128;
    this.shingleOffset = this.outOffset + this.groups * 64;
    this.words = new Uint32Array(this.memory.buffer);
    this.reserve(this.shingleOffset + 4096);
    // Permutations past numHashes (padding to a whole group) get a = b = 0: computed, never read.
    for (let g = 0; g < this.groups; g++) {
      for (let k = 0; k < SIMD_GROUP; k++) {
        const i = g * SIMD_GROUP + k;
        this.words[g * 32 + k] = i < numHashes ? a[i]! : 0;
        this.words[g * 32 + SIMD_GROUP + k] = i < numHashes ? b[i]! : 0;
      }
    }
  }

  /** A kernel for these coefficients, or undefined where WebAssembly SIMD is unavailable. */
  static create(numHashes: number, a: Int32Array, b: Int32Array): SimdMinHash | undefined {
    const module = kernelModule();
    return module ? new SimdMinHash(new wasm!.Instance(module, {}).exports, numHashes, a, b) : undefined;
  }

  private reserve(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return;
    this.memory.grow(Math.ceil((bytes - have) / PAGE));
    this.words = new Uint32Array(this.memory.buffer);
  }

  /** Minima of a non-empty shingle set, written to `out` (length numHashes). */
  signature(shingles: Uint32Array, out: Uint32Array): void {
    this.reserve(this.shingleOffset + shingles.length * 4);
    this.words.set(shingles, this.shingleOffset >> 2);
    this.kernel(this.shingleOffset, shingles.length, 0, this.outOffset, this.groups);
    out.set(this.words.subarray(this.outOffset >> 2, (this.outOffset >> 2) + this.numHashes));
  }
}
