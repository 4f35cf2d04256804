// The GPT-2 forward pass as a list of GPU steps, in the order of the CPU engine (cpu/forward.ts) and with
// the fixture's tensor names, so one TraceRequest means the same thing on both backends.

import { ablatedHeadsOf } from '../ablation';
import { headSize, type GPT2Config } from '../config';
import { NAIVE_TENSORS } from '../trace';
import type { Activations } from './activations';
import type { GpuLayerWeights, GpuWeights } from './gpu-weights';
import { ABLATION_MODE_CODES, CAUSAL, headMasks, matmulParams } from './kernels';
import { logitSteps, matmulStep, projectionStep, type ModelKernels } from './matmul-steps';
import type { CompiledKernel } from './pipelines';
import {
  attentionContextParams,
  attentionScoresParams,
  attentionSoftmaxParams,
  embeddingParams,
} from './forward-ops';
import { elementGrid, rowGrid, type Run, type StepDraft, type TensorSource } from './steps';

export { compileModelKernels, type ModelKernels } from './matmul-steps';

interface PlanInput {
  config: GPT2Config;
  kernels: ModelKernels;
  weights: GpuWeights;
  acts: Activations;
}

/** A step's dispatch when its kernel never changes and only the grid follows the run (T). */
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
      params: (run) => embeddingParams({ B: 1, T: run.T, C }, chunk),
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
    const block = [...attentionSteps(input, l, residual), ...mlpSteps(input, l, blockOut)];
    drafts.push(...block.map((draft) => upToLayer(l, draft)));
    residual = blockOut;
  }

  drafts.push(
    upToLayer(
      config.nLayer - 1,
      layernormStep(input, 'ln_f', residual, weights.lnFWeight, weights.lnFBias, acts.lnF),
    ),
  );
  drafts.push(...logitSteps(config, kernels, weights, acts));
  return drafts;
}

/** Runs `draft` only when the run goes as deep as block `l` (and its own condition, if any, holds). */
function upToLayer(l: number, draft: StepDraft): StepDraft {
  const own = draft.when;
  return { ...draft, when: (run) => run.lastLayer >= l && (own?.(run) ?? true) };
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

/** The book's attention on embeddings X (T, C): one "head" of size C, no scaling; plain and causal softmax. */
function naiveSteps({ kernels, acts, config }: PlanInput, prefix: string, inputs: GPUBuffer): StepDraft[] {
  const C = config.nEmbd;
  const k = kernels.simple;
  const when = (run: Run) => NAIVE_TENSORS.some((n) => run.select.wants(`${prefix}.${n}`));
  const square = (run: Run) => [run.T, run.T];
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
    matmulStep(kernels, {
      label: `${prefix}.scores`,
      variant: 'transposed',
      buffers: [inputs, inputs, acts.unused, acts.naiveScores],
      shape: (run) => ({ M: run.T, N: run.T, batch: 1 }),
      params: (run) => matmulParams({ M: run.T, N: run.T, K: C, transposedB: true }),
      when,
      outputs: [tensor(`${prefix}.scores`, acts.naiveScores, square)],
    }),
    softmax('weights', acts.naiveWeights, 0),
    matmulStep(kernels, {
      label: `${prefix}.context`,
      variant: 'plain',
      buffers: [acts.naiveWeights, inputs, acts.unused, acts.naiveContext],
      shape: (run) => ({ M: run.T, N: C, batch: 1 }),
      params: (run) => matmulParams({ M: run.T, N: C, K: run.T }),
      when,
      outputs: [tensor(`${prefix}.context`, acts.naiveContext, (run) => [run.T, C])],
    }),
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
  const rowsC = (run: Run) => [run.T, C];
  const ablates = (run: Run) => ablatedHeadsOf(run.ablation, l).length > 0;
  return [
    layernormStep(input, name('ln_1'), residualIn, layer.ln1Weight, layer.ln1Bias, acts.ln1),
    projectionStep(
      kernels,
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
    // scores[h] = q_h · k_hᵀ, q and k read in place from qkv (forward-ops.ts, as training runs it).
    matmulStep(kernels, {
      label: name('scores'),
      variant: 'transposed',
      buffers: [acts.qkv, acts.qkv, acts.unused, acts.scores],
      shape: (run) => ({ M: run.T, N: run.T, batch: NH }),
      params: (run) =>
        attentionScoresParams(
          { T: run.T, C, NH },
          0,
          needs(run, 'scores') || needs(run, 'scaled_scores') ? CAUSAL.NONE : CAUSAL.SKIP,
        ),
      outputs: [
        tensor(
          name('scores'),
          acts.scores,
          perHead((run) => run.T),
          true,
        ),
      ],
    }),
    {
      label: name('softmax'),
      layoutOf: k.softmax,
      buffers: [acts.scores, acts.scaledScores, acts.attnWeights],
      params: (run) => attentionSoftmaxParams(run.T, hs, needs(run, 'scaled_scores')),
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
    // context[:, h·hs …] = weights[h] · v_h, v read in place from qkv, written into the head's columns.
    matmulStep(kernels, {
      label: name('attn_context'),
      variant: 'plain',
      buffers: [acts.attnWeights, acts.qkv, acts.unused, acts.context],
      shape: (run) => ({ M: run.T, N: hs, batch: NH }),
      params: (run) => attentionContextParams({ T: run.T, C, NH }, 0),
      outputs: [{ ...tensor(name('attn_context'), acts.context, rowsC), when: (run) => !ablates(run) }],
    }),
    ablationStep(input, l, ablates),
    projectionStep(
      kernels,
      name('attn_out'),
      [acts.context, layer.attnProjWeight, layer.attnProjBias, acts.attnOut],
      { N: C, K: C },
      [tensor(name('attn_out'), acts.attnOut, (run) => [run.T, C])],
    ),
    residualStep(input, name('residual_mid'), residualIn, acts.attnOut, acts.residualMid, []),
  ];
}

/** Knocks out the ablated heads of layer `l` in the context buffer, in place; runs only when there are some. */
function ablationStep({ config, kernels, acts }: PlanInput, l: number, ablates: (run: Run) => boolean) {
  const C = config.nEmbd;
  const kernel = kernels.simple.ablateHeads;
  return {
    label: `h${l}.ablate_heads`,
    layoutOf: kernel,
    buffers: [acts.context],
    params: (run: Run) => ({
      T: run.T,
      C,
      hs: headSize(config),
      ...headMasks(ablatedHeadsOf(run.ablation, l)),
      mode: ABLATION_MODE_CODES[run.ablation?.mode ?? 'zero'],
    }),
    dispatch: fixed(kernel, () => elementGrid(C)),
    when: ablates,
    outputs: [tensor(`h${l}.attn_context`, acts.context, (run: Run) => [run.T, C])],
  } satisfies StepDraft;
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
    projectionStep(
      kernels,
      name('mlp_fc'),
      [acts.ln2, layer.fcWeight, layer.fcBias, acts.fc],
      { N: 4 * C, K: C },
      [tensor(name('mlp_fc'), acts.fc, rows(4 * C))],
    ),
    {
      label: name('mlp_gelu'),
      layoutOf: kernels.simple.gelu,
      buffers: [acts.fc, acts.fc, acts.gelu],
      params: (run) => ({ count: run.T * 4 * C }),
      dispatch: fixed(kernels.simple.gelu, (run) => elementGrid(run.T * 4 * C)),
      outputs: [tensor(name('mlp_gelu'), acts.gelu, rows(4 * C))],
    },
    projectionStep(
      kernels,
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
