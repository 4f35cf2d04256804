// The GPT-2 forward pass as GPU steps, one function for both its users, as llm.c's gpt2_forward: the explorer
// (model-plan.ts) and training (training/training-steps.ts) differ only in the buffers, sizes and trace hooks.

import { headSize, type GPT2Config } from '../config';
import {
  attentionContextParams,
  attentionScoresParams,
  attentionSoftmaxParams,
  embeddingParams,
} from './forward-ops';
import type { GpuLayerWeights, WteChunk } from './gpu-weights';
import { CAUSAL, matmulParams } from './kernels';
import { matmulStep, type ForwardKernels } from './matmul-steps';
import type { CompiledKernel } from './pipelines';
import { elementGrid, fixedKernel, rowGrid, rowGrid2d, type StepDraft, type TensorSource } from './steps';

/** What only the explorer adds around the shared steps: its trace and the work a trace asks for. */
export interface TraceHooks<R, K> {
  /** Whether this run's trace needs the tensor `name` (TraceSelection.needs). */
  needs(run: R, name: string): boolean;
  /** Steps right after layer l's qkv projection (the heads split out for the trace). */
  afterQkv(l: number): StepDraft<R, K>[];
  /** Layer l's head ablation: a step that rewrites the context in place, and the runs it runs in, where the
   * trace reads attn_context after it rather than straight after the weighted sum. */
  ablation(l: number): { step: StepDraft<R, K>; ablates: (run: R) => boolean };
}

/** Everything the steps need besides their buffers. `R` is what varies between runs; K, the kernels: compiled
 * for the explorer, specs for training (its StepRecorder compiles only those it records). */
export interface ForwardContext<R, K = CompiledKernel> {
  config: GPT2Config;
  kernels: ForwardKernels<K>;
  /** Sequences per pass, fixed when the steps are made: training's batch, 1 in the explorer. */
  B: number;
  /** Tokens per sequence in a run: the explorer's text length, training's fixed T. */
  T: (run: R) => number;
  /** Bound where a kernel declares a buffer a step does not use. */
  unused: GPUBuffer;
  /** The explorer's trace (with B = 1); training has none, so its steps carry no outputs. */
  trace?: TraceHooks<R, K>;
}

/** The embedding's buffers, besides wte: ids (B, T) u32, wpe (nPositions, C) and the (B, T, C) outputs. */
export interface EmbeddingBuffers {
  ids: GPUBuffer;
  wpe: GPUBuffer;
  tokEmb: GPUBuffer;
  posEmb: GPUBuffer;
  inputEmb: GPUBuffer;
}

/** One block's buffers: training gives each layer its own (its backward pass reads them), the explorer one set
 * for all (its trace copies a layer's tensors out before the next layer overwrites them). */
export interface BlockBuffers {
  residualIn: GPUBuffer; // (B, T, C)
  ln1: GPUBuffer; // (B, T, C)
  qkv: GPUBuffer; // (B, T, 3C)
  attention: AttentionBuffers;
  attnOut: GPUBuffer; // (B, T, C)
  residualMid: GPUBuffer; // (B, T, C)
  ln2: GPUBuffer; // (B, T, C)
  fc: GPUBuffer; // (B, T, 4C)
  gelu: GPUBuffer; // (B, T, 4C)
  mlpOut: GPUBuffer; // (B, T, C)
  blockOut: GPUBuffer; // (B, T, C)
}

/** Causal attention's buffers past qkv. */
export interface AttentionBuffers {
  scores: GPUBuffer; // (B, NH, T, T), scratch
  /** (B, NH, T, T); written only when the trace shows the scaled scores (training binds any buffer). */
  scaledScores: GPUBuffer;
  /** (B, NH, T, T) exactly, zero above the diagonal: the softmax's workgroups past its end stop there. */
  weights: GPUBuffer;
  context: GPUBuffer; // (B, T, C)
}

/** A trace tensor on a step, when there is a trace. */
function traced<R, K>(
  ctx: ForwardContext<R, K>,
  name: string,
  buffer: GPUBuffer,
  shape: (run: R) => number[],
  perHead = false,
): TensorSource<R>[] {
  return ctx.trace ? [{ name, buffer, shape, perHead }] : [];
}

/** Rows of a (B, T, ·) activation in a run. */
const rowsOf =
  <R, K>({ B, T }: ForwardContext<R, K>) =>
  (run: R) =>
    B * T(run);

