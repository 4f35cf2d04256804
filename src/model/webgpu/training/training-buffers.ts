// Every GPU buffer of a training run, made once: the parameters with their gradients and AdamW moments, the
// activations the backward pass reads (as GPT2Training keeps them), and the gradient scratch of one block.

import type { GPT2Weights, LayerWeights } from '../../weights';
import { GRAD_NORM_WORKGROUPS } from '../backward-kernels';

/** One parameter tensor: its values, gradient and AdamW moments, each length floats. */
export interface ParamTensor {
  key: string; // 'wte', 'wpe', 'h0.qkvWeight', …, 'lnFWeight', 'lnFBias'
  length: number;
  /** Decayed under AdamW's 'matrices' rule (params.ts: a 2-D shape). */
  isMatrix: boolean;
  value: GPUBuffer;
  grad: GPUBuffer;
  m: GPUBuffer;
  v: GPUBuffer;
}

export interface LayerActivationBuffers {
  ln1: GPUBuffer; // (B, T, C)
  qkv: GPUBuffer; // (B, T, 3C)
  att: GPUBuffer; // (B, NH, T, T)
  atty: GPUBuffer; // (B, T, C)
  attproj: GPUBuffer; // (B, T, C)
  residual2: GPUBuffer; // (B, T, C)
  ln2: GPUBuffer; // (B, T, C)
  fch: GPUBuffer; // (B, T, 4C)
  fchGelu: GPUBuffer; // (B, T, 4C)
  fcproj: GPUBuffer; // (B, T, C)
  residual3: GPUBuffer; // (B, T, C)
}

export interface TrainingBuffers {
  tensors: ParamTensor[];
  tensor(key: string): ParamTensor;
  inputs: GPUBuffer; // (B, T) u32
  targets: GPUBuffer; // (B, T) u32
  logitBias: GPUBuffer; // (V), or one float when there is none
  encoded: GPUBuffer; // (B, T, C) input_emb, the embedding's output
  /** The embedding's two parts, which the explorer's trace reads; written by the shared kernel, unread here. */
  tokEmb: GPUBuffer; // (B, T, C)
  posEmb: GPUBuffer; // (B, T, C)
  layers: LayerActivationBuffers[];
  lnf: GPUBuffer; // (B, T, C)
  logits: GPUBuffer; // (B, T, V): logits, then probabilities, then their gradient
  losses: GPUBuffer; // (B, T)
  dlnf: GPUBuffer; // (B, T, C)
  dresiduals: GPUBuffer[]; // L+1 × (B, T, C)
  scratch: Record<
    'dln1' | 'dqkv' | 'datty' | 'dattproj' | 'dresidual2' | 'dln2' | 'dfch' | 'dfchGelu' | 'dfcproj',
    GPUBuffer
  >;
  /** One (B, NH, T, T) scratch: a layer's raw attention scores in the forward pass (the weights are kept per
   * layer), the gradient of a layer's weights in the backward pass. `scores` and `datt` are this one buffer. */
  scores: GPUBuffer;
  datt: GPUBuffer;
  stats: GPUBuffer; // (B·T, 2) layer norm mean and rstd
  plan: GPUBuffer; // embedding-backward plan, at most 3·B·T + 1 words
  partials: GPUBuffer; // ((tensors + MAX_TIED_SPANS) · GRAD_NORM_WORKGROUPS)
  normResult: GPUBuffer; // (2) norm, clip factor
  maskOnes: GPUBuffer; // decay mask bits, all set, for the largest tensor
  maskZeros: GPUBuffer;
  /** Bound where a kernel declares a buffer it does not read. */
  dummy: GPUBuffer;
  all: GPUBuffer[];
}

/** Tied spans of wte an update may take (vocab.ts makes one); each needs its own partial sums of the norm. */
export const MAX_TIED_SPANS = 4;

/** The fields of a layer's weights, in the order its parameter tensors are laid out below. */
export const LAYER_FIELDS: (keyof LayerWeights)[] = [
  'ln1Weight',
  'ln1Bias',
  'qkvWeight',
  'qkvBias',
  'attnProjWeight',
  'attnProjBias',
  'ln2Weight',
  'ln2Bias',
  'fcWeight',
  'fcBias',
  'fcProjWeight',
  'fcProjBias',
];
const LAYER_MATRICES = new Set<keyof LayerWeights>([
  'qkvWeight',
  'attnProjWeight',
  'fcWeight',
  'fcProjWeight',
]);

/** Fails with the tensor's name and sizes before anything is allocated when one buffer would be larger than a
 * storage binding may be on this device (GPT-2's logits and attention weights grow with B·T and B·T²). */
function checkBindingSizes(device: GPUDevice, config: GPT2Weights['config'], B: number, T: number): void {
  const [C, NH, V] = [config.nEmbd, config.nHead, config.vocabSize];
  const N = B * T;
  const limit = Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize);
  const largest: [string, number][] = [
    ['the logits (B·T, V)', N * V],
    ['the attention weights (B, NH, T, T)', B * NH * T * T],
    ['the MLP activations (B·T, 4C)', N * 4 * C],
    ['wte (V, C)', V * C],
  ];
  for (const [what, floats] of largest) {
    if (4 * floats > limit) {
      const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
      throw new Error(
        `Training with B = ${B}, T = ${T} needs ${mb(4 * floats)} for ${what}; this GPU binds at most ${mb(limit)}.`,
      );
    }
  }
}

