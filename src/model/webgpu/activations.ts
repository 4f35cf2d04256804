// The intermediate buffers of a forward pass, sized for a capacity of Tc tokens. One set serves every layer:
// the trace copies a layer's tensors out before the next layer overwrites them, in the same command encoder.

import type { GPT2Config } from '../config';

export interface Activations {
  capacity: number;
  ids: GPUBuffer; // (Tc) u32
  tokEmb: GPUBuffer; // (Tc, C)
  posEmb: GPUBuffer; // (Tc, C)
  inputEmb: GPUBuffer; // (Tc, C)
  naiveScores: GPUBuffer; // (Tc, Tc)
  naiveWeights: GPUBuffer; // (Tc, Tc)
  naiveCausalWeights: GPUBuffer; // (Tc, Tc)
  naiveContext: GPUBuffer; // (Tc, C)
  ln1: GPUBuffer; // (Tc, C)
  qkv: GPUBuffer; // (Tc, 3C)
  q: GPUBuffer; // (NH, Tc, hs)
  k: GPUBuffer; // (NH, Tc, hs)
  v: GPUBuffer; // (NH, Tc, hs)
  scores: GPUBuffer; // (NH, Tc, Tc)
  scaledScores: GPUBuffer; // (NH, Tc, Tc)
  attnWeights: GPUBuffer; // (NH, Tc, Tc)
  context: GPUBuffer; // (Tc, C)
  attnOut: GPUBuffer; // (Tc, C)
  residualMid: GPUBuffer; // (Tc, C)
  ln2: GPUBuffer; // (Tc, C)
  fc: GPUBuffer; // (Tc, 4C)
  gelu: GPUBuffer; // (Tc, 4C)
  mlpOut: GPUBuffer; // (Tc, C)
  /** The residual stream after each block alternates between these two. */
  blockOut: [GPUBuffer, GPUBuffer]; // (Tc, C) each
  lnF: GPUBuffer; // (Tc, C)
  /** Logits in row blocks of `logitRowsPerBlock` rows, each block within one storage binding. */
  logitBlocks: GPUBuffer[]; // (rows, V) each
  logitRowsPerBlock: number;
  /** Bound where a kernel declares a buffer this step does not use. */
  unused: GPUBuffer;
  all: GPUBuffer[];
}

/** Allocates every intermediate for up to `capacity` tokens. */
export function allocateActivations(device: GPUDevice, config: GPT2Config, capacity: number): Activations {
  const { nEmbd: C, nHead: NH, vocabSize: V } = config;
  const Tc = capacity;
  const all: GPUBuffer[] = [];
  const buffer = (label: string, floats: number) => {
    const created = device.createBuffer({
      label,
      size: Math.max(4, floats * 4),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    all.push(created);
    return created;
  };
  const maxBinding = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  const logitRowsPerBlock = Math.max(1, Math.min(Tc, Math.floor(maxBinding / (4 * V))));
  const logitBlocks: GPUBuffer[] = [];
  for (let row = 0; row < Tc; row += logitRowsPerBlock) {
    logitBlocks.push(buffer(`logits[${row}..]`, Math.min(logitRowsPerBlock, Tc - row) * V));
  }
  return {
    capacity,
    ids: buffer('ids', Tc),
    tokEmb: buffer('tok_emb', Tc * C),
    posEmb: buffer('pos_emb', Tc * C),
    inputEmb: buffer('input_emb', Tc * C),
    naiveScores: buffer('naive.scores', Tc * Tc),
    naiveWeights: buffer('naive.weights', Tc * Tc),
    naiveCausalWeights: buffer('naive.causal_weights', Tc * Tc),
    naiveContext: buffer('naive.context', Tc * C),
    ln1: buffer('ln_1', Tc * C),
    qkv: buffer('qkv', Tc * 3 * C),
    q: buffer('q', Tc * C),
    k: buffer('k', Tc * C),
    v: buffer('v', Tc * C),
    scores: buffer('scores', NH * Tc * Tc),
    scaledScores: buffer('scaled_scores', NH * Tc * Tc),
    attnWeights: buffer('attn_weights', NH * Tc * Tc),
    context: buffer('attn_context', Tc * C),
    attnOut: buffer('attn_out', Tc * C),
    residualMid: buffer('residual_mid', Tc * C),
    ln2: buffer('ln_2', Tc * C),
    fc: buffer('mlp_fc', Tc * 4 * C),
    gelu: buffer('mlp_gelu', Tc * 4 * C),
    mlpOut: buffer('mlp_out', Tc * C),
    blockOut: [buffer('block_out[even]', Tc * C), buffer('block_out[odd]', Tc * C)],
    lnF: buffer('ln_f', Tc * C),
    logitBlocks,
    logitRowsPerBlock,
    unused: buffer('unused', 1),
    all,
  };
}

/** The capacity to allocate for T tokens: a power of two (so a growing text reallocates rarely), at most the
 * context length. */
export function capacityFor(T: number, nPositions: number): number {
  let capacity = 16;
  while (capacity < T) capacity *= 2;
  return Math.min(capacity, nPositions);
}
