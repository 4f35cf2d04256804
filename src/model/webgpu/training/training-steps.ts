// The GPU work of a training step, recorded once per GpuTraining over the buffers of training-buffers.ts: the
// forward pass (the explorer's own steps, forward-block.ts, then the loss), the backward pass
// and the optimizer update, each a StepSequence (bind groups made once). A call passes only what changes: the
// embedding plan's size, AdamW's step and learning rate, the clip, the tied spans.

import type { GPT2Config } from '../../config';
import type { LayerWeights } from '../../weights';
import {
  BACKWARD_KERNELS as K,
  GRAD_NORM_WORKGROUPS,
  adamwParams,
  gradNormGrid,
  matmulBackwardInputShape,
  matmulBackwardWeightShape,
  matmulGradGrid,
  matmulGradKernel,
  matmulGradParams,
  rowGrid2d,
} from '../backward-kernels';
import { blockSteps, embeddingSteps, layernormStep, type ForwardContext } from '../forward-block';
import type { GpuLayerWeights } from '../gpu-weights';
import { MATMUL_CONFIGS, WORKGROUP_SIZE, matmulParams, type KernelSpec } from '../kernels';
import { forwardKernelSpecs, largeMatmulAllowed, type ForwardKernels } from '../matmul-steps';
import type { PipelineCache } from '../pipelines';
import { StepRecorder, type StepSequence } from '../step-sequence';
import { elementGrid, matmulConfigFor, matmulGrid, type Grid } from '../steps';
import { LAYER_FIELDS, MAX_TIED_SPANS, type TrainingBuffers } from './training-buffers';

export interface GpuAdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** As AdamWOptions.decay (src/train/adamw.ts): 'matrices' skips biases and layer norms. */
  decay: 'all' | 'matrices';
}

/** A span of wte's gradient that stands for `count` identical rows (TiedSpan in src/train/adamw.ts). */
export interface TiedWteSpan {
  offset: number;
  length: number;
  count: number;
}

/** What a backward call sets: the number of distinct tokens in the embedding plan (embeddingBackwardPlan). */
export interface BackwardRun {
  U: number;
}

/** What an update call sets. */
export interface UpdateRun {
  step: number;
  lr: number;
  options: GpuAdamWOptions;
  maxNorm: number | undefined;
  tied: TiedWteSpan[];
}

export interface TrainingSequences {
  forward: StepSequence<null>;
  backward: StepSequence<BackwardRun>;
  update: StepSequence<UpdateRun>;
}

/** The parts of a StepRecorder that fixed work needs, whatever the sequence's run type. */
interface Recorder {
  dispatch(spec: KernelSpec, params: Record<string, number>, buffers: GPUBuffer[], grid: Grid): void;
  clear(buffer: GPUBuffer): void;
}

type MatmulGradShape = { M: number; N: number; K: number; transposedA: boolean; transposedB: boolean };

/** Records and compiles the three sequences. */
export async function recordTraining(
  device: GPUDevice,
  cache: PipelineCache,
  buffers: TrainingBuffers,
  config: GPT2Config,
  B: number,
  T: number,
  hasLogitBias: boolean,
): Promise<TrainingSequences> {
  // Specs, not compiled kernels: the recorders compile only what these sizes use (the large matmul tiles take
  // SwiftShader tens of seconds each, and a small model never uses them).
  const kernels = forwardKernelSpecs(largeMatmulAllowed(device));
  const steps = new TrainingSteps(buffers, kernels, config, B, T, hasLogitBias);
  const [forward, backward, update] = await Promise.all([
    steps.forward().finish(device, cache, 'training forward'),
    steps.backward().finish(device, cache, 'training backward'),
    steps.update().finish(device, cache, 'training update'),
  ]);
  return { forward, backward, update };
}

class TrainingSteps {
  private readonly N: number;
  private readonly C: number;
  private readonly NH: number;
  private readonly V: number;
  private readonly L: number;
  private readonly eps: number;

  constructor(
    private readonly b: TrainingBuffers,
    private readonly kernels: ForwardKernels<KernelSpec>,
    private readonly config: GPT2Config,
    private readonly B: number,
    private readonly T: number,
    private readonly hasLogitBias: boolean,
  ) {
    [this.N, this.C, this.NH, this.V, this.L] = [
      B * T,
      config.nEmbd,
      config.nHead,
      config.vocabSize,
      config.nLayer,
    ];
    this.eps = config.layerNormEpsilon;
  }