/** input_emb = wte[ids] + wpe[t], one step per chunk of wte (each adds the rows of the tokens it holds). */
export function embeddingSteps<R, K>(
  ctx: ForwardContext<R, K>,
  wteChunks: WteChunk[],
  { ids, wpe, tokEmb, posEmb, inputEmb }: EmbeddingBuffers,
): StepDraft<R, K>[] {
  const { B, T, config } = ctx;
  const C = config.nEmbd;
  const kernel = ctx.kernels.simple.embedding;
  const rowsC = (run: R) => [rowsOf(ctx)(run), C];
  return wteChunks.map((chunk, i) => ({
    label: `embedding[${chunk.rowStart}..]`,
    layoutOf: kernel,
    buffers: [ids, chunk.buffer, wpe, tokEmb, posEmb, inputEmb],
    params: (run) => embeddingParams({ B, T: T(run), C }, chunk),
    dispatch: fixedKernel(kernel, (run) => elementGrid(B * T(run) * C)),
    outputs:
      i === wteChunks.length - 1
        ? [
            ...traced(ctx, 'tok_emb', tokEmb, rowsC),
            ...traced(ctx, 'pos_emb', posEmb, rowsC),
            ...traced(ctx, 'input_emb', inputEmb, rowsC),
          ]
        : [],
  }));
}

/** Layer norm over every row, out traced as `name` (ln_1, ln_2, ln_f). */
export function layernormStep<R, K>(
  ctx: ForwardContext<R, K>,
  name: string,
  [inp, weight, bias, out]: [GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer],
): StepDraft<R, K> {
  const { nEmbd: C, layerNormEpsilon: eps } = ctx.config;
  const kernel = ctx.kernels.simple.layernorm;
  const rows = rowsOf(ctx);
  return {
    label: name,
    layoutOf: kernel,
    buffers: [inp, weight, bias, out],
    params: (run) => ({ T: rows(run), C, eps }),
    dispatch: fixedKernel(kernel, (run) => rowGrid(rows(run))),
    outputs: traced(ctx, name, out, (run) => [rows(run), C]),
  };
}

/** One transformer block, x + attn(ln_1(x)) then + mlp(ln_2(·)), leaving its output in `buffers.blockOut`. */
export function blockSteps<R, K>(
  ctx: ForwardContext<R, K>,
  l: number,
  weights: GpuLayerWeights,
  buffers: BlockBuffers,
): StepDraft<R, K>[] {
  const { config, trace } = ctx;
  const C = config.nEmbd;
  const { residualIn, ln1, qkv, attention, attnOut, residualMid, ln2, fc, gelu, mlpOut, blockOut } = buffers;
  const name = (n: string) => `h${l}.${n}`;
  const rows = rowsOf(ctx);
  const width = (X: number) => (run: R) => [rows(run), X];
  const ablation = trace?.ablation(l);
  const contextFinal = ablation && ((run: R) => !ablation.ablates(run));
  return [
    layernormStep(ctx, name('ln_1'), [residualIn, weights.ln1Weight, weights.ln1Bias, ln1]),
    projectionStep(ctx, name('qkv'), [ln1, weights.qkvWeight, weights.qkvBias, qkv], { N: 3 * C, K: C }),
    ...(trace?.afterQkv(l) ?? []),
    ...attentionSteps(ctx, name, qkv, attention, contextFinal),
    ...(ablation ? [ablation.step] : []),
    projectionStep(
      ctx,
      name('attn_out'),
      [attention.context, weights.attnProjWeight, weights.attnProjBias, attnOut],
      { N: C, K: C },
      traced(ctx, name('attn_out'), attnOut, width(C)),
    ),
    elementwiseStep(ctx, 'residual', name('residual_mid'), [residualIn, attnOut, residualMid], C),
    layernormStep(ctx, name('ln_2'), [residualMid, weights.ln2Weight, weights.ln2Bias, ln2]),
    projectionStep(
      ctx,
      name('mlp_fc'),
      [ln2, weights.fcWeight, weights.fcBias, fc],
      { N: 4 * C, K: C },
      traced(ctx, name('mlp_fc'), fc, width(4 * C)),
    ),
    elementwiseStep(ctx, 'gelu', name('mlp_gelu'), [fc, fc, gelu], 4 * C, width(4 * C)),
    projectionStep(
      ctx,
      name('mlp_out'),
      [gelu, weights.fcProjWeight, weights.fcProjBias, mlpOut],
      { N: C, K: 4 * C },
      traced(ctx, name('mlp_out'), mlpOut, width(C)),
    ),
    elementwiseStep(ctx, 'residual', name('block_out'), [residualMid, mlpOut, blockOut], C, width(C)),
  ];
}

