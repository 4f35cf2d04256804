// The profiler's step times from raw u64 timestamps: an ordinary pair, a counter that wrapped past 2^64
// between begin and end, and an end stamp earlier than its begin (drivers report these; see wgpu#5660), which
// must give 0 ms rather than a negative time or 584 years. No GPU needed: the device is a stand-in.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { StepTimer, stepDurationMs } from '../../../src/model/webgpu/profiler';

const U64 = 2n ** 64n;

describe('stepDurationMs', () => {
  it('gives the time between two stamps in milliseconds', () => {
    expect(stepDurationMs(1_000_000n, 3_500_000n)).toBe(2.5);
    expect(stepDurationMs(7n, 7n)).toBe(0);
  });

  it('counts across a wrap of the 64-bit counter', () => {
    expect(stepDurationMs(U64 - 500_000n, 1_500_000n)).toBe(2);
  });

  it('gives 0 for an end stamp earlier than its begin', () => {
    expect(stepDurationMs(5_000_000n, 4_000_000n)).toBe(0);
    expect(stepDurationMs(5_000_000n, 0n)).toBe(0);
  });
});

describe('StepTimer.read', () => {
  afterEach(() => vi.unstubAllGlobals());

  /** A device whose timestamp readback holds `stamps`, enough for StepTimer. */
  function deviceWithStamps(stamps: bigint[]): GPUDevice {
    vi.stubGlobal('GPUBufferUsage', { QUERY_RESOLVE: 0x200, COPY_SRC: 0x4, COPY_DST: 0x8, MAP_READ: 0x1 });
    vi.stubGlobal('GPUMapMode', { READ: 0x1 });
    const inert = { destroy: () => undefined };
    const readable = {
      ...inert,
      mapAsync: async () => undefined,
      getMappedRange: () => BigUint64Array.from(stamps).buffer,
      unmap: () => undefined,
    };
    let buffers = 0;
    return {
      features: new Set(['timestamp-query']),
      createQuerySet: () => inert,
      // The constructor creates the resolve buffer first, then the one it maps.
      createBuffer: () => (buffers++ === 0 ? inert : readable),
    } as unknown as GPUDevice;
  }

  it('reads every step safely, a wrapped and a backwards pair included', async () => {
    const timer = new StepTimer(deviceWithStamps([10n, 1_000_010n, U64 - 1_000n, 999_000n, 50n, 40n]), 3);
    for (const label of ['h0.ln_1', 'h0.attn', 'h0.mlp_fc']) timer.timestampWrites(label);
    expect(await timer.read()).toEqual([
      { label: 'h0.ln_1', ms: 1 },
      { label: 'h0.attn', ms: 1 },
      { label: 'h0.mlp_fc', ms: 0 },
    ]);
  });
});