  /** The forward pass: the explorer's steps (forward-block.ts) over the per-layer buffers, then the loss. */
  forward(): StepRecorder<null> {
    const { B, T, N, C, V, b, kernels } = this;
    const w = (key: string) => b.tensor(key).value;
    const ctx: ForwardContext<null, KernelSpec> = {
      config: this.config,
      kernels,
      B,
      T: () => T,
      unused: b.dummy,
    };
    const wte = { buffer: w('wte'), rowStart: 0, rowCount: V };
    const inputs = { ids: b.inputs, wpe: w('wpe'), tokEmb: b.tokEmb, posEmb: b.posEmb, inputEmb: b.encoded };
    const drafts = embeddingSteps(ctx, [wte], inputs);
    let residual = b.encoded;
    b.layers.forEach((a, l) => {
      const weights = Object.fromEntries(
        LAYER_FIELDS.map((field) => [field, w(`h${l}.${field}`)]),
      ) as GpuLayerWeights;
      const attention = { scores: b.scores, scaledScores: b.dummy, weights: a.att, context: a.atty };
      drafts.push(
        ...blockSteps(ctx, l, weights, {
          residualIn: residual,
          ln1: a.ln1,
          qkv: a.qkv,
          attention,
          attnOut: a.attproj,
          residualMid: a.residual2,
          ln2: a.ln2,
          fc: a.fch,
          gelu: a.fchGelu,
          mlpOut: a.fcproj,
          blockOut: a.residual3,
        }),
      );
      residual = a.residual3;
    });
    drafts.push(layernormStep(ctx, 'ln_f', [residual, w('lnFWeight'), w('lnFBias'), b.lnf]));
    const rec = new StepRecorder<null>();
    rec.fixedAt(drafts, null);
    // The logits of every position against the whole of wte, as one tiled matmul (the explorer's come in
    // wte chunks and row blocks, for the few rows a trace wants).
    const name = matmulConfigFor(N, V, kernels.largeAllowed);
    rec.dispatch(
      kernels.matmul[name].transposed,
      matmulParams({ M: N, N: V, K: C, transposedB: true }),
      [b.lnf, w('wte'), b.dummy, b.logits],
      matmulGrid(name, N, V),
    );
    rec.dispatch(K.crossEntropyForward, this.crossEntropyParams(), this.crossEntropyBuffers(), rowGrid2d(N));
    return rec;
  }

  /** The backward pass of the last forward: clears the gradients, then fills them. */
  backward(): StepRecorder<BackwardRun> {
    const { B, T, N, C, V, L, b } = this;
    const rec = new StepRecorder<BackwardRun>();
    for (const tensor of b.tensors) rec.clear(tensor.grad);
    for (const d of b.dresiduals) rec.clear(d);
    rec.dispatch(
      K.crossEntropyBackward,
      this.crossEntropyParams(),
      this.crossEntropyBuffers(),
      elementGrid(N * V),
    );
    // The tied head, logits = lnf · wteᵀ: dlnf = dlogits · wte, dwte += dlogitsᵀ · lnf.
    const plain = { M: N, N: C, K: V, transposedA: false, transposedB: false };
    this.matmulGrad(rec, b.dlnf, b.logits, b.tensor('wte').value, plain, false);
    this.matmulGrad(rec, b.tensor('wte').grad, b.logits, b.lnf, matmulBackwardWeightShape(N, V, C), true);
    const lastResidual = L > 0 ? b.layers[L - 1].residual3 : b.encoded;
    this.layernormBackward(rec, b.dresiduals[L], 'lnFWeight', 'lnFBias', b.dlnf, lastResidual);
    for (let l = L - 1; l >= 0; l--) this.blockBackward(rec, l);
    // The plan (b.plan) is written per call; U, its count of distinct tokens, sizes the token kernel's grid.
    const embedding = [b.dresiduals[0], b.plan, b.tensor('wte').grad, b.tensor('wpe').grad];
    const params = ({ U }: BackwardRun) => ({ B, T, C, U });
    rec.perRun(K.embeddingBackwardTokens, params, embedding, ({ U }) => elementGrid(U * C));
    rec.perRun(K.embeddingBackwardPositions, params, embedding, elementGrid(T * C));
    return rec;
  }

