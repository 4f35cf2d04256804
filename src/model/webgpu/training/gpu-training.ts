// One training step of GPT-2 on the GPU, the twin of GPT2Training (src/train/gpt2-train.ts) in the same
// order: every activation and gradient buffer is made once, and a forward, a backward or an optimizer step is
// one submit of recorded dispatches. Only the losses (and the gradient norm when clipping) come back.

import type { GPT2Config } from '../../config';
import { meanTargetBias } from '../../target-bias';
import type { GPT2Weights, LayerWeights } from '../../weights';
import {
  BACKWARD_KERNELS as K,
  GRAD_NORM_WORKGROUPS,
  adamwParams,
  gradNormGrid,
  embeddingBackwardPlan,
  matmulBackwardInputShape,
  matmulBackwardWeightShape,
  matmulGradGrid,
  matmulGradKernel,
  matmulGradParams,
  rowGrid2d,
} from '../backward-kernels';
import { KERNELS, MATMUL_CONFIGS, WORKGROUP_SIZE, matmulKernel, matmulParams } from '../kernels';
import { PipelineCache } from '../pipelines';
import { elementGrid, matmulConfigFor, matmulGrid, rowGrid } from '../steps';
import { CommandList, readBuffer } from './command-list';
import { MAX_TIED_SPANS, createTrainingBuffers, type TrainingBuffers } from './training-buffers';

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

type MatmulGradShape = { M: number; N: number; K: number; transposedA: boolean; transposedB: boolean };

export class GpuTraining {
  readonly config: GPT2Config;
  private readonly cache: PipelineCache;
  private readonly buffers: TrainingBuffers;
  private readonly list = new CommandList();
  private hostInputs = new Int32Array(0);
  private step = 0;
  private forwardDone = false;

  constructor(
    private readonly device: GPUDevice,
    weights: GPT2Weights,
    readonly B: number,
    readonly T: number,
    private readonly logitBias: Float32Array | null = null,
  ) {
    this.config = weights.config;
    if (T > this.config.nPositions)
      throw new Error(`sequence length ${T} exceeds n_positions ${this.config.nPositions}`);
    this.cache = new PipelineCache(device);
    this.buffers = createTrainingBuffers(device, weights, B, T, logitBias);
  }

  /** The forward pass on a batch; resolves to the mean cross-entropy. */
  async forward(inputs: Int32Array, targets: Int32Array): Promise<number> {
    const { B, T, N, C, NH, V, eps } = this.sizes();
    const { device, list } = this;
    const b = this.buffers;
    const w = (key: string) => b.tensor(key).value;
    this.hostInputs = inputs.slice();
    device.queue.writeBuffer(b.inputs, 0, Uint32Array.from(inputs));
    device.queue.writeBuffer(b.targets, 0, Uint32Array.from(targets));
    list.dispatch(
      K.encoderForward,
      { B, T, C },
      [b.inputs, w('wte'), w('wpe'), b.encoded],
      elementGrid(N * C),
    );
    const attention = { B, T, C, NH, scale: 1 / Math.sqrt(C / NH) };
    let residual = b.encoded;
    b.layers.forEach((a, l) => {
      const lw = (field: keyof LayerWeights) => w(`h${l}.${field}`);
      this.layernorm(a.ln1, residual, lw('ln1Weight'), lw('ln1Bias'), eps);
      this.matmul(a.qkv, a.ln1, lw('qkvWeight'), lw('qkvBias'), N, C, 3 * C);
      list.dispatch(K.attentionForwardWeights, attention, [a.qkv, a.att, a.atty], rowGrid2d(B * NH * T));
      list.dispatch(K.attentionForwardContext, attention, [a.qkv, a.att, a.atty], elementGrid(N * C));
      this.matmul(a.attproj, a.atty, lw('attnProjWeight'), lw('attnProjBias'), N, C, C);
      list.dispatch(
        KERNELS.residual,
        { count: N * C },
        [residual, a.attproj, a.residual2],
        elementGrid(N * C),
      );
      this.layernorm(a.ln2, a.residual2, lw('ln2Weight'), lw('ln2Bias'), eps);
      this.matmul(a.fch, a.ln2, lw('fcWeight'), lw('fcBias'), N, C, 4 * C);
      list.dispatch(KERNELS.gelu, { count: N * 4 * C }, [a.fch, a.fch, a.fchGelu], elementGrid(N * 4 * C));
      this.matmul(a.fcproj, a.fchGelu, lw('fcProjWeight'), lw('fcProjBias'), N, 4 * C, C);
      list.dispatch(
        KERNELS.residual,
        { count: N * C },
        [a.residual2, a.fcproj, a.residual3],
        elementGrid(N * C),
      );
      residual = a.residual3;
    });
    this.layernorm(b.lnf, residual, w('lnFWeight'), w('lnFBias'), eps);
    const name = matmulConfigFor(N, V, true);
    list.dispatch(
      matmulKernel(MATMUL_CONFIGS[name], { transposedB: true, bias: false }),
      matmulParams({ M: N, N: V, K: C, transposedB: true }),
      [b.lnf, w('wte'), b.dummy, b.logits],
      matmulGrid(name, N, V),
    );
    list.dispatch(K.crossEntropyForward, this.crossEntropyParams(), this.crossEntropyBuffers(), rowGrid2d(N));
    const uniforms = await list.submit(device, this.cache);
    const losses = await readBuffer(device, b.losses, N);
    uniforms.destroy();
    this.forwardDone = true;
    // Per token of the full vocabulary, as the CPU trainer reports it (see meanTargetBias).
    return losses.reduce((sum, x) => sum + x, 0) / N + meanTargetBias(targets, this.logitBias, N);
  }

