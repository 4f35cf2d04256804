// The WGSL kernels of a training step as the TypeScript side sees them: the backward pass of every GPT-2 op, the
// cross-entropy loss, and AdamW with its gradient clip; each the twin of a CPU function (src/model/cpu/ops/,
// src/train/adamw.ts). The forward pass is the explorer's own (kernels.ts, forward-ops.ts).

import adamwSource from './kernels/backward/adamw.wgsl?raw';
import attentionBackwardSource from './kernels/backward/attention-backward.wgsl?raw';
import biasBackwardSource from './kernels/backward/bias-backward.wgsl?raw';
import crossEntropySource from './kernels/backward/cross-entropy.wgsl?raw';
import embeddingBackwardSource from './kernels/backward/embedding-backward.wgsl?raw';
import geluBackwardSource from './kernels/backward/gelu-backward.wgsl?raw';
import gradNormSource from './kernels/backward/grad-norm.wgsl?raw';
import layernormBackwardSource from './kernels/backward/layernorm-backward.wgsl?raw';
import residualBackwardSource from './kernels/backward/residual-backward.wgsl?raw';
import {
  ROW_WORKGROUP_SIZE,
  WORKGROUP_SIZE,
  matmulKernel,
  matmulParams,
  withReduction,
  type KernelSpec,
  type MatmulConfig,
} from './kernels';

export { rowGrid2d } from './steps';

/** The most workgroups of the first pass of the gradient norm, and so the partial-sum slots of one range: each
 * writes one partial sum, so a bounded count keeps the final pass to one workgroup, and a count fixed by the
 * range's length keeps the sum's order independent of the device. */
export const GRAD_NORM_WORKGROUPS = 64;

/** The first pass's grid for a range of `length` gradients: one workgroup per WORKGROUP_SIZE of them, at most
 * GRAD_NORM_WORKGROUPS (a 12-float bias needs one, not 64 that each wait at every barrier). */
export function gradNormGrid(length: number): [number, number, number] {
  return [Math.max(1, Math.min(GRAD_NORM_WORKGROUPS, Math.ceil(length / WORKGROUP_SIZE))), 1, 1];
}

const u32 = (names: string[]) => names.map((name) => [name, 'u32'] as const);

const CROSS_ENTROPY_PARAMS = [...u32(['N', 'V', 'hasBias']), ['scale', 'f32']] as const;
const LAYERNORM_BACKWARD_PARAMS = [...u32(['N', 'C']), ['eps', 'f32']] as const;
const ATTENTION_PARAMS = [...u32(['B', 'T', 'C', 'NH']), ['scale', 'f32']] as const;
const EMBEDDING_BACKWARD_PARAMS = u32(['B', 'T', 'C', 'U']);
const GRAD_NORM_PARAMS = [
  ...u32(['start', 'length']),
  ['weight', 'f32'],
  ...u32(['partialOffset', 'partialCount']),
  ['maxNorm', 'f32'],
  ['divisor', 'f32'],
] as const;

const crossEntropy = (entryPoint: 'forward' | 'backward'): KernelSpec => ({
  label: `cross-entropy-${entryPoint}`,
  source: crossEntropySource,
  entryPoint,
  ...withReduction(ROW_WORKGROUP_SIZE, { ROW_WORKGROUP_SIZE, WORKGROUP_SIZE }, true),
  bindings: ['uniform', 'read', 'read', 'write', 'write'],
  params: CROSS_ENTROPY_PARAMS,
});

const layernormBackward = (entryPoint: 'rows' | 'columns'): KernelSpec => ({
  label: `layernorm-backward-${entryPoint}`,
  source: layernormBackwardSource,
  entryPoint,
  ...withReduction(ROW_WORKGROUP_SIZE, { ROW_WORKGROUP_SIZE, WORKGROUP_SIZE }),
  bindings: ['uniform', 'read', 'read', 'read', 'write', 'write', 'write', 'write'],
  params: LAYERNORM_BACKWARD_PARAMS,
});