  /**
   * Divides the tied spans of wte's gradient by their copy count, clips the gradient when the run has a
   * maxNorm, then one AdamW update (see GpuTraining.update). Every tied-span slot up to MAX_TIED_SPANS is
   * recorded, and runs only when the call has that many spans; each tensor outside the matrices has an AdamW
   * step for either decay rule, since the rule picks its mask buffer.
   */
  update(): StepRecorder<UpdateRun> {
    const { b } = this;
    const rec = new StepRecorder<UpdateRun>();
    const wteGrad = b.tensor('wte').grad;
    const base = (run: UpdateRun) => ({
      start: 0,
      weight: 1,
      partialOffset: 0,
      partialCount: (b.tensors.length + run.tied.length) * GRAD_NORM_WORKGROUPS,
      maxNorm: run.maxNorm ?? 0,
      divisor: 1,
    });
    const bind = (grad: GPUBuffer) => [grad, b.partials, b.normResult];
    const clipping = (run: UpdateRun) => run.maxNorm !== undefined;
    const span = (j: number) => (run: UpdateRun) => run.tied[j];
    for (let j = 0; j < MAX_TIED_SPANS; j++) {
      const params = (run: UpdateRun) => {
        const { offset, length, count } = span(j)(run);
        return { ...base(run), start: offset, length, divisor: count };
      };
      const grid = (run: UpdateRun) => elementGrid(span(j)(run).length);
      rec.perRun(K.gradDivideRange, params, bind(wteGrad), grid, (run) => run.tied.length > j);
    }
    rec.clear(b.partials, clipping); // the slots of the workgroups a short range does not need stay 0
    b.tensors.forEach((t, i) => {
      const params = (run: UpdateRun) => ({
        ...base(run),
        length: t.length,
        partialOffset: i * GRAD_NORM_WORKGROUPS,
      });
      rec.perRun(K.gradNormPartials, params, bind(t.grad), gradNormGrid(t.length), clipping);
    });
    for (let j = 0; j < MAX_TIED_SPANS; j++) {
      const params = (run: UpdateRun) => {
        const { offset, length, count } = span(j)(run);
        const partialOffset = (b.tensors.length + j) * GRAD_NORM_WORKGROUPS;
        return { ...base(run), start: offset, length, weight: count - 1, partialOffset };
      };
      const grid = (run: UpdateRun) => gradNormGrid(span(j)(run).length);
      rec.perRun(
        K.gradNormPartials,
        params,
        bind(wteGrad),
        grid,
        (run) => clipping(run) && run.tied.length > j,
      );
    }
    const finish = (run: UpdateRun) => ({ ...base(run), length: 0, partialOffset: 0 });
    rec.perRun(K.gradNormFinish, finish, bind(b.dummy), [1, 1, 1], clipping);
    for (const t of b.tensors) {
      const params = (run: UpdateRun) => ({ ...base(run), length: t.length, partialOffset: 0 });
      rec.perRun(K.gradClip, params, bind(t.grad), elementGrid(t.length), clipping);
    }
    for (const t of b.tensors) {
      const params = (run: UpdateRun) => adamwParams(t.length, run.step, run.lr, run.options);
      const adamw = (mask: GPUBuffer, when?: (run: UpdateRun) => boolean) =>
        rec.perRun(K.adamw, params, [t.grad, mask, t.value, t.m, t.v], elementGrid(t.length), when);
      if (t.isMatrix) adamw(b.maskOnes);
      else {
        adamw(b.maskOnes, (run) => run.options.decay === 'all');
        adamw(b.maskZeros, (run) => run.options.decay !== 'all');
      }
    }
    return rec;
  }

  private crossEntropyParams() {
    const { N, V } = this;
    return { N, V, hasBias: this.hasLogitBias ? 1 : 0, scale: 1 / N };
  }

  private crossEntropyBuffers() {
    const { b } = this;
    return [b.targets, b.logitBias, b.logits, b.losses];
  }