  /** The backward pass of the last forward: fills the gradients (overwriting them). */
  async backward(): Promise<void> {
    if (!this.forwardDone) throw new Error('backward() needs a forward() first');
    const { B, T, N, C, V, L } = this.sizes();
    const { list } = this;
    const b = this.buffers;
    for (const tensor of b.tensors) list.clear(tensor.grad);
    for (const d of b.dresiduals) list.clear(d);
    list.dispatch(
      K.crossEntropyBackward,
      this.crossEntropyParams(),
      this.crossEntropyBuffers(),
      elementGrid(N * V),
    );
    // The tied head, logits = lnf · wteᵀ: dlnf = dlogits · wte, dwte += dlogitsᵀ · lnf.
    const plain = { M: N, N: C, K: V, transposedA: false, transposedB: false };
    this.matmulGrad(b.dlnf, b.logits, b.tensor('wte').value, plain, false);
    this.matmulGrad(b.tensor('wte').grad, b.logits, b.lnf, matmulBackwardWeightShape(N, V, C), true);
    const lastResidual = L > 0 ? b.layers[L - 1].residual3 : b.encoded;
    this.layernormBackward(b.dresiduals[L], 'lnFWeight', 'lnFBias', b.dlnf, lastResidual);
    for (let l = L - 1; l >= 0; l--) this.blockBackward(l);
    const { plan, U } = embeddingBackwardPlan(this.hostInputs);
    this.device.queue.writeBuffer(b.plan, 0, plan.buffer, plan.byteOffset, plan.byteLength);
    const embedding = [b.dresiduals[0], b.plan, b.tensor('wte').grad, b.tensor('wpe').grad];
    list.dispatch(K.embeddingBackwardTokens, { B, T, C, U }, embedding, elementGrid(U * C));
    list.dispatch(K.embeddingBackwardPositions, { B, T, C, U }, embedding, elementGrid(T * C));
    (await list.submit(this.device, this.cache)).destroy();
    this.forwardDone = false; // the logits buffer now holds gradients
  }