const attentionBackward = (entryPoint: 'scores' | 'inputs'): KernelSpec => ({
  label: `attention-backward-${entryPoint}`,
  source: attentionBackwardSource,
  entryPoint,
  ...withReduction(ROW_WORKGROUP_SIZE, { ROW_WORKGROUP_SIZE, WORKGROUP_SIZE }),
  bindings: ['uniform', 'read', 'read', 'read', 'write', 'write'],
  params: ATTENTION_PARAMS,
});

const embeddingBackward = (entryPoint: 'tokens' | 'positions'): KernelSpec => ({
  label: `embedding-backward-${entryPoint}`,
  source: embeddingBackwardSource,
  entryPoint,
  constants: { WORKGROUP_SIZE },
  bindings: ['uniform', 'read', 'read', 'write', 'write'],
  params: EMBEDDING_BACKWARD_PARAMS,
});

const gradNorm = (entryPoint: 'partialSums' | 'finish' | 'clip' | 'divideRange'): KernelSpec => ({
  label: `grad-norm-${entryPoint}`,
  source: gradNormSource,
  entryPoint,
  ...withReduction(WORKGROUP_SIZE, { WORKGROUP_SIZE, GRAD_NORM_WORKGROUPS }),
  bindings: ['uniform', 'write', 'write', 'write'],
  params: GRAD_NORM_PARAMS,
});

const count = [['count', 'u32']] as const;

export const BACKWARD_KERNELS = {
  /** Grid: rowGrid2d(N). In place: logits → probabilities; losses (N) written. */
  crossEntropyForward: crossEntropy('forward'),
  /** Grid: elementGrid(N·V). In place: probabilities → dlogits of the mean loss. */
  crossEntropyBackward: crossEntropy('backward'),
  /** Grid: [⌈OC / WORKGROUP_SIZE⌉, 1, 1]. */
  biasBackward: {
    label: 'bias-backward',
    source: biasBackwardSource,
    entryPoint: 'main',
    constants: { WORKGROUP_SIZE },
    bindings: ['uniform', 'read', 'write'],
    params: u32(['N', 'OC']),
  },
  /** Grid: rowGrid2d(N); then layernormBackwardColumns over [⌈C / WORKGROUP_SIZE⌉, 1, 1]. */
  layernormBackwardRows: layernormBackward('rows'),
  layernormBackwardColumns: layernormBackward('columns'),
  /** Grid: elementGrid(N). */
  geluBackward: {
    label: 'gelu-backward',
    source: geluBackwardSource,
    entryPoint: 'main',
    constants: { WORKGROUP_SIZE },
    bindings: ['uniform', 'read', 'read', 'write'],
    params: count,
  },
  /** Grid: elementGrid(N). */
  residualBackward: {
    label: 'residual-backward',
    source: residualBackwardSource,
    entryPoint: 'main',
    constants: { WORKGROUP_SIZE },
    bindings: ['uniform', 'read', 'write', 'write'],
    params: count,
  },
  /** Grid: rowGrid2d(B·NH·T); then attentionBackwardInputs over elementGrid(B·T·3C). */
  attentionBackwardScores: attentionBackward('scores'),
  attentionBackwardInputs: attentionBackward('inputs'),
  /** Grids: elementGrid(U·C) and elementGrid(T·C). */
  embeddingBackwardTokens: embeddingBackward('tokens'),
  embeddingBackwardPositions: embeddingBackward('positions'),
  /** Grid: elementGrid(P). */
  adamw: {
    label: 'adamw',
    source: adamwSource,
    entryPoint: 'main',
    constants: { WORKGROUP_SIZE },
    bindings: ['uniform', 'read', 'read', 'write', 'write', 'write'],
    params: [
      ...count,
      ...(['beta1', 'beta2', 'eps', 'stepSize', 'decayFactor', 'biasCorrection2Sqrt'] as const).map(
        (name) => [name, 'f32'] as const,
      ),
    ],
  },
  /** Grid: gradNormGrid(length); the partial slots it leaves unwritten must be zero. */
  gradNormPartials: gradNorm('partialSums'),
  /** Grid: [1, 1, 1]. */
  gradNormFinish: gradNorm('finish'),
  /** Grids: elementGrid(length). */
  gradClip: gradNorm('clip'),
  gradDivideRange: gradNorm('divideRange'),
} as const satisfies Record<string, KernelSpec>;

