// The CpuKernels interface on the WebAssembly SIMD kernels: each method turns its arrays into pointers (see
// runtime.ts), then runs the kernel over rows on the thread pool, or on this thread alone.

import type { AdamWArrays, AdamWStep, CpuKernels } from '../cpu/kernels';
import { adamwUpdate } from '../cpu/ops/adamw';
import { sharedMemorySupported, WasmRuntime, type KernelName } from './runtime';
import { ThreadPool } from './thread-pool';

/** Rows of 4 stay together so a tile never changes with the thread count. */
const ROW_ALIGN = 4;
/** Below this many multiply-adds per thread a job stays on one thread (waking a worker costs ~20–50 µs). */
const MIN_MACS_PER_THREAD = 200_000;
/** Products with fewer rows than this split by columns: each thread then packs only its share of B. */
const COLUMN_SPLIT_ROWS = 128;

export class WasmKernels implements CpuKernels {
  private constructor(
    private readonly runtime: WasmRuntime,
    private readonly pool: ThreadPool | null,
  ) {}

  /** One thread, created synchronously (a shared memory when the platform has it, so alloc() is zero-copy). */
  static singleThreaded(): WasmKernels {
    return new WasmKernels(new WasmRuntime(sharedMemorySupported()), null);
  }

  /**
   * `threads` threads in all (1 means this thread only); needs shared memory for more than one. A worker that
   * has not answered `workerTimeoutMs` after this thread's slice is taken for dead (tests shorten it).
   */
  static async create(threads: number, workerTimeoutMs?: number): Promise<WasmKernels> {
    if (threads <= 1) return WasmKernels.singleThreaded();
    const runtime = new WasmRuntime(true);
    return new WasmKernels(runtime, await ThreadPool.create(runtime, threads, workerTimeoutMs));
  }

  get threads(): number {
    return this.pool?.threads ?? 1;
  }

  get description(): string {
    const failure = this.pool?.failure;
    const threads = `${this.threads} thread${this.threads === 1 ? '' : 's'}`;
    return `WASM SIMD · ${threads}${failure ? ` (${failure})` : ''}`;
  }

  /** Test hook: see ThreadPool.killWorkerForTest. */
  killWorkerForTest(): void {
    this.pool?.killWorkerForTest();
  }

  /** gemm_nn over rows, or over 8-column panels when there are few rows (its arguments up to kCausal). */
  private runNN(args: number[], M: number, K: number, N: number): void {
    if (M < COLUMN_SPLIT_ROWS && N >= 16) this.run('gemm_nn', [...args, 1], N, 8, M * K);
    else this.run('gemm_nn', [...args, 0], M, ROW_ALIGN, K * N);
  }

  /** Runs a kernel over [0, total) units, each worth `macsPerUnit` multiply-adds. */
  private run(kernel: KernelName, args: number[], total: number, align: number, macsPerUnit: number): void {
    const minUnits = Math.ceil(MIN_MACS_PER_THREAD / Math.max(1, macsPerUnit));
    if (this.pool) this.pool.run(kernel, args, total, align, minUnits);
    else this.runtime.exports[kernel](...args, 0, total);
  }

  matmulForward(
    out: Float32Array,
    inp: Float32Array,
    weight: Float32Array,
    bias: Float32Array | null,
    T: number,
    C: number,
    OC: number,
  ): void {
    const f = this.runtime.frame();
    const args = [
      f.output(out, false),
      OC,
      f.input(inp),
      C,
      1,
      f.input(weight),
      OC,
      bias ? f.input(bias) : 0,
    ];
    this.runNN([...args, T, C, OC, 0, -1], T, C, OC);
    f.end();
  }