  /**
   * Divides the tied spans of wte's gradient by their copy count (untieGradients), clips the gradient to
   * `maxNorm` when given (clipGradNorm, the spans counted once per copy), then one AdamW update with learning
   * rate `lr`. `tied` holds spans of wte as sharedRowSpan (src/train/vocab.ts) gives them: their offsets into
   * the flat parameters are offsets into wte, which params.ts lays out first. Resolves to the gradient norm
   * before clipping, or null without a clip.
   */
  async update(
    lr: number,
    options: GpuAdamWOptions,
    maxNorm?: number,
    tied: TiedWteSpan[] = [],
  ): Promise<number | null> {
    const { list } = this;
    const b = this.buffers;
    if (tied.length > MAX_TIED_SPANS)
      throw new Error(`at most ${MAX_TIED_SPANS} tied spans, not ${tied.length}`);
    this.step++;
    const wteGrad = b.tensor('wte').grad;
    const partialCount = (b.tensors.length + tied.length) * GRAD_NORM_WORKGROUPS;
    const base = { start: 0, weight: 1, partialOffset: 0, partialCount, maxNorm: maxNorm ?? 0, divisor: 1 };
    const bind = (grad: GPUBuffer) => [grad, b.partials, b.normResult];
    for (const span of tied) {
      const params = { ...base, start: span.offset, length: span.length, divisor: span.count };
      list.dispatch(K.gradDivideRange, params, bind(wteGrad), elementGrid(span.length));
    }
    if (maxNorm !== undefined) {
      list.clear(b.partials); // the slots of the workgroups a short range does not need stay 0
      b.tensors.forEach((t, i) => {
        const params = { ...base, length: t.length, partialOffset: i * GRAD_NORM_WORKGROUPS };
        list.dispatch(K.gradNormPartials, params, bind(t.grad), gradNormGrid(t.length));
      });
      tied.forEach((span, j) => {
        const partialOffset = (b.tensors.length + j) * GRAD_NORM_WORKGROUPS;
        const params = {
          ...base,
          start: span.offset,
          length: span.length,
          weight: span.count - 1,
          partialOffset,
        };
        list.dispatch(K.gradNormPartials, params, bind(wteGrad), gradNormGrid(span.length));
      });
      list.dispatch(K.gradNormFinish, { ...base, length: 0, partialOffset: 0 }, bind(b.dummy), [1, 1, 1]);
      for (const t of b.tensors) {
        const params = { ...base, length: t.length, partialOffset: 0 };
        list.dispatch(K.gradClip, params, bind(t.grad), elementGrid(t.length));
      }
    }
    for (const t of b.tensors) {
      const mask = options.decay === 'all' || t.isMatrix ? b.maskOnes : b.maskZeros;
      list.dispatch(
        K.adamw,
        adamwParams(t.length, this.step, lr, options),
        [t.grad, mask, t.value, t.m, t.v],
        elementGrid(t.length),
      );
    }
    const uniforms = await list.submit(this.device, this.cache);
    const norm = maxNorm === undefined ? null : (await readBuffer(this.device, b.normResult, 1))[0];
    uniforms.destroy();
    return norm;
  }

  /**
   * Each parameter's values, gradient or AdamW moments, read back, keyed as the buffers are ('wte',
   * 'h0.qkvWeight', …).
   */
  async read(what: 'value' | 'grad' | 'm' | 'v'): Promise<Map<string, Float32Array>> {
    const result = new Map<string, Float32Array>();
    for (const t of this.buffers.tensors) result.set(t.key, await readBuffer(this.device, t[what], t.length));
    return result;
  }

  /** AdamW's step count: the updates done so far (a resumed run sets it with restore). */
  get updates(): number {
    return this.step;
  }

  /**
   * Puts a saved optimizer state back: every parameter's values and both moments (`tensor(what, key)` gives
   * each, keyed as `read` keys them), and the number of updates done, which AdamW's bias correction needs.
   */
  restore(updates: number, tensor: (what: 'value' | 'm' | 'v', key: string) => Float32Array): void {
    for (const t of this.buffers.tensors) {
      for (const what of ['value', 'm', 'v'] as const) {
        const given = tensor(what, t.key);
        // writeBuffer takes no shared memory (the WASM kernels' arrays live there): such data goes as a copy.
        const data = given.buffer instanceof ArrayBuffer ? given : given.slice();
        if (data.length !== t.length)
          throw new Error(`${t.key}'s ${what} has ${data.length} values; this model has ${t.length}`);
        this.device.queue.writeBuffer(t[what], 0, data.buffer, data.byteOffset, data.byteLength);
      }
    }
    this.step = updates;
  }

  dispose(): void {
    for (const buffer of this.buffers.all) buffer.destroy();
  }

  private sizes() {
    const c = this.config;
    const { B, T } = this;
    return { B, T, N: B * T, C: c.nEmbd, NH: c.nHead, V: c.vocabSize, L: c.nLayer, eps: c.layerNormEpsilon };
  }

  private crossEntropyParams() {
    const { N, V } = this.sizes();
    return { N, V, hasBias: this.logitBias ? 1 : 0, scale: 1 / N };
  }

  private crossEntropyBuffers() {
    const b = this.buffers;
    return [b.targets, b.logitBias, b.logits, b.losses];
  }

