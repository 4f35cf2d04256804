// The GPT-2 forward pass as a list of GPU steps, in the order of the CPU engine (cpu/forward.ts) and with
// the fixture's tensor names, so one TraceRequest means the same thing on both backends.

import { headSize, type GPT2Config } from '../config';
import { NAIVE_TENSORS } from '../trace';
import type { Activations } from './activations';
import type { GpuLayerWeights, GpuWeights } from './gpu-weights';
import {
  ATTN_TILE,
  KERNELS,
  LANES_PER_ROW,
  LOGITS_GEMV_MAX_ROWS,
  LOGITS_WORKGROUP_SIZE,
  MATMUL_CONFIGS,
  matmulKernel,
  matmulWorkgroupBytes,
  type KernelSpec,
} from './kernels';
import type { CompiledKernel, PipelineCache } from './pipelines';
import {
  elementGrid,
  matmulConfigFor,
  matmulGrid,
  rowGrid,
  type Run,
  type StepDraft,
  type TensorSource,
} from './steps';

const LOGITS_ROWS_PER_WORKGROUP = LOGITS_WORKGROUP_SIZE / LANES_PER_ROW;

/** Every compiled kernel the forward pass uses. */
export interface ModelKernels {
  simple: { [K in keyof typeof KERNELS]: CompiledKernel };
  /** matmul[config][bias ? 'bias' : 'transposed'] */
  matmul: Record<keyof typeof MATMUL_CONFIGS, { bias: CompiledKernel; transposed: CompiledKernel }>;
  /** Whether the device's workgroup memory holds the large matmul tiles. */
  largeAllowed: boolean;
}

/** Compiles (or finds in the cache) every kernel; a shader that fails to compile throws here, up front. */
export async function compileModelKernels(cache: PipelineCache, device: GPUDevice): Promise<ModelKernels> {
  const names = Object.keys(KERNELS) as (keyof typeof KERNELS)[];
  const simpleList = await Promise.all(names.map((name) => cache.get(KERNELS[name] as KernelSpec)));
  const simple = Object.fromEntries(names.map((name, i) => [name, simpleList[i]])) as ModelKernels['simple'];
  const largeAllowed =
    device.limits.maxComputeWorkgroupStorageSize >= matmulWorkgroupBytes(MATMUL_CONFIGS.large);
  const variants = async (config: (typeof MATMUL_CONFIGS)[keyof typeof MATMUL_CONFIGS]) => ({
    bias: await cache.get(matmulKernel(config, { transposedB: false, bias: true })),
    transposed: await cache.get(matmulKernel(config, { transposedB: true, bias: false })),
  });
  const small = await variants(MATMUL_CONFIGS.small);
  const large = largeAllowed ? await variants(MATMUL_CONFIGS.large) : small;
  return { simple, matmul: { small, large }, largeAllowed };
}

interface PlanInput {
  config: GPT2Config;
  kernels: ModelKernels;
  weights: GpuWeights;
  acts: Activations;
}

const fixed = (kernel: CompiledKernel, grid: (run: Run) => [number, number, number]) => (run: Run) => ({
  kernel,
  grid: grid(run),
});

/** A tensor copied out whole (or per head). */
const tensor = (
  name: string,
  buffer: GPUBuffer,
  shape: (run: Run) => number[],
  perHead = false,
): TensorSource => ({
  name,
  buffer,
  shape,
  perHead,
});

