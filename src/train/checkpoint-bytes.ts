// The bytes of a trained model laid out as the official GPT-2 checkpoint: bare keys, no lm_head (it is tied to
// wte), and the h.N.attn.bias causal-mask buffers. No Node imports, so the page's trainer saves with it too.

import { writeSafetensors, type Dtype } from '../model/safetensors';
import { parameterSpecs, type GPT2Weights } from '../model/weights';
import { keyedWeights } from './params';

/** The lower-triangular ones of GPT-2's `attn.bias` buffer, shape (1, 1, maxT, maxT). */
function causalMaskBuffer(maxT: number): Float32Array {
  const mask = new Float32Array(maxT * maxT); // (maxT, maxT)
  for (let i = 0; i < maxT; i++) mask.fill(1, i * maxT, i * maxT + i + 1);
  return mask;
}

/** The bytes of a safetensors file holding `weights` in the official layout. */
export function checkpointBytes(weights: GPT2Weights, dtype: Dtype = 'F16', prefix = ''): Uint8Array {
  const { config } = weights;
  const values = keyedWeights(weights);
  const tensors = parameterSpecs(config).map(({ key, shape }) => ({
    name: prefix + key,
    shape,
    data: values.get(key)!,
    dtype,
  }));
  const maxT = config.nPositions;
  const mask = causalMaskBuffer(maxT);
  for (let l = 0; l < config.nLayer; l++) {
    tensors.push({ name: `${prefix}h.${l}.attn.bias`, shape: [1, 1, maxT, maxT], data: mask, dtype });
  }
  tensors.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)); // as safetensors' save_file orders them
  return writeSafetensors(tensors, { format: 'pt' });
}