  private blockBackward(l: number): void {
    const { B, T, N, C, NH } = this.sizes();
    const { list } = this;
    const b = this.buffers;
    const s = b.scratch;
    const a = b.layers[l];
    const key = (field: keyof LayerWeights) => `h${l}.${field}`;
    for (const buffer of Object.values(s)) list.clear(buffer);
    const residualIn = l === 0 ? b.encoded : b.layers[l - 1].residual3;
    const [dresidualIn, dresidualOut] = [b.dresiduals[l], b.dresiduals[l + 1]];
    const residualBackward = (dout: GPUBuffer, da: GPUBuffer, db: GPUBuffer) =>
      list.dispatch(K.residualBackward, { count: N * C }, [dout, da, db], elementGrid(N * C));
    residualBackward(dresidualOut, s.dresidual2, s.dfcproj);
    this.matmulBackward(s.dfchGelu, key('fcProjWeight'), key('fcProjBias'), s.dfcproj, a.fchGelu, 4 * C, C);
    list.dispatch(K.geluBackward, { count: N * 4 * C }, [a.fch, s.dfchGelu, s.dfch], elementGrid(N * 4 * C));
    this.matmulBackward(s.dln2, key('fcWeight'), key('fcBias'), s.dfch, a.ln2, C, 4 * C);
    this.layernormBackward(s.dresidual2, key('ln2Weight'), key('ln2Bias'), s.dln2, a.residual2);
    residualBackward(s.dresidual2, dresidualIn, s.dattproj);
    this.matmulBackward(s.datty, key('attnProjWeight'), key('attnProjBias'), s.dattproj, a.atty, C, C);
    const attention = { B, T, C, NH, scale: 1 / Math.sqrt(C / NH) };
    const bind = [s.datty, a.qkv, a.att, b.datt, s.dqkv];
    list.dispatch(K.attentionBackwardScores, attention, bind, rowGrid2d(B * NH * T));
    list.dispatch(K.attentionBackwardInputs, attention, bind, elementGrid(N * 3 * C));
    this.matmulBackward(s.dln1, key('qkvWeight'), key('qkvBias'), s.dqkv, a.ln1, C, 3 * C);
    this.layernormBackward(dresidualIn, key('ln1Weight'), key('ln1Bias'), s.dln1, residualIn);
  }

  /** out (N,OC) = inp (N,K) · weight (K,OC) + bias, through the forward's tiled matmul. */
  private matmul(
    out: GPUBuffer,
    inp: GPUBuffer,
    weight: GPUBuffer,
    bias: GPUBuffer,
    M: number,
    K_: number,
    OC: number,
  ) {
    const name = matmulConfigFor(M, OC, true);
    const spec = matmulKernel(MATMUL_CONFIGS[name], { transposedB: false, bias: true });
    this.list.dispatch(
      spec,
      matmulParams({ M, N: OC, K: K_ }),
      [inp, weight, bias, out],
      matmulGrid(name, M, OC),
    );
  }

  private matmulGrad(
    out: GPUBuffer,
    a: GPUBuffer,
    b: GPUBuffer,
    shape: MatmulGradShape,
    accumulate: boolean,
  ) {
    const config = MATMUL_CONFIGS[matmulConfigFor(shape.M, shape.N, true)];
    const spec = matmulGradKernel(config, { ...shape, accumulate });
    this.list.dispatch(spec, matmulGradParams(shape), [a, b, out], matmulGradGrid(config, shape.M, shape.N));
  }

  /** dinp += dout · weightᵀ, dweight += inpᵀ · dout, dbias += Σ dout, for the weight and bias named. */
  private matmulBackward(
    dinp: GPUBuffer,
    weightKey: string,
    biasKey: string,
    dout: GPUBuffer,
    inp: GPUBuffer,
    inC: number,
    OC: number,
  ): void {
    const N = this.B * this.T;
    const [weight, bias] = [this.buffers.tensor(weightKey), this.buffers.tensor(biasKey)];
    this.matmulGrad(dinp, dout, weight.value, matmulBackwardInputShape(N, inC, OC), true);
    this.matmulGrad(weight.grad, inp, dout, matmulBackwardWeightShape(N, inC, OC), true);
    this.list.dispatch(K.biasBackward, { N, OC }, [dout, bias.grad], [Math.ceil(OC / WORKGROUP_SIZE), 1, 1]);
  }

  private layernorm(out: GPUBuffer, inp: GPUBuffer, weight: GPUBuffer, bias: GPUBuffer, eps: number): void {
    const { N, C } = this.sizes();
    this.list.dispatch(KERNELS.layernorm, { T: N, C, eps }, [inp, weight, bias, out], rowGrid(N));
  }

  private layernormBackward(
    dinp: GPUBuffer,
    weightKey: string,
    biasKey: string,
    dout: GPUBuffer,
    inp: GPUBuffer,
  ) {
    const { N, C, eps } = this.sizes();
    const [weight, bias] = [this.buffers.tensor(weightKey), this.buffers.tensor(biasKey)];
    const bind = [dout, inp, weight.value, this.buffers.stats, dinp, weight.grad, bias.grad];
    this.list.dispatch(K.layernormBackwardRows, { N, C, eps }, bind, rowGrid2d(N));
    this.list.dispatch(K.layernormBackwardColumns, { N, C, eps }, bind, [
      Math.ceil(C / WORKGROUP_SIZE),
      1,
      1,
    ]);
  }
}
