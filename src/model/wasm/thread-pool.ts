// Worker threads that share one WebAssembly memory and run a kernel over slices of its rows: a few slices per
// thread, each claimed with a compare-and-swap by whichever thread gets to it first, the caller's included. A
// worker that a busy machine has not scheduled yet, or has paused, so holds up one small slice at most; the
// caller then blocks (Atomics.wait) until the claimed slices are done, so the engine's code stays synchronous. Node uses
// worker_threads; a browser uses Web Workers, which need SharedArrayBuffer, that is cross-origin isolation.
// Slices only decide who computes a row, never how, so results are bit-identical for any number of threads.

import { PACK_BYTES, type KernelName, type WasmRuntime } from './runtime';

// Layout of the control block (Int32 slots), then the arguments as Float64.
const GENERATION = 0; // bumped to start a job; workers wait on it
const FAILED = 2; // set when a worker's kernel threw
const STOP = 3;
const KERNEL = 4;
const ARGC = 5;
const SLICE_COUNT = 6;
const MAX_THREADS = 64;
/** Slices per thread: enough that a slow thread holds up little, few enough that claiming stays cheap. */
const SLICES_PER_THREAD = 4;
const MAX_SLICES = MAX_THREADS * SLICES_PER_THREAD;
const STATES = 8; // one slot per slice: its state (below)
const RANGES = STATES + MAX_SLICES; // [start, end) per slice
const ARGS_BYTE_OFFSET = (RANGES + 2 * MAX_SLICES) * 4;
const MAX_ARGS = 16;
// A slice's states. Only an open slice can be claimed, so a worker waking late never touches a finished job.
const CLOSED = 0;
const OPEN = 1;
const CLAIMED = 2; // a worker is computing it
const TAKEN = 3; // the caller's thread computed it
const FINISHED = 4; // a worker is done with it

/**
 * How long a job waits for the workers after this thread finished its own slice, before it takes them for dead
 * (a dead worker never answers): a multiple of this thread's time, and never less than the floor. The floor is
 * long because a worker that is only slow (a busy machine) must not be given up on: it would still be writing
 * while this thread reran the pass.
 */
const WORKER_TIMEOUT_FACTOR = 50;
/** A worker watches for the next job this long after each one (a keystroke's pass is a burst of jobs). */
const WORKER_SPIN_MS = 2;
const WORKER_TIMEOUT_FLOOR_MS = 30_000;

/**
 * A worker failed or stopped answering during a kernel. The pool has let its workers go, so running the whole
 * pass again (on this thread) gives the same numbers; a kernel that accumulates cannot simply be rerun alone.
 */
export class ComputeThreadError extends Error {
  constructor(reason: string) {
    super(`${reason[0].toUpperCase()}${reason.slice(1)}; the CPU goes on with one thread.`);
    this.name = 'ComputeThreadError';
  }
}

/** Every kernel a worker may run, by index; a Record so that a kernel added to KernelName fails to compile until
 * it is listed here (a worker asked for a name it lacks fails the job). */
const KERNELS: Record<KernelName, true> = {
  gemm_nn: true,
  gemm_nt: true,
  softmax_causal: true,
  softmax_causal_backward: true,
  gelu_forward: true,
  gelu_backward: true,
  attention_forward: true,
  attention_backward: true,
  layernorm_forward: true,
  layernorm_backward: true,
  bias_backward: true,
  cross_entropy_forward: true,
  adamw_update: true,
};
export const KERNEL_NAMES = Object.keys(KERNELS) as KernelName[];

/**
 * The worker's whole program, as a function that references nothing outside itself (it is sent as source).
 * It calls `ready` once it is listening: a job started before that would be missed.
 */
