// One training step's forward and backward pass of GPT-2 on a (B, T) batch, as in llm.c's gpt2_forward and
// gpt2_backward: every activation buffer is allocated once up front, so a step allocates nothing. The blocks
// run the inference forward's own blockForward (src/model/cpu/block.ts), with batched attention.

import {
  blockActivations,
  blockBackward,
  blockForward,
  blockGradients,
  type BlockActivations,
  type BlockGradients,
} from '../model/cpu/block';
import type { CpuKernels } from '../model/cpu/kernels';
import { encoderBackward, encoderForward } from '../model/cpu/ops/embedding';
import { crossEntropyBackward, logitsBackward } from '../model/cpu/ops/logits';
import { meanTargetBias } from '../model/target-bias';
import type { GPT2Weights } from '../model/weights';
import { flattenParams, type FlatParams } from './params';

/** Activations of one block that the backward pass reads: blockForward's, and the attention weights. */
interface LayerActivations extends BlockActivations {
  att: Float32Array; // (B, NH, T, T)
}

export class GPT2Training {
  readonly params: FlatParams;
  readonly B: number;
  readonly T: number;
  /** Added to every row of logits before the softmax (see vocab.ts), or null. */
  readonly logitBias: Float32Array | null;
  readonly inputs: Int32Array; // (B, T)
  readonly targets: Int32Array; // (B, T)
  readonly losses: Float32Array; // (B, T), per column: a shared column's target needs its bias added (meanTargetBias)
  private readonly encoded: Float32Array; // (B, T, C)
  private readonly layers: LayerActivations[];
  private readonly lnf: Float32Array; // (B, T, C)
  private readonly logits: Float32Array; // (B, T, V): logits, then probabilities, then their gradient
  private readonly dresiduals: Float32Array[]; // L+1 × (B, T, C): into block l, and after the last block
  private readonly dlnf: Float32Array; // (B, T, C)
  private readonly scratch: BlockGradients;
  private readonly datt: Float32Array; // (B, NH, T, T) gradient of the attention weights, then scores
  /** Whether the logits buffer holds a forward pass's probabilities (backward turns them into gradients).
   * A flag, not a NaN loss: a diverged run's forward gives a NaN loss, and that is not "no forward". */
  private hasForward = false;

  /** `kernels` run the products, attention and GELU (the caller chooses them); every buffer lives in their
   * memory. */
  constructor(
    weights: GPT2Weights,
    B: number,
    T: number,
    logitBias: Float32Array | null,
    readonly kernels: CpuKernels,
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
      ...blockActivations(N, C, f),
      att: f(B * NH * T * T),
    }));
    this.lnf = f(N * C);
    this.logits = f(N * config.vocabSize);
    this.dresiduals = Array.from({ length: config.nLayer + 1 }, () => f(N * C));
    this.dlnf = f(N * C);
    this.scratch = blockGradients(N, C, f);
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
      const attention = (atty: Float32Array, qkv: Float32Array) =>
        k.attentionForward(atty, a.att, qkv, B, T, C, config.nHead);
      blockForward(k, a, residual, w, attention, N, C, eps);
      residual = a.residual3;
    });
    k.layernormForward(this.lnf, residual, weights.lnFWeight, weights.lnFBias, N, C, eps);
    k.logitsForward(this.logits, this.lnf, weights.wte, N, C, config.vocabSize);
    const columnLoss = k.crossEntropyForward(
      this.losses,
      this.logits,
      this.targets,
      this.logitBias,
      N,
      config.vocabSize,
    );
    // The loss per token of the full vocabulary, not per column (a shared column's target is one of its tokens).
    this.hasForward = true;
    return columnLoss + meanTargetBias(this.targets, this.logitBias, N);
  }

  /** Backward pass of the last forward(): fills params.grads (overwriting them). */
  backward(): void {
    if (!this.hasForward) throw new Error('backward() needs a forward() first');
    const { weights, gradWeights, grads } = this.params;
    const { config } = weights;
    const { B, T } = this;
    const C = config.nEmbd;
    const N = B * T;
    const L = config.nLayer;
    const eps = config.layerNormEpsilon;
    const g = gradWeights;
    grads.fill(0);
    for (const d of this.dresiduals) d.fill(0);

    crossEntropyBackward(this.logits, this.targets, N, config.vocabSize);
    // The logits buffer holds their gradient now.
    logitsBackward(
      this.kernels,
      this.dlnf,
      g.wte,
      this.logits,
      this.lnf,
      weights.wte,
      N,
      C,
      config.vocabSize,
    );
    const lastResidual = L > 0 ? this.layers[L - 1].residual3 : this.encoded;
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
    this.hasForward = false; // the logits buffer now holds gradients
  }

  private blockBackward(l: number): void {
    const { weights, gradWeights } = this.params;
    const { config } = weights;
    const { B, T } = this;
    const C = config.nEmbd;
    const a = this.layers[l];
    const residualIn = l === 0 ? this.encoded : this.layers[l - 1].residual3;
    const attentionBackward = (dqkv: Float32Array, datty: Float32Array) =>
      this.kernels.attentionBackward(dqkv, this.datt, datty, a.qkv, a.att, B, T, C, config.nHead);
    blockBackward(
      this.kernels,
      this.dresiduals[l],
      gradWeights.layers[l],
      this.scratch,
      this.dresiduals[l + 1],
      a,
      residualIn,
      weights.layers[l],
      attentionBackward,
      B * T,
      C,
      config.layerNormEpsilon,
    );
  }

  /** Attention weights of block l, (B, NH, T, T), as of the last forward(). */
  attentionWeights(l: number): Float32Array {
    return this.layers[l].att;
  }
}
