// AdamW's update as torch.optim.AdamW computes it (decoupled weight decay, bias-corrected moments, eps added
// after the square root), over flat arrays: the reference that src/model/wasm/assembly/adamw.ts repeats
// operation for operation in float64, so that both give the same bits. src/train/adamw.ts holds the optimizer's
// state and computes the per-step scalars.

/** AdamW's arrays, all of one length: the parameters and their gradient, the two moments, and a mask that is
 * 1 where weight decay applies and 0 elsewhere. */
export interface AdamWArrays {
  values: Float32Array;
  grads: Float32Array;
  m: Float32Array;
  v: Float32Array;
  decayMask: Float32Array;
}

/** The scalars of one AdamW step, as src/train/adamw.ts computes them. */
export interface AdamWStep {
  beta1: number;
  beta2: number;
  eps: number;
  /** lr / (1 − β1^t) */
  stepSize: number;
  /** 1 − lr · weight_decay */
  decayFactor: number;
  /** √(1 − β2^t) */
  biasCorrection2Sqrt: number;
}

/** One AdamW step on elements [n0, n1) (all of them by default). */
export function adamwUpdate(arrays: AdamWArrays, step: AdamWStep, n0 = 0, n1 = arrays.values.length): void {
  const { values, grads, m, v, decayMask } = arrays;
  const { beta1, beta2, eps, stepSize, decayFactor, biasCorrection2Sqrt } = step;
  for (let i = n0; i < n1; i++) {
    const g = grads[i];
    if (decayMask[i] !== 0) values[i] *= decayFactor;
    const mi = beta1 * m[i] + (1 - beta1) * g;
    const vi = beta2 * v[i] + (1 - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    values[i] -= (stepSize * mi) / (Math.sqrt(vi) / biasCorrection2Sqrt + eps);
  }
}
