// Reading the trace back: which bytes of which buffers the request needs, copied right after the step that
// wrote them (before a later layer reuses the buffer) into mappable staging buffers, then mapped once.

import type { TensorMap } from '../trace';
import type { Run, Step } from './steps';

/** One buffer-to-buffer copy into the staging area, recorded after step `afterStep`. */
export interface Copy {
  afterStep: number;
  src: GPUBuffer;
  srcOffset: number;
  size: number;
  tensor: string;
  /** Byte offset inside the tensor. */
  dstOffset: number;
}

export interface WantedTensor {
  name: string;
  shape: number[];
}

const bytesOf = (shape: number[]) => 4 * shape.reduce((a, b) => a * b, 1);

/** Lists the copies and the tensors the request in `run` asks for, over the steps that run. */
export function planReadback(
  steps: Step[],
  run: Run,
  nHead: number,
): { copies: Copy[]; tensors: WantedTensor[] } {
  const copies: Copy[] = [];
  const tensors = new Map<string, WantedTensor>();
  const want = (name: string, shape: number[]) => {
    if (!tensors.has(name)) tensors.set(name, { name, shape });
  };
  steps.forEach((step, afterStep) => {
    if (step.when && !step.when(run)) return;
    for (const source of step.outputs ?? []) {
      if (source.when && !source.when(run)) continue;
      const shape = source.shape(run);
      if (source.piece) {
        const piece = source.piece(run);
        if (!piece || run.logitRows === 0) continue;
        want(source.name, shape);
        copies.push({
          afterStep,
          src: source.buffer,
          srcOffset: 0,
          size: piece.size,
          tensor: source.name,
          dstOffset: piece.dstOffset,
        });
        continue;
      }
      if (run.select.wants(source.name)) {
        want(source.name, shape);
        copies.push({
          afterStep,
          src: source.buffer,
          srcOffset: 0,
          size: bytesOf(shape),
          tensor: source.name,
          dstOffset: 0,
        });
      }
      if (!source.perHead) continue;
      const headShape = shape.slice(1);
      const headBytes = bytesOf(headShape);
      for (const h of run.select.headsWanted(source.name, nHead)) {
        const name = `${source.name}.head${h}`;
        want(name, headShape);
        copies.push({
          afterStep,
          src: source.buffer,
          srcOffset: h * headBytes,
          size: headBytes,
          tensor: name,
          dstOffset: 0,
        });
      }
    }
  });
  return { copies, tensors: [...tensors.values()] };
}

/** Where a tensor lies in the staging buffers. */
interface Placement {
  buffer: number;
  offset: number;
  shape: number[];
}

/**
 * Mappable buffers that receive the copies. Tensors are packed into as few buffers as the size limit allows
 * (usually one); the buffers are kept and reused while they are large enough.
 */
export class StagingArea {
  private buffers: GPUBuffer[] = [];
  private placements = new Map<string, Placement>();

  constructor(
    private readonly device: GPUDevice,
    private readonly maxBytesPerBuffer = Math.min(device.limits.maxBufferSize, 1 << 30),
  ) {}

  /** Lays out `tensors` and makes sure the buffers exist. */
  prepare(tensors: WantedTensor[]): void {
    this.placements.clear();
    const sizes: number[] = [];
    for (const { name, shape } of tensors) {
      const bytes = bytesOf(shape);
      if (bytes > this.maxBytesPerBuffer) {
        throw new Error(`${name} (${bytes} bytes) is larger than one GPU buffer may be on this device.`);
      }
      let index = sizes.findIndex((used) => used + bytes <= this.maxBytesPerBuffer);
      if (index < 0) index = sizes.push(0) - 1;
      this.placements.set(name, { buffer: index, offset: sizes[index], shape });
      sizes[index] += bytes;
    }
    sizes.forEach((size, i) => {
      if (this.buffers[i] && this.buffers[i].size >= size) return;
      this.buffers[i]?.destroy();
      this.buffers[i] = this.device.createBuffer({
        label: `readback ${i}`,
        size: Math.max(4, size),
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
    });
  }

  encodeCopy(encoder: GPUCommandEncoder, copy: Copy): void {
    const place = this.placements.get(copy.tensor)!;
    encoder.copyBufferToBuffer(
      copy.src,
      copy.srcOffset,
      this.buffers[place.buffer],
      place.offset + copy.dstOffset,
      copy.size,
    );
  }

  /** Maps the staging buffers (after the submit) and copies every tensor out into its own Float32Array. */
  async read(): Promise<TensorMap> {
    const used = new Set([...this.placements.values()].map((p) => p.buffer));
    const buffers = [...used].map((i) => this.buffers[i]);
    await Promise.all(buffers.map((b) => b.mapAsync(GPUMapMode.READ)));
    const tensors: TensorMap = {};
    try {
      const ranges = new Map([...used].map((i) => [i, this.buffers[i].getMappedRange()]));
      for (const [name, place] of this.placements) {
        const count = bytesOf(place.shape) / 4;
        const view = new Float32Array(ranges.get(place.buffer)!, place.offset, count);
        tensors[name] = { shape: place.shape, data: view.slice() };
      }
    } finally {
      for (const b of buffers) b.unmap();
    }
    return tensors;
  }

  dispose(): void {
    for (const b of this.buffers) b.destroy();
    this.buffers = [];
  }
}

/** Reads `floats` floats of `buffer` back to the CPU (training's losses, gradient norm and parameters). */
export async function readBuffer(
  device: GPUDevice,
  buffer: GPUBuffer,
  floats: number,
): Promise<Float32Array> {
  const staging = device.createBuffer({
    size: Math.max(4, floats * 4),
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, 0, staging, 0, floats * 4);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const result = new Float32Array(staging.getMappedRange(), 0, floats).slice();
  staging.destroy();
  return result;
}