function workerMain(
  init: {
    module: WebAssembly.Module;
    memory: WebAssembly.Memory;
    control: SharedArrayBuffer;
    index: number;
    names: string[];
    layout: number[];
    /** This worker's buffer for packed panels (see gemm.ts). */
    pack: [number, number];
    /** How long to watch for the next job after one, before sleeping. */
    spinMs: number;
    /** The OPEN, CLAIMED and FINISHED slice states. */
    states: number[];
    /** Threads in the pool, this worker's `index` being one of 1 … threads − 1. */
    threads: number;
  },
  ready: () => void,
): void {
  const [GEN, STATES_, FAILED_, STOP_, KERNEL_, ARGC_, RANGES_, ARGS_OFFSET, MAX_ARGS_, SLICES_] =
    init.layout;
  const [OPEN_, CLAIMED_, FINISHED_] = init.states;
  const instance = new WebAssembly.Instance(init.module, {
    env: {
      memory: init.memory,
      abort: () => {
        throw new Error('WebAssembly kernel aborted');
      },
    },
  });
  const ctrl = new Int32Array(init.control);
  const args = new Float64Array(init.control, ARGS_OFFSET, MAX_ARGS_);
  const exports = instance.exports as Record<string, (...a: number[]) => void>;
  exports.set_pack_buffer(init.pack[0], init.pack[1]);
  let seen = Atomics.load(ctrl, GEN);
  ready();
  for (;;) {
    // Jobs come in bursts (a pass is dozens of products), and waking from Atomics.wait costs tens of
    // microseconds or more in a VM: so watch for the next job for a moment before going to sleep.
    const spinUntil = performance.now() + init.spinMs;
    while (Atomics.load(ctrl, GEN) === seen && performance.now() < spinUntil);
    Atomics.wait(ctrl, GEN, seen);
    seen = Atomics.load(ctrl, GEN);
    if (Atomics.load(ctrl, STOP_)) return;
    // Claim open slices, starting at this worker's share so threads rarely race for the same one. A slice that
    // is open belongs to the job that opened it, whose arguments were written before it opened.
    const slices = Atomics.load(ctrl, SLICES_);
    const first = Math.floor((slices * init.index) / init.threads);
    for (let i = 0; i < slices; i++) {
      const slice = (first + i) % slices;
      const state = STATES_ + slice;
      if (Atomics.compareExchange(ctrl, state, OPEN_, CLAIMED_) !== OPEN_) continue;
      try {
        const a = Array.from(args.subarray(0, ctrl[ARGC_]));
        exports[init.names[ctrl[KERNEL_]]](...a, ctrl[RANGES_ + 2 * slice], ctrl[RANGES_ + 2 * slice + 1]);
      } catch {
        Atomics.store(ctrl, FAILED_, 1);
      }
      Atomics.store(ctrl, state, FINISHED_);
      Atomics.notify(ctrl, state);
    }
  }
}

interface WorkerHandle {
  terminate(): unknown;
}

/**
 * Starts one worker running workerMain, in Node or in a browser, and resolves once it is listening. `onStop`
 * is called if it ends or fails afterwards (a crash; the browser may also end one without a word, and then
 * the caller's thread simply keeps taking its slices).
 */
async function startWorker(
  init: Parameters<typeof workerMain>[0],
  onStop: () => void,
): Promise<WorkerHandle> {
  const body = `(${workerMain.toString()})`;
  if (typeof process !== 'undefined' && process.versions?.node && typeof window === 'undefined') {
    // A module name in a variable keeps the browser bundle from trying to resolve it.
    const workerThreads = 'node:worker_threads';
    const { Worker } = (await import(
      /* @vite-ignore */ workerThreads
    )) as typeof import('node:worker_threads');
    const source =
      `const { parentPort, workerData } = require('node:worker_threads');` +
      `${body}(workerData, () => parentPort.postMessage('ready'));`;
    const worker = new Worker(source, { eval: true, workerData: init });
    worker.unref();
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    });
    worker.on('exit', onStop);
    worker.on('error', onStop);
    return worker;
  }
  const source = `self.onmessage = (e) => ${body}(e.data, () => self.postMessage('ready'));`;
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const worker = new Worker(url);
  URL.revokeObjectURL(url);
  await new Promise<void>((resolve, reject) => {
    worker.onmessage = () => resolve();
    worker.onerror = (event) => reject(new Error(event.message || 'A compute worker did not start.'));
    worker.postMessage(init);
  });
  worker.onerror = onStop;
  return worker;
}

export class ThreadPool {
  private readonly control = new SharedArrayBuffer(ARGS_BYTE_OFFSET + MAX_ARGS * 8);
  private readonly ctrl = new Int32Array(this.control);
  private readonly args = new Float64Array(this.control, ARGS_BYTE_OFFSET, MAX_ARGS);
  private workers: WorkerHandle[] = [];
  private disposed = false;
  /** Why the workers were let go (this thread then computes alone), or null while they run. */
  private brokenReason: string | null = null;

  private constructor(
    readonly runtime: WasmRuntime,
    private readonly timeoutFloorMs: number,
  ) {}

  /** A pool of `threads` threads in all: this one plus threads − 1 workers on the runtime's shared memory. */
  static async create(
    runtime: WasmRuntime,
    threads: number,
    timeoutFloorMs = WORKER_TIMEOUT_FLOOR_MS,
  ): Promise<ThreadPool> {
    if (!runtime.shared) throw new Error('Worker threads need a shared WebAssembly memory.');
    const pool = new ThreadPool(runtime, timeoutFloorMs);
    const count = Math.max(1, Math.min(MAX_THREADS, Math.floor(threads)));
    const layout = [
      GENERATION,
      STATES,
      FAILED,
      STOP,
      KERNEL,
      ARGC,
      RANGES,
      ARGS_BYTE_OFFSET,
      MAX_ARGS,
      SLICE_COUNT,
    ];
    try {
      for (let index = 1; index < count; index++) {
        pool.workers.push(
          await startWorker(
            {
              module: runtime.module,
              memory: runtime.memory,
              control: pool.control,
              index,
              names: KERNEL_NAMES,
              layout,
              pack: [runtime.reservePersistent(PACK_BYTES), PACK_BYTES],
              spinMs: WORKER_SPIN_MS,
              states: [OPEN, CLAIMED, FINISHED],
              threads: count,
            },
            () => pool.workerStopped(),
          ),
        );
      }
    } catch (error) {
      pool.dispose();
      throw error;
    }
    return pool;
  }

