// One instance of the WebAssembly kernels with its memory, and the bookkeeping that lets TypeScript hand it
// Float32Arrays: arrays already inside the memory go by pointer, resident copies (a model's weights) by their
// recorded offset, and anything else is copied into scratch space for the one call.

import { KERNELS_SHARED_WASM, KERNELS_WASM, MAX_PAGES } from './build/kernels';

export interface KernelExports {
  gemm_nn(...args: number[]): void;
  gemm_nt(...args: number[]): void;
  softmax_causal(...args: number[]): void;
  softmax_causal_backward(...args: number[]): void;
  gelu_forward(...args: number[]): void;
  gelu_backward(...args: number[]): void;
  attention_forward(...args: number[]): void;
  attention_backward(...args: number[]): void;
  layernorm_forward(...args: number[]): void;
  layernorm_backward(...args: number[]): void;
  bias_backward(...args: number[]): void;
  cross_entropy_forward(...args: number[]): void;
  adamw_update(...args: number[]): void;
  set_pack_buffer(ptr: number, bytes: number): void;
  /** dst (cols × rows) = srcᵀ, src (rows × cols) with row stride ld; on the calling thread. */
  transpose(dst: number, src: number, rows: number, cols: number, ld: number): void;
}
/** The kernels that run over a range of rows (the last two arguments). */
export type KernelName = Exclude<keyof KernelExports, 'set_pack_buffer' | 'transpose'>;

const PAGE = 65536;
/** Each instance's buffer for packed B panels: K × 32 bytes, so products with K ≤ 8192 are packed. */
export const PACK_BYTES = 256 * 1024;
/** The first page stays free for AssemblyScript's own (empty) static data and stack. */
const RESERVED = PAGE;

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const modules: { plain?: WebAssembly.Module; shared?: WebAssembly.Module } = {};

/** The compiled module (compiled once per thread; a 7 KB module compiles synchronously everywhere). */
export function kernelModule(shared: boolean): WebAssembly.Module {
  const key = shared ? 'shared' : 'plain';
  modules[key] ??= new WebAssembly.Module(decode(shared ? KERNELS_SHARED_WASM : KERNELS_WASM));
  return modules[key]!;
}

/** Whether this JavaScript engine runs WebAssembly with 128-bit SIMD (validating the module tells). */
export function wasmSimdSupported(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(decode(KERNELS_WASM));
  } catch {
    return false;
  }
}

/** Whether shared memory, hence worker threads, can be used here (a browser needs cross-origin isolation). */
export function sharedMemorySupported(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  try {
    new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return true;
  } catch {
    return false;
  }
}

export class WasmRuntime {
  readonly memory: WebAssembly.Memory;
  readonly exports: KernelExports;
  readonly module: WebAssembly.Module;
  /** Bytes in use by persistent allocations (resident copies and alloc()); scratch starts here. */
  private persistentTop = RESERVED;
  private scratchTop = RESERVED;
  private readonly resident = new WeakMap<Float32Array, number>();
  /** Every ArrayBuffer the memory has had (a grown memory hands out a new one). */
  private readonly buffers = new WeakSet<ArrayBufferLike>();

  constructor(readonly shared: boolean) {
    this.module = kernelModule(shared);
    this.memory = new WebAssembly.Memory({
      initial: 2,
      maximum: MAX_PAGES,
      shared,
    } as WebAssembly.MemoryDescriptor);
    const instance = new WebAssembly.Instance(this.module, {
      env: {
        memory: this.memory,
        abort: () => {
          throw new Error('WebAssembly kernel aborted');
        },
      },
    });
    this.exports = instance.exports as unknown as KernelExports;
    this.buffers.add(this.memory.buffer);
    this.exports.set_pack_buffer(this.reservePersistent(PACK_BYTES), PACK_BYTES);
  }

  /** `bytes` of memory that stay this instance's (or a worker's) until the runtime goes away. */
  reservePersistent(bytes: number): number {
    if (this.scratchTop > this.persistentTop) throw new Error('persistent memory during a kernel call');
    const ptr = this.reserve(bytes, this.persistentTop);
    this.persistentTop = this.scratchTop = ptr + bytes;
    return ptr;
  }

  /** A view of `length` floats at byte offset `ptr` of the current memory. */
  view(ptr: number, length: number): Float32Array {
    const buffer = this.memory.buffer;
    this.buffers.add(buffer);
    return new Float32Array(buffer, ptr, length);
  }

  private reserve(bytes: number, from: number): number {
    const start = (from + 15) & ~15; // 16-byte aligned for v128 loads
    const end = start + bytes;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE);
      if (have / PAGE + pages > MAX_PAGES)
        throw new Error('The model does not fit in WebAssembly memory (4 GiB).');
      this.memory.grow(pages);
      this.buffers.add(this.memory.buffer);
    }
    return start;
  }

  /**
   * A persistent array of `length` floats inside the memory, which kernels read without copying. Only a shared
   * memory keeps such views valid when it grows, so a plain memory returns an ordinary array instead.
   */
  alloc(length: number): Float32Array {
    if (!this.shared) return new Float32Array(length);
    return this.view(this.reservePersistent(length * 4), length);
  }

  /** Copies `array` into the memory once; later calls find it by identity (model weights). */
  makeResident(array: Float32Array): void {
    if (this.pointerOf(array) !== null) return;
    const ptr = this.reservePersistent(array.length * 4);
    this.view(ptr, array.length).set(array);
    this.resident.set(array, ptr);
  }

  /** Whether `array` is a view of the memory itself (alloc()), not a resident copy or an outside array. */
  holds(array: Float32Array): boolean {
    return this.buffers.has(array.buffer);
  }

  /** The byte offset of `array` in the memory, or null when it lives elsewhere. */
  pointerOf(array: Float32Array): number | null {
    if (this.buffers.has(array.buffer)) return array.byteOffset;
    return this.resident.get(array) ?? null;
  }

  /** Starts one kernel call's scratch space; `end()` copies outputs back and frees it. */
  frame(): Frame {
    return new Frame(this);
  }

  /** Scratch of `bytes` for the current call (internal to Frame). */
  scratch(bytes: number): number {
    const ptr = this.reserve(bytes, this.scratchTop);
    this.scratchTop = ptr + bytes;
    return ptr;
  }

  releaseScratch(): void {
    this.scratchTop = this.persistentTop;
  }
}

/** The arrays of one kernel call: pointers for the kernel, copies where needed, outputs copied back. */
export class Frame {
  private readonly copyBack: [Float32Array, number][] = [];

  constructor(private readonly runtime: WasmRuntime) {}

  /** A pointer to an input the kernel reads. */
  input(array: Float32Array): number {
    const ptr = this.runtime.pointerOf(array);
    if (ptr !== null) return ptr;
    const scratch = this.runtime.scratch(array.length * 4);
    this.runtime.view(scratch, array.length).set(array);
    return scratch;
  }

  /** A pointer to an output; `accumulates` when the kernel adds to what is there. */
  output(array: Float32Array, accumulates: boolean): number {
    const ptr = this.runtime.pointerOf(array);
    if (ptr !== null) return ptr;
    const scratch = accumulates ? this.input(array) : this.runtime.scratch(array.length * 4);
    this.copyBack.push([array, scratch]);
    return scratch;
  }

  /** Scratch the kernel uses internally. */
  temporary(length: number): number {
    return this.runtime.scratch(length * 4);
  }

  end(): void {
    for (const [array, ptr] of this.copyBack) array.set(this.runtime.view(ptr, array.length));
    this.runtime.releaseScratch();
  }
}