/**
 * Causal multi-head attention over qkv (B, T, 3C): the scores of each sequence (q and k read in place from qkv,
 * batched over heads), one softmax over every row, the weighted sum of each sequence into the merged context.
 * `name` names layer l's tensors; `contextFinal`, when given, says in which runs the context is read as the
 * weighted sum leaves it (a later step may rewrite it).
 */
export function attentionSteps<R, K>(
  ctx: ForwardContext<R, K>,
  name: (tensor: string) => string,
  qkv: GPUBuffer,
  { scores, scaledScores, weights, context }: AttentionBuffers,
  contextFinal?: (run: R) => boolean,
): StepDraft<R, K>[] {
  const { B, T, config, kernels, trace, unused } = ctx;
  const { nEmbd: C, nHead: NH } = config;
  const hs = headSize(config);
  const softmax = kernels.simple.softmax;
  const needs = (run: R, tensor: string) => trace?.needs(run, name(tensor)) ?? false;
  const perHead = (run: R) => [NH, T(run), T(run)];
  const sequences = Array.from({ length: B }, (_, b) => b);
  const perSequence = (label: string, b: number) => (B > 1 ? `${name(label)}[${b}]` : name(label));
  // The tiles above the diagonal are skipped (the causal softmax never reads them) unless a trace shows them.
  const causal = (run: R) =>
    needs(run, 'scores') || needs(run, 'scaled_scores') ? CAUSAL.NONE : CAUSAL.SKIP;
  const contextOutput = traced(ctx, name('attn_context'), context, (run) => [rowsOf(ctx)(run), C]);
  return [
    ...sequences.map((b) =>
      matmulStep(kernels, {
        label: perSequence('scores', b),
        variant: 'transposed',
        buffers: [qkv, qkv, unused, scores],
        shape: (run) => ({ M: T(run), N: T(run), batch: NH }),
        params: (run) => attentionScoresParams({ T: T(run), C, NH }, b, causal(run)),
        outputs: traced(ctx, name('scores'), scores, perHead, true),
      }),
    ),
    {
      label: name('softmax'),
      layoutOf: softmax,
      buffers: [scores, scaledScores, weights],
      params: (run) => attentionSoftmaxParams(T(run), hs, needs(run, 'scaled_scores')),
      dispatch: fixedKernel(softmax, (run) => rowGrid2d(B * NH * T(run))),
      outputs: [
        ...traced(ctx, name('scaled_scores'), scaledScores, perHead, true),
        ...traced(ctx, name('attn_weights'), weights, perHead, true),
      ],
    },
    ...sequences.map((b) =>
      matmulStep(kernels, {
        label: perSequence('attn_context', b),
        variant: 'plain',
        buffers: [weights, qkv, unused, context],
        shape: (run) => ({ M: T(run), N: hs, batch: NH }),
        params: (run) => attentionContextParams({ T: T(run), C, NH }, b),
        outputs: contextOutput.map((output) => ({ ...output, when: contextFinal })),
      }),
    ),
  ];
}

/** out (B·T, N) = x (B·T, K) · W (K, N) + bias: a Conv1D projection. */
function projectionStep<R, K>(
  ctx: ForwardContext<R, K>,
  label: string,
  buffers: [GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer],
  sizes: { N: number; K: number },
  outputs: TensorSource<R>[] = [],
): StepDraft<R, K> {
  const rows = rowsOf(ctx);
  return matmulStep(ctx.kernels, {
    label,
    variant: 'bias',
    buffers,
    shape: (run) => ({ M: rows(run), N: sizes.N, batch: 1 }),
    params: (run) => matmulParams({ M: rows(run), ...sizes }),
    outputs,
  });
}

/** out = a + b (residual) or gelu(a) (gelu, which binds a twice) over (B·T, width), traced as `label`. */
function elementwiseStep<R, K>(
  ctx: ForwardContext<R, K>,
  kernelName: 'residual' | 'gelu',
  label: string,
  buffers: [GPUBuffer, GPUBuffer, GPUBuffer],
  width: number,
  shape?: (run: R) => number[],
): StepDraft<R, K> {
  const kernel = ctx.kernels.simple[kernelName];
  const count = (run: R) => rowsOf(ctx)(run) * width;
  return {
    label,
    layoutOf: kernel,
    buffers,
    params: (run) => ({ count: count(run) }),
    dispatch: fixedKernel(kernel, (run) => elementGrid(count(run))),
    outputs: shape ? traced(ctx, label, buffers[2], shape) : [],
  };
}