/** Builds the steps of one forward pass over the buffers in `acts`. */
export function planForward(input: PlanInput): StepDraft[] {
  const { config, kernels, weights, acts } = input;
  const C = config.nEmbd;
  const k = kernels.simple;
  const drafts: StepDraft[] = [];
  const rowsC = (run: Run) => [run.T, C];

  weights.wteChunks.forEach((chunk, i) => {
    const last = i === weights.wteChunks.length - 1;
    drafts.push({
      label: `embedding[${chunk.rowStart}..]`,
      layoutOf: k.embedding,
      buffers: [acts.ids, chunk.buffer, weights.wpe, acts.tokEmb, acts.posEmb, acts.inputEmb],
      params: (run) => ({ T: run.T, C, rowStart: chunk.rowStart, rowCount: chunk.rowCount }),
      dispatch: fixed(k.embedding, (run) => elementGrid(run.T * C)),
      outputs: last
        ? [
            tensor('tok_emb', acts.tokEmb, rowsC),
            tensor('pos_emb', acts.posEmb, rowsC),
            tensor('input_emb', acts.inputEmb, rowsC),
          ]
        : [],
    });
  });
  drafts.push(...naiveSteps(input, 'naive', acts.inputEmb), ...naiveSteps(input, 'naive_nopos', acts.tokEmb));

  let residual = acts.inputEmb;
  for (let l = 0; l < config.nLayer; l++) {
    const blockOut = acts.blockOut[l % 2];
    drafts.push(...attentionSteps(input, l, residual), ...mlpSteps(input, l, blockOut));
    residual = blockOut;
  }

  drafts.push(layernormStep(input, 'ln_f', residual, weights.lnFWeight, weights.lnFBias, acts.lnF));
  drafts.push(...logitSteps(input));
  return drafts;
}

function layernormStep(
  { config, kernels }: PlanInput,
  name: string,
  inp: GPUBuffer,
  weight: GPUBuffer,
  bias: GPUBuffer,
  out: GPUBuffer,
): StepDraft {
  const kernel = kernels.simple.layernorm;
  return {
    label: name,
    layoutOf: kernel,
    buffers: [inp, weight, bias, out],
    params: (run) => ({ T: run.T, C: config.nEmbd, eps: config.layerNormEpsilon }),
    dispatch: fixed(kernel, (run) => rowGrid(run.T)),
    outputs: [tensor(name, out, (run) => [run.T, config.nEmbd])],
  };
}

/** out = a · W + bias with the tile shape chosen per run. */
function matmulStep(
  { kernels }: PlanInput,
  label: string,
  buffers: [GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer],
  sizes: { N: number; K: number },
  outputs: TensorSource[],
): StepDraft {
  return {
    label,
    layoutOf: kernels.matmul.small.bias,
    buffers,
    params: (run) => ({ M: run.T, N: sizes.N, K: sizes.K, aOffset: 0, outStride: sizes.N, outOffset: 0 }),
    dispatch: (run) => {
      const name = matmulConfigFor(run.T, sizes.N, kernels.largeAllowed);
      return { kernel: kernels.matmul[name].bias, grid: matmulGrid(name, run.T, sizes.N) };
    },
    outputs,
  };
}

/** The book's attention on embeddings X (T, C): one "head" of size C, no scaling; plain and causal softmax. */
function naiveSteps({ kernels, acts, config }: PlanInput, prefix: string, inputs: GPUBuffer): StepDraft[] {
  const C = config.nEmbd;
  const k = kernels.simple;
  const when = (run: Run) => NAIVE_TENSORS.some((n) => run.select.wants(`${prefix}.${n}`));
  const square = (run: Run) => [run.T, run.T];
  const tiles = (n: number) => Math.ceil(n / ATTN_TILE);
  const softmax = (name: string, out: GPUBuffer, causal: number): StepDraft => ({
    label: `${prefix}.${name}`,
    layoutOf: k.softmax,
    buffers: [acts.naiveScores, acts.unused, out],
    params: (run) => ({ T: run.T, scale: 1, causal, writeScaled: 0 }),
    dispatch: fixed(k.softmax, (run) => rowGrid(run.T)),
    when,
    outputs: [tensor(`${prefix}.${name}`, out, square)],
  });
  return [
    {
      label: `${prefix}.scores`,
      layoutOf: k.attentionScores,
      buffers: [inputs, acts.naiveScores],
      params: (run) => ({ T: run.T, hs: C, rowStride: C, qOffset: 0, kOffset: 0, skipFuture: 0 }),
      dispatch: fixed(k.attentionScores, (run) => [tiles(run.T), tiles(run.T), 1]),
      when,
      outputs: [tensor(`${prefix}.scores`, acts.naiveScores, square)],
    },
    softmax('weights', acts.naiveWeights, 0),
    {
      label: `${prefix}.context`,
      layoutOf: k.attentionContext,
      buffers: [acts.naiveWeights, inputs, acts.naiveContext],
      params: (run) => ({ T: run.T, hs: C, rowStride: C, vOffset: 0, outStride: C, causal: 0 }),
      dispatch: fixed(k.attentionContext, (run) => [tiles(C), tiles(run.T), 1]),
      when,
      outputs: [tensor(`${prefix}.context`, acts.naiveContext, (run) => [run.T, C])],
    },
    softmax('causal_weights', acts.naiveCausalWeights, 1),
  ];
}