  get threads(): number {
    return this.workers.length + 1;
  }

  /** Why the pool fell back to this thread alone, or null. */
  get failure(): string | null {
    return this.brokenReason;
  }

  /**
   * Runs `kernel(...args, start, end)` over [0, total), split into one slice per thread at multiples of
   * `align`. Small jobs (under `minPerThread` units a thread) stay on this thread: waking a worker costs tens
   * of microseconds. If a worker fails, or stops answering in the middle of its slice, the workers are let go
   * and ComputeThreadError is thrown: the caller reruns its pass, on this thread from then on.
   */
  run(kernel: KernelName, args: number[], total: number, align = 1, minPerThread = 1): void {
    const exports = this.runtime.exports;
    const threads = Math.min(this.threads, Math.floor(total / Math.max(1, minPerThread)));
    if (threads <= 1) {
      exports[kernel](...args, 0, total);
      return;
    }
    const units = Math.ceil(total / align);
    const count = Math.min(units, threads * SLICES_PER_THREAD);
    // Everything a worker reads is written before a slice opens.
    const ctrl = this.ctrl;
    this.args.set(args);
    ctrl[KERNEL] = KERNEL_NAMES.indexOf(kernel);
    ctrl[ARGC] = args.length;
    for (let slice = 0; slice < count; slice++) {
      ctrl[RANGES + 2 * slice] = Math.min(total, Math.floor((units * slice) / count) * align);
      ctrl[RANGES + 2 * slice + 1] =
        slice === count - 1 ? total : Math.min(total, Math.floor((units * (slice + 1)) / count) * align);
    }
    Atomics.store(ctrl, SLICE_COUNT, count);
    for (let slice = 0; slice < count; slice++) Atomics.store(ctrl, STATES + slice, OPEN);
    Atomics.add(ctrl, GENERATION, 1);
    Atomics.notify(ctrl, GENERATION);
    // This thread claims slices too, from the first; whatever no worker has started is computed here.
    const started = performance.now();
    let own = 0;
    for (let slice = 0; slice < count; slice++) {
      if (Atomics.compareExchange(ctrl, STATES + slice, OPEN, TAKEN) !== OPEN) continue;
      exports[kernel](...args, ctrl[RANGES + 2 * slice], ctrl[RANGES + 2 * slice + 1]);
      own = performance.now() - started;
    }
    const failure = this.waitForWorkers(count, Math.max(this.timeoutFloorMs, WORKER_TIMEOUT_FACTOR * own));
    for (let slice = 0; slice < count; slice++) Atomics.store(ctrl, STATES + slice, CLOSED);
    if (failure) {
      this.letWorkersGo(failure);
      throw new ComputeThreadError(failure);
    }
  }

  /** Waits until every claimed slice is finished; returns why not, if a worker failed or never finished. */
  private waitForWorkers(count: number, timeoutMs: number): string | null {
    const ctrl = this.ctrl;
    const started = performance.now();
    for (let slice = 0; slice < count; slice++) {
      // A claimed slice is short, so it is usually done within moments: watch (a futex wake-up costs more
      // than the wait) before sleeping in short steps until the deadline.
      while (Atomics.load(ctrl, STATES + slice) === CLAIMED) {
        const now = performance.now();
        if (now - started < WORKER_SPIN_MS) continue;
        if (now - started > timeoutMs) return 'a compute thread stopped answering';
        Atomics.wait(ctrl, STATES + slice, CLAIMED, 20);
      }
    }
    if (!Atomics.load(ctrl, FAILED)) return null;
    Atomics.store(ctrl, FAILED, 0);
    return 'a compute thread failed';
  }

  /** A worker ended by itself: go on without threads, and say so in `failure`. */
  private workerStopped(): void {
    if (!this.disposed) this.letWorkersGo('a compute thread stopped');
  }

  private letWorkersGo(reason: string): void {
    this.brokenReason = reason;
    this.dispose();
  }

  /** Test hook: ends one worker as a crash would, without telling the pool. */
  killWorkerForTest(): void {
    void this.workers[0]?.terminate();
  }

  dispose(): void {
    this.disposed = true;
    Atomics.store(this.ctrl, STOP, 1);
    Atomics.add(this.ctrl, GENERATION, 1);
    Atomics.notify(this.ctrl, GENERATION);
    for (const worker of this.workers) void worker.terminate();
    this.workers = [];
  }
}
