// The training worker's WebGPU device: asked for once and kept for later runs, until it is lost or refused, so
// a new run on a page that has a device does not ask for a second one.

import type { BackendPreference } from '../../model/trace';
import type { GpuDevice } from '../../model/webgpu/device';

/** A device for a run, or null and why there is none (null reason: the CPU was asked for). */
export interface GpuChoice {
  gpu: GpuDevice | null;
  reason: string | null;
}

export class GpuDevices {
  private device: Promise<GpuDevice> | null = null;

  constructor(private readonly requestDevice: () => Promise<GpuDevice>) {}

  /** WebGPU for a run, unless the preference is the CPU; null and the reason when there is none. */
  async forRun(preference: BackendPreference): Promise<GpuChoice> {
    if (preference === 'cpu') return { gpu: null, reason: null };
    try {
      return { gpu: await this.ask(), reason: null };
    } catch (error) {
      this.device = null;
      return { gpu: null, reason: error instanceof Error ? error.message : String(error) };
    }
  }

  /** The run's device was lost: the next run asks for a new one. */
  forget(): void {
    this.device = null;
  }

  private ask(): Promise<GpuDevice> {
    if (this.device) return this.device;
    const asked = this.requestDevice();
    this.device = asked;
    // Lost between runs: the next run asks for a new one.
    asked.then(
      ({ device }) => device.lost.then(() => this.device === asked && (this.device = null)),
      () => {}, // a refused device is answered in forRun
    );
    return asked;
  }
}
