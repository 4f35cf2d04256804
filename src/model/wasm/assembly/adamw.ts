// AdamW's update over a range of parameters, for training on the WebAssembly kernels. Every operation is the
// float64 one that the TypeScript reference (src/model/cpu/ops/adamw.ts) performs, in the same order
// (WebAssembly neither fuses nor reorders float operations), so the two give the same bits and the split over
// threads changes nothing.

/**
 * One AdamW step on elements [n0, n1): decoupled weight decay where mask ≠ 0, then the bias-corrected update.
 * `stepSize` is lr / (1 − β1^t) and `biasCorrection2Sqrt` is √(1 − β2^t), as the caller computes them.
 */
export function adamw_update(
  values: usize,
  grads: usize,
  m: usize,
  v: usize,
  mask: usize,
  beta1: f64,
  beta2: f64,
  stepSize: f64,
  decayFactor: f64,
  biasCorrection2Sqrt: f64,
  eps: f64,
  n0: i32,
  n1: i32,
): void {
  const keep1 = 1 - beta1;
  const keep2 = 1 - beta2;
  let n = n0;
  // Two elements at a time in float64 lanes: each lane does exactly the scalar loop's operations.
  const b1 = f64x2.splat(beta1);
  const b2 = f64x2.splat(beta2);
  const k1 = f64x2.splat(keep1);
  const k2 = f64x2.splat(keep2);
  const size = f64x2.splat(stepSize);
  const decay = f64x2.splat(decayFactor);
  const bc2 = f64x2.splat(biasCorrection2Sqrt);
  const epsilon = f64x2.splat(eps);
  const zero = f64x2.splat(0);
  for (; n + 2 <= n1; n += 2) {
    const at = (<usize>n) << 2;
    const g = f64x2.promote_low_f32x4(v128.load64_zero(grads + at));
    const x = f64x2.promote_low_f32x4(v128.load64_zero(values + at));
    const decayed = f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(f64x2.mul(x, decay)));
    const decays = f64x2.ne(f64x2.promote_low_f32x4(v128.load64_zero(mask + at)), zero);
    const kept = v128.bitselect(decayed, x, decays);
    const mi = f64x2.add(f64x2.mul(b1, f64x2.promote_low_f32x4(v128.load64_zero(m + at))), f64x2.mul(k1, g));
    const vi = f64x2.add(
      f64x2.mul(b2, f64x2.promote_low_f32x4(v128.load64_zero(v + at))),
      f64x2.mul(f64x2.mul(k2, g), g),
    );
    v128.store64_lane(m + at, f32x4.demote_f64x2_zero(mi), 0);
    v128.store64_lane(v + at, f32x4.demote_f64x2_zero(vi), 0);
    const update = f64x2.div(f64x2.mul(size, mi), f64x2.add(f64x2.div(f64x2.sqrt(vi), bc2), epsilon));
    v128.store64_lane(values + at, f32x4.demote_f64x2_zero(f64x2.sub(kept, update)), 0);
  }
  for (; n < n1; n++) {
    const at = (<usize>n) << 2;
    const g = <f64>load<f32>(grads + at);
    let x = load<f32>(values + at);
    if (load<f32>(mask + at) != 0) x = <f32>(<f64>x * decayFactor);
    const mi = beta1 * <f64>load<f32>(m + at) + keep1 * g;
    const vi = beta2 * <f64>load<f32>(v + at) + keep2 * g * g;
    store<f32>(m + at, <f32>mi);
    store<f32>(v + at, <f32>vi);
    store<f32>(values + at, <f32>(<f64>x - (stepSize * mi) / (Math.sqrt(vi) / biasCorrection2Sqrt + eps)));
  }
}