  matmulBackwardInput(
    dinp: Float32Array,
    dout: Float32Array,
    weight: Float32Array,
    N: number,
    C: number,
    OC: number,
  ): void {
    const f = this.runtime.frame();
    const pDinp = f.output(dinp, true);
    const pDout = f.input(dout);
    const pWeight = f.input(weight);
    if (N < 8) {
      // dinp[n, k] = dout[n, :] · weight[k, :]: a dot product per entry, for a row or two.
      const args = [pDinp, C, pDout, OC, pWeight, OC, N, OC, C, 1, 1, 0, 0];
      this.run('gemm_nt', args, N, ROW_ALIGN, C * OC);
    } else {
      // dinp += dout · weightᵀ as a tiled product over weightᵀ (OC, C), transposed once here.
      const weightT = f.temporary(C * OC);
      this.runtime.exports.transpose(weightT, pWeight, C, OC, OC);
      this.runNN([pDinp, C, pDout, OC, 1, weightT, C, 0, N, OC, C, 1, -1], N, OC, C);
    }
    f.end();
  }

  matmulBackwardWeight(
    dweight: Float32Array,
    inp: Float32Array,
    dout: Float32Array,
    N: number,
    C: number,
    OC: number,
  ): void {
    // dweight (C,OC) += inpᵀ · dout: A = inp read transposed (element (k, n) at n·C + k).
    const f = this.runtime.frame();
    this.runNN(
      [f.output(dweight, true), OC, f.input(inp), 1, C, f.input(dout), OC, 0, C, N, OC, 1, -1],
      C,
      N,
      OC,
    );
    f.end();
  }

  logitsForward(
    out: Float32Array,
    inp: Float32Array,
    wte: Float32Array,
    rows: number,
    C: number,
    V: number,
  ): void {
    const f = this.runtime.frame();
    const pOut = f.output(out, false);
    const pInp = f.input(inp);
    const pWte = f.input(wte);
    if (rows >= COLUMN_SPLIT_ROWS) {
      // Many rows (a training batch, a whole window's logits): the register-tiled product over wteᵀ (C, V), about
      // 1.6× as fast as row-by-row dot products (38 → 23 ms for 512 rows × 8,512 columns on 2 threads). The
      // transpose costs about 1/rows of the product.
      const wteT = f.temporary(C * V);
      this.runtime.exports.transpose(wteT, pWte, V, C, C);
      this.runNN([pOut, V, pInp, C, 1, wteT, V, 0, rows, C, V, 0, -1], rows, C, V);
    } else {
      const args = [pOut, V, pInp, C, pWte, C, rows, C, V, 1, 0, 0];
      // One row (the next-token logits) splits over the vocabulary instead of over rows.
      if (rows < 8) this.run('gemm_nt', [...args, 1], V, ROW_ALIGN, rows * C);
      else this.run('gemm_nt', [...args, 0], rows, ROW_ALIGN, V * C);
    }
    f.end();
  }

  headScores(
    scores: Float32Array,
    queries: Float32Array,
    keys: Float32Array,
    T: number,
    S: number,
    d: number,
  ): void {
    const f = this.runtime.frame();
    const args = [f.output(scores, false), S, f.input(queries), d, f.input(keys), d, T, d, S, 1, 0, 0, 0];
    this.run('gemm_nt', args, T, ROW_ALIGN, S * d);
    f.end();
  }

  crossEntropyForward(
    losses: Float32Array,
    logits: Float32Array,
    targets: Int32Array,
    logitBias: Float32Array | null,
    N: number,
    V: number,
  ): number {
    const f = this.runtime.frame();
    // The targets' bits go in as they are (a float view of the ints); the kernel loads them as i32.
    const targetBits = new Float32Array(targets.buffer, targets.byteOffset, N);
    const args = [
      f.output(losses.subarray(0, N), false),
      f.output(logits.subarray(0, N * V), true),
      f.input(targetBits),
      logitBias ? f.input(logitBias.subarray(0, V)) : 0,
      V,
    ];
    this.run('cross_entropy_forward', args, N, 1, V * 8);
    f.end();
    let total = 0;
    for (let n = 0; n < N; n++) total += losses[n];
    return total / N;
  }