export function createTrainingBuffers(
  device: GPUDevice,
  weights: GPT2Weights,
  B: number,
  T: number,
  logitBias: Float32Array | null,
): TrainingBuffers {
  checkBindingSizes(device, weights.config, B, T);
  const all: GPUBuffer[] = [];
  const make = (floats: number, label: string, data?: Float32Array | Uint32Array): GPUBuffer => {
    const buffer = device.createBuffer({
      label,
      size: Math.max(4, 4 * floats),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC,
    });
    // writeBuffer takes no shared memory (the WASM kernels' weights live there): such data goes as a copy.
    const source = data && !(data.buffer instanceof ArrayBuffer) ? data.slice() : data;
    if (source) device.queue.writeBuffer(buffer, 0, source.buffer, source.byteOffset, source.byteLength);
    all.push(buffer);
    return buffer;
  };
  const { config } = weights;
  const [C, NH, V, L] = [config.nEmbd, config.nHead, config.vocabSize, config.nLayer];
  const N = B * T;

  const named: [string, Float32Array, boolean][] = [
    ['wte', weights.wte, true],
    ['wpe', weights.wpe, true],
    ...weights.layers.flatMap((layer, l) =>
      LAYER_FIELDS.map((field): [string, Float32Array, boolean] => [
        `h${l}.${field}`,
        layer[field],
        LAYER_MATRICES.has(field),
      ]),
    ),
    ['lnFWeight', weights.lnFWeight, false],
    ['lnFBias', weights.lnFBias, false],
  ];
  const tensors = named.map(([key, data, isMatrix]): ParamTensor => ({
    key,
    length: data.length,
    isMatrix,
    value: make(data.length, key, data),
    grad: make(data.length, `${key} gradient`),
    m: make(data.length, `${key} m`),
    v: make(data.length, `${key} v`),
  }));
  const byKey = new Map(tensors.map((t) => [t.key, t]));
  // reduce, not Math.max(...lengths): a spread of 12·L+4 arguments overflows the stack for a deep model.
  const maskWords = Math.ceil(tensors.reduce((most, t) => Math.max(most, t.length), 0) / 32);

  const f = (floats: number, label: string) => make(floats, label);
  const attentionScratch = f(B * NH * T * T, 'attention scores, then their gradient');
  return {
    tensors,
    tensor(key) {
      const tensor = byKey.get(key);
      if (!tensor) throw new Error(`no parameter ${key}`);
      return tensor;
    },
    inputs: f(N, 'inputs'),
    targets: f(N, 'targets'),
    logitBias: logitBias ? make(V, 'logit bias', logitBias) : f(1, 'no logit bias'),
    encoded: f(N * C, 'encoded'),
    tokEmb: f(N * C, 'tok_emb'),
    posEmb: f(N * C, 'pos_emb'),
    layers: Array.from({ length: L }, (_, l) => ({
      ln1: f(N * C, `h${l}.ln1`),
      qkv: f(N * 3 * C, `h${l}.qkv`),
      att: f(B * NH * T * T, `h${l}.att`),
      atty: f(N * C, `h${l}.atty`),
      attproj: f(N * C, `h${l}.attproj`),
      residual2: f(N * C, `h${l}.residual2`),
      ln2: f(N * C, `h${l}.ln2`),
      fch: f(N * 4 * C, `h${l}.fch`),
      fchGelu: f(N * 4 * C, `h${l}.fchGelu`),
      fcproj: f(N * C, `h${l}.fcproj`),
      residual3: f(N * C, `h${l}.residual3`),
    })),
    lnf: f(N * C, 'lnf'),
    logits: f(N * V, 'logits'),
    losses: f(N, 'losses'),
    dlnf: f(N * C, 'dlnf'),
    dresiduals: Array.from({ length: L + 1 }, (_, l) => f(N * C, `dresidual ${l}`)),
    scratch: {
      dln1: f(N * C, 'dln1'),
      dqkv: f(N * 3 * C, 'dqkv'),
      datty: f(N * C, 'datty'),
      dattproj: f(N * C, 'dattproj'),
      dresidual2: f(N * C, 'dresidual2'),
      dln2: f(N * C, 'dln2'),
      dfch: f(N * 4 * C, 'dfch'),
      dfchGelu: f(N * 4 * C, 'dfchGelu'),
      dfcproj: f(N * C, 'dfcproj'),
    },
    scores: attentionScratch,
    datt: attentionScratch,
    stats: f(2 * N, 'layer norm stats'),
    plan: f(3 * N + 1, 'embedding plan'),
    partials: f((tensors.length + MAX_TIED_SPANS) * GRAD_NORM_WORKGROUPS, 'gradient norm partials'),
    normResult: f(2, 'gradient norm'),
    maskOnes: make(maskWords, 'decay mask: all', new Uint32Array(maskWords).fill(0xffffffff)),
    maskZeros: f(maskWords, 'decay mask: none'),
    dummy: f(1, 'unused binding'),
    all,
  };
}
