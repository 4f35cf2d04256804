// One training step's forward and backward pass of GPT-2 on a (B, T) batch, as in llm.c's gpt2_forward and
// gpt2_backward: every activation buffer is allocated once up front, so a step allocates nothing.

import {
  crossEntropyBackward,
  encoderBackward,
  encoderForward,
  residualBackward,
} from '../model/cpu/backward';
import type { CpuKernels } from '../model/cpu/kernels';
import { residualForward } from '../model/cpu/ops';
import { createSyncKernels } from '../model/wasm/select';
import type { GPT2Weights } from '../model/weights';
import { flattenParams, type FlatParams } from './params';

/** Activations of one block that the backward pass reads. */
interface LayerActivations {
  ln1: Float32Array; // (B, T, C)
  qkv: Float32Array; // (B, T, 3C)
  att: Float32Array; // (B, NH, T, T)
  atty: Float32Array; // (B, T, C) attention context, heads merged
  attproj: Float32Array; // (B, T, C)
  residual2: Float32Array; // (B, T, C)
  ln2: Float32Array; // (B, T, C)
  fch: Float32Array; // (B, T, 4C)
  fchGelu: Float32Array; // (B, T, 4C)
  fcproj: Float32Array; // (B, T, C)
  residual3: Float32Array; // (B, T, C)
}

/** Gradient buffers of one block, shared by all blocks (each is cleared before use). */
interface LayerGradScratch {
  dln1: Float32Array; // (B, T, C)
  dqkv: Float32Array; // (B, T, 3C)
  datty: Float32Array; // (B, T, C)
  dattproj: Float32Array; // (B, T, C)
  dresidual2: Float32Array; // (B, T, C)
  dln2: Float32Array; // (B, T, C)
  dfch: Float32Array; // (B, T, 4C)
  dfchGelu: Float32Array; // (B, T, 4C)
  dfcproj: Float32Array; // (B, T, C)
}

export class GPT2Training {
  readonly params: FlatParams;
  readonly B: number;
  readonly T: number;
  /** Added to every row of logits before the softmax (see vocab.ts), or null. */
  readonly logitBias: Float32Array | null;
  readonly inputs: Int32Array; // (B, T)
  readonly targets: Int32Array; // (B, T)
  readonly losses: Float32Array; // (B, T)
  private readonly encoded: Float32Array; // (B, T, C)
  private readonly layers: LayerActivations[];
  private readonly lnf: Float32Array; // (B, T, C)
  private readonly logits: Float32Array; // (B, T, V): logits, then probabilities, then their gradient
  private readonly dresiduals: Float32Array[]; // L+1 × (B, T, C): into block l, and after the last block
  private readonly dlnf: Float32Array; // (B, T, C)
  private readonly scratch: LayerGradScratch;
  private readonly datt: Float32Array; // (B, NH, T, T) gradient of the attention weights, then scores
  private lastLoss = NaN;

  /**
   * `kernels` run the products, attention and GELU; every buffer lives in their memory. The default is
   * WebAssembly SIMD on this thread.
   */
  constructor(
    weights: GPT2Weights,
    B: number,
    T: number,
    logitBias: Float32Array | null = null,
    readonly kernels: CpuKernels = createSyncKernels(),
  ) {
    const { config } = weights;
    if (T > config.nPositions)
      throw new Error(`sequence length ${T} exceeds n_positions ${config.nPositions}`);
    this.params = flattenParams(weights, (n) => kernels.alloc(n));
    this.B = B;
    this.T = T;
    this.logitBias = logitBias;
    const C = config.nEmbd;
    const NH = config.nHead;
    const N = B * T;
    const f = (n: number) => kernels.alloc(n);
    this.inputs = new Int32Array(N);
    this.targets = new Int32Array(N);
    this.losses = f(N);
    this.encoded = f(N * C);
    this.layers = Array.from({ length: config.nLayer }, () => ({
      ln1: f(N * C),
      qkv: f(N * 3 * C),
      att: f(B * NH * T * T),
      atty: f(N * C),
      attproj: f(N * C),
      residual2: f(N * C),
      ln2: f(N * C),
      fch: f(N * 4 * C),
      fchGelu: f(N * 4 * C),
      fcproj: f(N * C),
      residual3: f(N * C),
    }));
    this.lnf = f(N * C);
    this.logits = f(N * config.vocabSize);
    this.dresiduals = Array.from({ length: config.nLayer + 1 }, () => f(N * C));
    this.dlnf = f(N * C);
    this.scratch = {
      dln1: f(N * C),
      dqkv: f(N * 3 * C),
      datty: f(N * C),
      dattproj: f(N * C),
      dresidual2: f(N * C),
      dln2: f(N * C),
      dfch: f(N * 4 * C),
      dfchGelu: f(N * 4 * C),
      dfcproj: f(N * C),
    };
    this.datt = f(B * NH * T * T);
  }

  get weights(): GPT2Weights {
    return this.params.weights;
  }