  private blockBackward(rec: Recorder, l: number): void {
    const { B, T, N, C, NH, b } = this;
    const s = b.scratch;
    const a = b.layers[l];
    const key = (field: keyof LayerWeights) => `h${l}.${field}`;
    for (const buffer of Object.values(s)) rec.clear(buffer);
    const residualIn = l === 0 ? b.encoded : b.layers[l - 1].residual3;
    const [dresidualIn, dresidualOut] = [b.dresiduals[l], b.dresiduals[l + 1]];
    const residualBackward = (dout: GPUBuffer, da: GPUBuffer, db: GPUBuffer) =>
      rec.dispatch(K.residualBackward, { count: N * C }, [dout, da, db], elementGrid(N * C));
    residualBackward(dresidualOut, s.dresidual2, s.dfcproj);
    this.matmulBackward(
      rec,
      s.dfchGelu,
      key('fcProjWeight'),
      key('fcProjBias'),
      s.dfcproj,
      a.fchGelu,
      4 * C,
      C,
    );
    rec.dispatch(K.geluBackward, { count: N * 4 * C }, [a.fch, s.dfchGelu, s.dfch], elementGrid(N * 4 * C));
    this.matmulBackward(rec, s.dln2, key('fcWeight'), key('fcBias'), s.dfch, a.ln2, C, 4 * C);
    this.layernormBackward(rec, s.dresidual2, key('ln2Weight'), key('ln2Bias'), s.dln2, a.residual2);
    residualBackward(s.dresidual2, dresidualIn, s.dattproj);
    this.matmulBackward(rec, s.datty, key('attnProjWeight'), key('attnProjBias'), s.dattproj, a.atty, C, C);
    const attention = { B, T, C, NH, scale: 1 / Math.sqrt(C / NH) };
    const bind = [s.datty, a.qkv, a.att, b.datt, s.dqkv];
    rec.dispatch(K.attentionBackwardScores, attention, bind, rowGrid2d(B * NH * T));
    rec.dispatch(K.attentionBackwardInputs, attention, bind, elementGrid(N * 3 * C));
    this.matmulBackward(rec, s.dln1, key('qkvWeight'), key('qkvBias'), s.dqkv, a.ln1, C, 3 * C);
    this.layernormBackward(rec, dresidualIn, key('ln1Weight'), key('ln1Bias'), s.dln1, residualIn);
  }

  private matmulGrad(
    rec: Recorder,
    out: GPUBuffer,
    a: GPUBuffer,
    b: GPUBuffer,
    shape: MatmulGradShape,
    accumulate: boolean,
  ): void {
    const config = MATMUL_CONFIGS[matmulConfigFor(shape.M, shape.N, true)];
    const spec = matmulGradKernel(config, { ...shape, accumulate });
    rec.dispatch(
      spec,
      matmulGradParams(shape),
      [a, b, this.b.dummy, out],
      matmulGradGrid(config, shape.M, shape.N),
    );
  }

  /** dinp += dout · weightᵀ, dweight += inpᵀ · dout, dbias += Σ dout, for the weight and bias named. */
  private matmulBackward(
    rec: Recorder,
    dinp: GPUBuffer,
    weightKey: string,
    biasKey: string,
    dout: GPUBuffer,
    inp: GPUBuffer,
    inC: number,
    OC: number,
  ): void {
    const { N } = this;
    const [weight, bias] = [this.b.tensor(weightKey), this.b.tensor(biasKey)];
    this.matmulGrad(rec, dinp, dout, weight.value, matmulBackwardInputShape(N, inC, OC), true);
    this.matmulGrad(rec, weight.grad, inp, dout, matmulBackwardWeightShape(N, inC, OC), true);
    rec.dispatch(K.biasBackward, { N, OC }, [dout, bias.grad], [Math.ceil(OC / WORKGROUP_SIZE), 1, 1]);
  }

  private layernormBackward(
    rec: Recorder,
    dinp: GPUBuffer,
    weightKey: string,
    biasKey: string,
    dout: GPUBuffer,
    inp: GPUBuffer,
  ): void {
    const { N, C, eps } = this;
    const [weight, bias] = [this.b.tensor(weightKey), this.b.tensor(biasKey)];
    const bind = [dout, inp, weight.value, this.b.stats, dinp, weight.grad, bias.grad];
    rec.dispatch(K.layernormBackwardRows, { N, C, eps }, bind, rowGrid2d(N));
    rec.dispatch(K.layernormBackwardColumns, { N, C, eps }, bind, [Math.ceil(C / WORKGROUP_SIZE), 1, 1]);
  }
}