  attentionForward(
    out: Float32Array,
    att: Float32Array,
    qkv: Float32Array,
    B: number,
    T: number,
    C: number,
    NH: number,
  ): void {
    const f = this.runtime.frame();
    const args = [f.output(out, false), f.output(att, false), f.input(qkv), T, C, NH];
    this.run('attention_forward', args, B * NH, 1, T * T * (C / NH));
    f.end();
  }

  attentionBackward(
    dqkv: Float32Array,
    datt: Float32Array,
    dout: Float32Array,
    qkv: Float32Array,
    att: Float32Array,
    B: number,
    T: number,
    C: number,
    NH: number,
  ): void {
    const f = this.runtime.frame();
    const args = [
      f.output(dqkv, true),
      f.output(datt, false),
      f.input(dout),
      f.input(qkv),
      f.input(att),
      T,
      C,
      NH,
    ];
    this.run('attention_backward', args, B * NH, 1, 4 * T * T * (C / NH));
    f.end();
  }

  layernormForward(
    out: Float32Array,
    inp: Float32Array,
    weight: Float32Array,
    bias: Float32Array,
    N: number,
    C: number,
    eps: number,
  ): void {
    const f = this.runtime.frame();
    const args = [f.output(out, false), f.input(inp), f.input(weight), f.input(bias), C, eps];
    this.run('layernorm_forward', args, N, 1, 4 * C);
    f.end();
  }

  layernormBackward(
    dinp: Float32Array,
    dweight: Float32Array,
    dbias: Float32Array,
    dout: Float32Array,
    inp: Float32Array,
    weight: Float32Array,
    N: number,
    C: number,
    eps: number,
  ): void {
    const f = this.runtime.frame();
    const args = [f.output(dinp, true), f.output(dweight, true), f.output(dbias, true)];
    // dweight and dbias gather every row in order: one thread, whatever the pool.
    this.runtime.exports.layernorm_backward(
      ...args,
      f.input(dout),
      f.input(inp),
      f.input(weight),
      C,
      eps,
      0,
      N,
    );
    f.end();
  }

  biasBackward(dbias: Float32Array, dout: Float32Array, N: number, OC: number): void {
    const f = this.runtime.frame();
    this.runtime.exports.bias_backward(f.output(dbias, true), f.input(dout), OC, 0, N);
    f.end();
  }

  geluForward(out: Float32Array, inp: Float32Array, N: number): void {
    const f = this.runtime.frame();
    this.run('gelu_forward', [f.output(out, false), f.input(inp)], N, ROW_ALIGN, 8);
    f.end();
  }

  geluBackward(dinp: Float32Array, inp: Float32Array, dout: Float32Array, N: number): void {
    const f = this.runtime.frame();
    this.run('gelu_backward', [f.output(dinp, true), f.input(inp), f.input(dout)], N, ROW_ALIGN, 12);
    f.end();
  }

  adamwUpdate(arrays: AdamWArrays, step: AdamWStep): void {
    const { values, grads, m, v, decayMask } = arrays;
    const all = [values, grads, m, v, decayMask];
    // Arrays outside the memory (a page without shared memory, where alloc() gives plain arrays) would be copied
    // in and out whole on every step, which costs more than the loop itself: they take the TypeScript loop.
    if (!all.every((array) => this.runtime.holds(array))) return adamwUpdate(arrays, step);
    const pointers = all.map((array) => array.byteOffset);
    const { beta1, beta2, stepSize, decayFactor, biasCorrection2Sqrt, eps } = step;
    const scalars = [beta1, beta2, stepSize, decayFactor, biasCorrection2Sqrt, eps];
    this.run('adamw_update', [...pointers, ...scalars], values.length, ROW_ALIGN, 4);
  }

  alloc(length: number): Float32Array {
    return this.runtime.alloc(length);
  }

  makeResident(array: Float32Array): void {
    this.runtime.makeResident(array);
  }

  dispose(): void {
    this.pool?.dispose();
  }
}
