// The model's parameters in GPU buffers, uploaded once per engine. wte is split into row chunks when it is
// larger than one storage binding may be, so GPT-2 124M loads even where the 128 MiB default holds.

import type { GPT2Weights, LayerWeights } from '../weights';

export type GpuLayerWeights = { [K in keyof LayerWeights]: GPUBuffer };

/** Rows [rowStart, rowStart + rowCount) of wte, in their own buffer. */
export interface WteChunk {
  buffer: GPUBuffer;
  rowStart: number;
  rowCount: number;
}

export interface GpuWeights {
  wteChunks: WteChunk[];
  wpe: GPUBuffer;
  layers: GpuLayerWeights[];
  lnFWeight: GPUBuffer;
  lnFBias: GPUBuffer;
  /** Every buffer above, for dispose(). */
  all: GPUBuffer[];
}

/** A storage buffer holding `data`. */
export function storageBuffer(device: GPUDevice, data: Float32Array | Uint32Array, label: string): GPUBuffer {
  const buffer = device.createBuffer({
    label,
    size: Math.max(4, data.byteLength),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
  });
  device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  return buffer;
}

/** Rows of width C per wte chunk: as many as one binding and one buffer may hold (or `maxRows` if smaller). */
export function wteChunkRows(device: GPUDevice, C: number, maxRows = Infinity): number {
  const bytes = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  return Math.max(1, Math.min(maxRows, Math.floor(bytes / (4 * C))));
}

/** Uploads every parameter. `maxWteChunkRows` forces a finer split of wte (the tests use it). */
export function uploadWeights(device: GPUDevice, weights: GPT2Weights, maxWteChunkRows?: number): GpuWeights {
  const { vocabSize: V, nEmbd: C } = weights.config;
  const all: GPUBuffer[] = [];
  const upload = (data: Float32Array, label: string) => {
    const buffer = storageBuffer(device, data, label);
    all.push(buffer);
    return buffer;
  };
  const rowsPerChunk = wteChunkRows(device, C, maxWteChunkRows);
  const wteChunks: WteChunk[] = [];
  for (let rowStart = 0; rowStart < V; rowStart += rowsPerChunk) {
    const rowCount = Math.min(rowsPerChunk, V - rowStart);
    const rows = weights.wte.subarray(rowStart * C, (rowStart + rowCount) * C);
    wteChunks.push({ buffer: upload(rows, `wte[${rowStart}..]`), rowStart, rowCount });
  }
  const layers = weights.layers.map((layer, l) => {
    const gpuLayer = {} as GpuLayerWeights;
    for (const [field, data] of Object.entries(layer) as [keyof LayerWeights, Float32Array][]) {
      gpuLayer[field] = upload(data, `h${l}.${field}`);
    }
    return gpuLayer;
  });
  return {
    wteChunks,
    wpe: upload(weights.wpe, 'wpe'),
    layers,
    lnFWeight: upload(weights.lnFWeight, 'ln_f.weight'),
    lnFBias: upload(weights.lnFBias, 'ln_f.bias'),
    all,
  };
}