/** ln_1, the qkv projection, per-head attention, the output projection and the first residual add. */
function attentionSteps(input: PlanInput, l: number, residualIn: GPUBuffer): StepDraft[] {
  const { config, kernels, weights, acts } = input;
  const { nEmbd: C, nHead: NH } = config;
  const hs = headSize(config);
  const layer: GpuLayerWeights = weights.layers[l];
  const k = kernels.simple;
  const name = (n: string) => `h${l}.${n}`;
  const needs = (run: Run, n: string) => run.select.needs(name(n), NH);
  const perHead = (X: (run: Run) => number) => (run: Run) => [NH, run.T, X(run)];
  const tiles = (n: number) => Math.ceil(n / ATTN_TILE);
  return [
    layernormStep(input, name('ln_1'), residualIn, layer.ln1Weight, layer.ln1Bias, acts.ln1),
    matmulStep(
      input,
      name('qkv'),
      [acts.ln1, layer.qkvWeight, layer.qkvBias, acts.qkv],
      { N: 3 * C, K: C },
      [],
    ),
    {
      label: name('split_heads'),
      layoutOf: k.splitHeads,
      buffers: [acts.qkv, acts.q, acts.k, acts.v],
      params: (run) => ({ T: run.T, C, hs }),
      dispatch: fixed(k.splitHeads, (run) => elementGrid(run.T * C)),
      when: (run) => needs(run, 'q') || needs(run, 'k') || needs(run, 'v'),
      outputs: (['q', 'k', 'v'] as const).map((n) =>
        tensor(
          name(n),
          acts[n],
          perHead(() => hs),
          true,
        ),
      ),
    },
    {
      label: name('scores'),
      layoutOf: k.attentionScores,
      buffers: [acts.qkv, acts.scores],
      params: (run) => ({
        T: run.T,
        hs,
        rowStride: 3 * C,
        qOffset: 0,
        kOffset: C,
        skipFuture: needs(run, 'scores') || needs(run, 'scaled_scores') ? 0 : 1,
      }),
      dispatch: fixed(k.attentionScores, (run) => [tiles(run.T), tiles(run.T), NH]),
      outputs: [
        tensor(
          name('scores'),
          acts.scores,
          perHead((run) => run.T),
          true,
        ),
      ],
    },
    {
      label: name('softmax'),
      layoutOf: k.softmax,
      buffers: [acts.scores, acts.scaledScores, acts.attnWeights],
      params: (run) => ({
        T: run.T,
        scale: 1 / Math.sqrt(hs),
        causal: 1,
        writeScaled: needs(run, 'scaled_scores') ? 1 : 0,
      }),
      dispatch: fixed(k.softmax, (run) => rowGrid(NH * run.T)),
      outputs: [
        tensor(
          name('scaled_scores'),
          acts.scaledScores,
          perHead((run) => run.T),
          true,
        ),
        tensor(
          name('attn_weights'),
          acts.attnWeights,
          perHead((run) => run.T),
          true,
        ),
      ],
    },
    {
      label: name('context'),
      layoutOf: k.attentionContext,
      buffers: [acts.attnWeights, acts.qkv, acts.context],
      params: (run) => ({ T: run.T, hs, rowStride: 3 * C, vOffset: 2 * C, outStride: C, causal: 1 }),
      dispatch: fixed(k.attentionContext, (run) => [tiles(hs), tiles(run.T), NH]),
      outputs: [tensor(name('attn_context'), acts.context, (run) => [run.T, C])],
    },
    matmulStep(
      input,
      name('attn_out'),
      [acts.context, layer.attnProjWeight, layer.attnProjBias, acts.attnOut],
      { N: C, K: C },
      [tensor(name('attn_out'), acts.attnOut, (run) => [run.T, C])],
    ),
    residualStep(input, name('residual_mid'), residualIn, acts.attnOut, acts.residualMid, []),
  ];
}