  /** Forward pass on this.inputs / this.targets; returns the mean cross-entropy. */
  forward(): number {
    const { weights } = this.params;
    const { config } = weights;
    const { B, T } = this;
    const C = config.nEmbd;
    const N = B * T;
    const eps = config.layerNormEpsilon;
    const k = this.kernels;
    encoderForward(this.encoded, this.inputs, weights.wte, weights.wpe, B, T, C);
    let residual = this.encoded;
    weights.layers.forEach((w, l) => {
      const a = this.layers[l];
      k.layernormForward(a.ln1, residual, w.ln1Weight, w.ln1Bias, N, C, eps);
      k.matmulForward(a.qkv, a.ln1, w.qkvWeight, w.qkvBias, N, C, 3 * C);
      k.attentionForward(a.atty, a.att, a.qkv, B, T, C, config.nHead);
      k.matmulForward(a.attproj, a.atty, w.attnProjWeight, w.attnProjBias, N, C, C);
      residualForward(a.residual2, residual, a.attproj, N * C);
      k.layernormForward(a.ln2, a.residual2, w.ln2Weight, w.ln2Bias, N, C, eps);
      k.matmulForward(a.fch, a.ln2, w.fcWeight, w.fcBias, N, C, 4 * C);
      k.geluForward(a.fchGelu, a.fch, N * 4 * C);
      k.matmulForward(a.fcproj, a.fchGelu, w.fcProjWeight, w.fcProjBias, N, 4 * C, C);
      residualForward(a.residual3, a.residual2, a.fcproj, N * C);
      residual = a.residual3;
    });
    k.layernormForward(this.lnf, residual, weights.lnFWeight, weights.lnFBias, N, C, eps);
    k.logitsForward(this.logits, this.lnf, weights.wte, N, C, config.vocabSize);
    this.lastLoss = k.crossEntropyForward(
      this.losses,
      this.logits,
      this.targets,
      this.logitBias,
      N,
      config.vocabSize,
    );
    return this.lastLoss;
  }

  /** Backward pass of the last forward(): fills params.grads (overwriting them). */
  backward(): void {
    if (Number.isNaN(this.lastLoss)) throw new Error('backward() needs a forward() first');
    const { weights, gradWeights, grads } = this.params;
    const { config } = weights;
    const { B, T } = this;
    const C = config.nEmbd;
    const N = B * T;
    const L = config.nLayer;
    const eps = config.layerNormEpsilon;
    grads.fill(0);
    for (const d of this.dresiduals) d.fill(0);

    crossEntropyBackward(this.logits, this.targets, N, config.vocabSize);
    this.logitsBackward();
    const lastResidual = L > 0 ? this.layers[L - 1].residual3 : this.encoded;
    const g = gradWeights;
    this.kernels.layernormBackward(
      this.dresiduals[L],
      g.lnFWeight,
      g.lnFBias,
      this.dlnf,
      lastResidual,
      weights.lnFWeight,
      N,
      C,
      eps,
    );
    for (let l = L - 1; l >= 0; l--) this.blockBackward(l);
    encoderBackward(g.wte, g.wpe, this.dresiduals[0], this.inputs, B, T, C);
    this.lastLoss = NaN; // the logits buffer now holds gradients
  }

  /**
   * Backward of the tied output head, logits (N,V) = lnf (N,C) · wteᵀ: dlnf = dlogits · wte, a product with
   * wte (V,C) as its weight, and dwte += dlogitsᵀ · lnf.
   */
  private logitsBackward(): void {
    const { weights, gradWeights } = this.params;
    const V = weights.config.vocabSize;
    const C = weights.config.nEmbd;
    const N = this.B * this.T;
    this.kernels.matmulForward(this.dlnf, this.logits, weights.wte, null, N, V, C);
    this.kernels.matmulBackwardWeight(gradWeights.wte, this.logits, this.lnf, N, V, C);
  }

  private blockBackward(l: number): void {
    const { weights, gradWeights } = this.params;
    const { config } = weights;
    const { B, T } = this;
    const C = config.nEmbd;
    const N = B * T;
    const eps = config.layerNormEpsilon;
    const w = weights.layers[l];
    const g = gradWeights.layers[l];
    const a = this.layers[l];
    const s = this.scratch;
    for (const buffer of Object.values(s)) buffer.fill(0);
    const residualIn = l === 0 ? this.encoded : this.layers[l - 1].residual3;
    const dresidualIn = this.dresiduals[l];
    const dresidualOut = this.dresiduals[l + 1];

    const k = this.kernels;
    const matmulBackward = (
      dinp: Float32Array,
      dweight: Float32Array,
      dbias: Float32Array,
      dout: Float32Array,
      inp: Float32Array,
      weight: Float32Array,
      C_: number,
      OC: number,
    ) => {
      k.matmulBackwardInput(dinp, dout, weight, N, C_, OC);
      k.matmulBackwardWeight(dweight, inp, dout, N, C_, OC);
      k.biasBackward(dbias, dout, N, OC);
    };
    residualBackward(s.dresidual2, s.dfcproj, dresidualOut, N * C);
    matmulBackward(s.dfchGelu, g.fcProjWeight, g.fcProjBias, s.dfcproj, a.fchGelu, w.fcProjWeight, 4 * C, C);
    k.geluBackward(s.dfch, a.fch, s.dfchGelu, N * 4 * C);
    matmulBackward(s.dln2, g.fcWeight, g.fcBias, s.dfch, a.ln2, w.fcWeight, C, 4 * C);
    k.layernormBackward(s.dresidual2, g.ln2Weight, g.ln2Bias, s.dln2, a.residual2, w.ln2Weight, N, C, eps);
    residualBackward(dresidualIn, s.dattproj, s.dresidual2, N * C);
    matmulBackward(s.datty, g.attnProjWeight, g.attnProjBias, s.dattproj, a.atty, w.attnProjWeight, C, C);
    k.attentionBackward(s.dqkv, this.datt, s.datty, a.qkv, a.att, B, T, C, config.nHead);
    matmulBackward(s.dln1, g.qkvWeight, g.qkvBias, s.dqkv, a.ln1, w.qkvWeight, C, 3 * C);
    k.layernormBackward(dresidualIn, g.ln1Weight, g.ln1Bias, s.dln1, residualIn, w.ln1Weight, N, C, eps);
  }

  /** Attention weights of block l, (B, NH, T, T), as of the last forward(). */
  attentionWeights(l: number): Float32Array {
    return this.layers[l].att;
  }
}
