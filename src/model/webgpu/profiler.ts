// GPU time per step of a forward pass, from timestamp queries written around each step's compute pass. The
// benchmark uses it to show where a pass spends its time (which kernels, and how much is not kernels at all).

export interface StepTiming {
  label: string;
  ms: number;
}

/** A step's time from its begin and end timestamps (u64 nanoseconds). The difference is taken modulo 2^64,
 * so a counter that wrapped between the two still gives the time elapsed. An end earlier than its begin
 * (drivers report such pairs, as wgpu#5660 shows on Vulkan) would read as centuries that way: it gives 0. */
export function stepDurationMs(begin: bigint, end: bigint): number {
  const ticks = BigInt.asUintN(64, end - begin);
  return ticks >= 2n ** 63n ? 0 : Number(ticks) / 1e6;
}

/** Collects a begin/end timestamp pair per step; needs a device created with the 'timestamp-query' feature. */
export class StepTimer {
  private readonly querySet: GPUQuerySet;
  private readonly resolved: GPUBuffer;
  private readonly readable: GPUBuffer;
  private readonly labels: string[] = [];

  constructor(device: GPUDevice, maxSteps: number) {
    if (!device.features.has('timestamp-query')) {
      throw new Error('This WebGPU device has no timestamp queries, so the forward pass cannot be profiled.');
    }
    this.querySet = device.createQuerySet({ type: 'timestamp', count: 2 * maxSteps });
    const size = 16 * maxSteps; // two u64 per step
    this.resolved = device.createBuffer({
      size,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
    this.readable = device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  }

  /** The timestampWrites of the pass that holds step `label`, alone. */
  timestampWrites(label: string): GPUComputePassTimestampWrites {
    const i = this.labels.push(label) - 1;
    return { querySet: this.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 };
  }

  /** Records the copy of the timestamps; call once, after the last step. */
  resolve(encoder: GPUCommandEncoder): void {
    const count = 2 * this.labels.length;
    if (count === 0) return;
    encoder.resolveQuerySet(this.querySet, 0, count, this.resolved, 0);
    encoder.copyBufferToBuffer(this.resolved, 0, this.readable, 0, 8 * count);
  }

  /** Reads the timings back (after the submit) and frees the queries. */
  async read(): Promise<StepTiming[]> {
    try {
      if (this.labels.length === 0) return [];
      await this.readable.mapAsync(GPUMapMode.READ);
      const stamps = new BigUint64Array(this.readable.getMappedRange().slice(0));
      this.readable.unmap();
      return this.labels.map((label, i) => ({ label, ms: stepDurationMs(stamps[2 * i], stamps[2 * i + 1]) }));
    } finally {
      this.querySet.destroy();
      this.resolved.destroy();
      this.readable.destroy();
    }
  }
}

/** Sums timings by kind of step: `h3.mlp_fc` and `h7.mlp_fc` both count as `mlp_fc`, every logits chunk as
 * `logits`. Largest first. */
export function timingsByKind(timings: StepTiming[]): { kind: string; ms: number; steps: number }[] {
  const kinds = new Map<string, { kind: string; ms: number; steps: number }>();
  for (const { label, ms } of timings) {
    const kind = label.replace(/^h\d+\./, '').replace(/\[.*$/, '');
    const entry = kinds.get(kind) ?? { kind, ms: 0, steps: 0 };
    entry.ms += ms;
    entry.steps += 1;
    kinds.set(kind, entry);
  }
  return [...kinds.values()].sort((a, b) => b.ms - a.ms);
}