/** ln_2, the MLP and the second residual add, which leaves the block's output in `blockOut`. */
function mlpSteps(input: PlanInput, l: number, blockOut: GPUBuffer): StepDraft[] {
  const { config, kernels, weights, acts } = input;
  const C = config.nEmbd;
  const layer = weights.layers[l];
  const name = (n: string) => `h${l}.${n}`;
  const rows = (width: number) => (run: Run) => [run.T, width];
  return [
    layernormStep(input, name('ln_2'), acts.residualMid, layer.ln2Weight, layer.ln2Bias, acts.ln2),
    matmulStep(input, name('mlp_fc'), [acts.ln2, layer.fcWeight, layer.fcBias, acts.fc], { N: 4 * C, K: C }, [
      tensor(name('mlp_fc'), acts.fc, rows(4 * C)),
    ]),
    {
      label: name('mlp_gelu'),
      layoutOf: kernels.simple.gelu,
      buffers: [acts.fc, acts.fc, acts.gelu],
      params: (run) => ({ count: run.T * 4 * C }),
      dispatch: fixed(kernels.simple.gelu, (run) => elementGrid(run.T * 4 * C)),
      outputs: [tensor(name('mlp_gelu'), acts.gelu, rows(4 * C))],
    },
    matmulStep(
      input,
      name('mlp_out'),
      [acts.gelu, layer.fcProjWeight, layer.fcProjBias, acts.mlpOut],
      { N: C, K: 4 * C },
      [tensor(name('mlp_out'), acts.mlpOut, rows(C))],
    ),
    residualStep(input, name('block_out'), acts.residualMid, acts.mlpOut, blockOut, [
      tensor(name('block_out'), blockOut, rows(C)),
    ]),
  ];
}

function residualStep(
  { config, kernels }: PlanInput,
  label: string,
  a: GPUBuffer,
  b: GPUBuffer,
  out: GPUBuffer,
  outputs: TensorSource[],
): StepDraft {
  const C = config.nEmbd;
  return {
    label,
    layoutOf: kernels.simple.residual,
    buffers: [a, b, out],
    params: (run) => ({ count: run.T * C }),
    dispatch: fixed(kernels.simple.residual, (run) => elementGrid(run.T * C)),
    outputs,
  };
}

/** Logits = ln_f · wteᵀ for the wanted rows: one matmul per (row block, wte chunk) pair. */
function logitSteps({ config, kernels, weights, acts }: PlanInput): StepDraft[] {
  const { nEmbd: C, vocabSize: V } = config;
  const R = acts.logitRowsPerBlock;
  const drafts: StepDraft[] = [];
  acts.logitBlocks.forEach((block, b) => {
    const rowsIn = (run: Run) => Math.max(0, Math.min(R, run.logitRows - b * R));
    weights.wteChunks.forEach((chunk, i) => {
      const last = i === weights.wteChunks.length - 1;
      drafts.push({
        label: `logits[${b * R}..][${chunk.rowStart}..]`,
        layoutOf: kernels.matmul.small.transposed,
        buffers: [acts.lnF, chunk.buffer, acts.unused, block],
        params: (run) => ({
          M: rowsIn(run),
          N: chunk.rowCount,
          K: C,
          aOffset: (run.T - run.logitRows + b * R) * C,
          outStride: V,
          outOffset: chunk.rowStart,
        }),
        dispatch: (run) => {
          const M = rowsIn(run);
          if (M <= LOGITS_GEMV_MAX_ROWS) {
            return {
              kernel: kernels.simple.logits,
              grid: [Math.ceil(chunk.rowCount / LOGITS_ROWS_PER_WORKGROUP), 1, 1],
            };
          }
          const name = matmulConfigFor(M, chunk.rowCount, kernels.largeAllowed);
          return { kernel: kernels.matmul[name].transposed, grid: matmulGrid(name, M, chunk.rowCount) };
        },
        when: (run) => rowsIn(run) > 0,
        outputs: last
          ? [
              {
                name: 'logits',
                buffer: block,
                shape: (run) => [run.logitRows, V],
                piece: (run) =>
                  rowsIn(run) > 0 ? { dstOffset: b * R * V * 4, size: rowsIn(run) * V * 4 } : null,
              },
            ]
          : [],
      });
    });
  });
  return drafts;
}
