// Reads the training fixture (a batch as int32 plus PyTorch's gradients as float32), which the model loader
// refuses because it holds int32 tensors, and builds small models the tests can train.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES } from '../helpers/fixtures';

export const TRAIN_FIXTURE = path.join(FIXTURES, 'tiny-gpt2.train.safetensors');

/** Every tensor of a safetensors file with F32 or I32 data, as typed arrays. */
export function readTrainFixture(
  file = TRAIN_FIXTURE,
): Map<string, { shape: number[]; data: Float32Array | Int32Array }> {
  const bytes = readFileSync(file);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
  const out = new Map<string, { shape: number[]; data: Float32Array | Int32Array }>();
  for (const [name, entry] of Object.entries(header) as [
    string,
    { dtype: string; shape: number[]; data_offsets: number[] },
  ][]) {
    if (name === '__metadata__') continue;
    const [begin, end] = entry.data_offsets;
    const copy = new Uint8Array(end - begin);
    copy.set(bytes.subarray(8 + headerLength + begin, 8 + headerLength + end));
    if (entry.dtype === 'F32') out.set(name, { shape: entry.shape, data: new Float32Array(copy.buffer) });
    else if (entry.dtype === 'I32') out.set(name, { shape: entry.shape, data: new Int32Array(copy.buffer) });
    else throw new Error(`unexpected dtype ${entry.dtype} for ${name}`);
  }
  return out;
}