/** The tiled product of the backward pass, out (M,N) (+)= op(A) (M,K) · op(B) (K,N): the forward's tiled
 * matmul (matmul.wgsl) reading A or B transposed and adding to `out`; bind any buffer for its bias. */
export function matmulGradKernel(
  config: MatmulConfig,
  options: { transposedA: boolean; transposedB: boolean; accumulate: boolean },
): KernelSpec {
  return matmulKernel(config, { ...options, bias: false });
}

/** Params of matmulGradKernel for whole stored matrices: A stored (M,K), or (K,M) when transposed; B likewise. */
export function matmulGradParams(
  shape: { M: number; N: number; K: number; transposedA: boolean; transposedB: boolean },
  overrides: Record<string, number> = {},
): Record<string, number> {
  const { M, transposedA, transposedB } = shape;
  return matmulParams({ ...shape, transposedB }, { aRowStride: transposedA ? M : shape.K, ...overrides });
}

/** dinp (N,C) += dout (N,OC) · weightᵀ, weight stored (C,OC): kernel options and params. */
export const matmulBackwardInputShape = (N: number, C: number, OC: number) =>
  ({ M: N, N: C, K: OC, transposedA: false, transposedB: true }) as const;
/** dweight (C,OC) += inpᵀ · dout, inp stored (N,C), dout (N,OC). */
export const matmulBackwardWeightShape = (N: number, C: number, OC: number) =>
  ({ M: C, N: OC, K: N, transposedA: true, transposedB: false }) as const;

/** The workgroup grid of matmulGradKernel for an M × N output. */
export function matmulGradGrid(config: MatmulConfig, M: number, N: number): [number, number, number] {
  return [
    Math.ceil(N / (config.threadsX * config.threadN)),
    Math.ceil(M / (config.threadsY * config.threadM)),
    1,
  ];
}

/**
 * The gather plan of embedding-backward.wgsl for a batch of token ids: the distinct tokens in increasing
 * order, where each one's positions start in the positions list (plus the end), and the positions n (in
 * increasing order, so the GPU adds in the CPU's order). Returns the packed array and U.
 */
export function embeddingBackwardPlan(ids: ArrayLike<number>): { plan: Uint32Array; U: number } {
  const N = ids.length;
  const order = Array.from({ length: N }, (_, n) => n).sort((x, y) => ids[x] - ids[y] || x - y);
  const tokens: number[] = [];
  const starts: number[] = [];
  order.forEach((n, j) => {
    if (j === 0 || ids[n] !== ids[order[j - 1]]) {
      tokens.push(ids[n]);
      starts.push(j);
    }
  });
  const U = tokens.length;
  const plan = new Uint32Array(2 * U + 1 + N);
  plan.set(tokens, 0);
  plan.set(starts, U);
  plan[2 * U] = N;
  plan.set(order, 2 * U + 1);
  return { plan, U };
}

/** The decay mask of AdamW as bits: bit i % 32 of word ⌊i / 32⌋ is mask[i]. */
export function packDecayMask(mask: ArrayLike<number>): Uint32Array {
  const words = new Uint32Array(Math.ceil(mask.length / 32));
  for (let i = 0; i < mask.length; i++) if (mask[i]) words[i >>> 5] |= 1 << (i & 31);
  return words;
}

/** The Params of adamw.wgsl for update number `step` (1 for the first) with learning rate `lr`, computed in
 * float64 as AdamW.update computes them. */
export function adamwParams(
  count: number,
  step: number,
  lr: number,
  hyper: { beta1: number; beta2: number; eps: number; weightDecay: number },
): Record<string, number> {
  return {
    count,
    beta1: hyper.beta1,
    beta2: hyper.beta2,
    eps: hyper.eps,
    stepSize: lr / (1 - hyper.beta1 ** step),
    decayFactor: 1 - lr * hyper.weightDecay,
    biasCorrection2Sqrt: Math.sqrt(1 - hyper.beta2 ** step),
  };
}
