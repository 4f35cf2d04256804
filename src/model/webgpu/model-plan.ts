// The explorer's forward pass as a list of GPU steps, in the order of the CPU engine (cpu/forward.ts) and with
// the fixture's tensor names: the shared steps of forward-block.ts, with the trace's outputs and extra work.

import { ablatedHeadsOf } from '../ablation';
import { headSize, type GPT2Config } from '../config';
import { NAIVE_TENSORS } from '../trace';
import type { Activations } from './activations';
import { blockSteps, embeddingSteps, layernormStep, type ForwardContext } from './forward-block';
import type { GpuWeights } from './gpu-weights';
import { ABLATION_MODE_CODES, headMasks, matmulParams } from './kernels';
import { logitSteps, matmulStep, type ModelKernels } from './matmul-steps';
import { elementGrid, fixedKernel, rowGrid, type Run, type StepDraft, type TensorSource } from './steps';

export { compileModelKernels, type ModelKernels } from './matmul-steps';

interface PlanInput {
  config: GPT2Config;
  kernels: ModelKernels;
  weights: GpuWeights;
  acts: Activations;
}

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

/** Builds the steps of one forward pass over the buffers in `acts`: one sequence of run.T tokens. */
export function planForward(input: PlanInput): StepDraft[] {
  const { config, kernels, weights, acts } = input;
  const ablates = (run: Run, l: number) => ablatedHeadsOf(run.ablation, l).length > 0;
  const ctx: ForwardContext<Run> = {
    config,
    kernels,
    B: 1,
    T: (run) => run.T,
    unused: acts.unused,
    trace: {
      needs: (run, name) => run.select.needs(name, config.nHead),
      afterQkv: (l) => [splitHeadsStep(input, l)],
      ablation: (l) => ({ step: ablationStep(input, l, ablates), ablates: (run) => ablates(run, l) }),
    },
  };
  const drafts = embeddingSteps(ctx, weights.wteChunks, { ...acts, wpe: weights.wpe });
  drafts.push(...naiveSteps(input, 'naive', acts.inputEmb), ...naiveSteps(input, 'naive_nopos', acts.tokEmb));

  let residual = acts.inputEmb;
  for (let l = 0; l < config.nLayer; l++) {
    // The residual stream alternates between two buffers: a block reads one and writes the other.
    const blockOut = acts.blockOut[l % 2];
    const block = blockSteps(ctx, l, weights.layers[l], {
      ...acts,
      residualIn: residual,
      attention: {
        scores: acts.scores,
        scaledScores: acts.scaledScores,
        weights: acts.attnWeights,
        context: acts.context,
      },
      blockOut,
    });
    drafts.push(...block.map((draft) => upToLayer(l, draft)));
    residual = blockOut;
  }

  const lnF = layernormStep(ctx, 'ln_f', [residual, weights.lnFWeight, weights.lnFBias, acts.lnF]);
  drafts.push(upToLayer(config.nLayer - 1, lnF));
  drafts.push(...logitSteps(config, kernels, weights, acts));
  return drafts;
}

/** Runs `draft` only when the run goes as deep as block `l` (and its own condition, if any, holds). */
function upToLayer(l: number, draft: StepDraft): StepDraft {
  const own = draft.when;
  return { ...draft, when: (run) => run.lastLayer >= l && (own?.(run) ?? true) };
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
    dispatch: fixedKernel(k.softmax, (run) => rowGrid(run.T)),
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

/** q, k and v of layer `l` copied out of qkv into (NH, T, hs) each, only when the trace shows one of them. */
function splitHeadsStep({ config, kernels, acts }: PlanInput, l: number): StepDraft {
  const { nEmbd: C, nHead: NH } = config;
  const hs = headSize(config);
  const kernel = kernels.simple.splitHeads;
  const name = (n: string) => `h${l}.${n}`;
  const needs = (run: Run, n: string) => run.select.needs(name(n), NH);
  return {
    label: name('split_heads'),
    layoutOf: kernel,
    buffers: [acts.qkv, acts.q, acts.k, acts.v],
    params: (run) => ({ T: run.T, C, hs }),
    dispatch: fixedKernel(kernel, (run) => elementGrid(run.T * C)),
    when: (run) => needs(run, 'q') || needs(run, 'k') || needs(run, 'v'),
    outputs: (['q', 'k', 'v'] as const).map((n) => tensor(name(n), acts[n], (run) => [NH, run.T, hs], true)),
  };
}

/** Knocks out the ablated heads of layer `l` in the context buffer, in place; runs only when there are some. */
function ablationStep(
  { config, kernels, acts }: PlanInput,
  l: number,
  ablates: (run: Run, l: number) => boolean,
): StepDraft {
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
    dispatch: fixedKernel(kernel, () => elementGrid(C)),
    when: (run) => ablates(run, l),
    outputs: [tensor(`h${l}.attn_context`, acts.context, (run: Run) => [run.T, C])],
  };
}
