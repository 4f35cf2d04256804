// AssemblyScript: softmax cross-entropy over the vocabulary, the training step's widest row-wise work (N rows
// of V logits; in TypeScript its two Math.exp per logit cost as much as the logits product itself).

import { exp4 } from './activations';

/** Logits summed 4 lanes at a time into a float32 block of this many, then the blocks into a float64 total. */
const BLOCK = 256;

/**
 * Rows [r0, r1) of `logits` (N × V), in place: adds `bias` (V floats, or 0 for none), then becomes the
 * softmax probabilities; `losses[n]` = −log p(targets[n]). The row maximum is subtracted first; the sum of
 * exponentials is kept in float64 across blocks so that a 50257-wide row loses no more than a short one.
 */
export function cross_entropy_forward(
  losses: usize,
  logits: usize,
  targets: usize,
  bias: usize,
  V: i32,
  r0: i32,
  r1: i32,
): void {
  const V4 = V & ~3;
  for (let r = r0; r < r1; r++) {
    const row = logits + ((<usize>r * <usize>V) << 2);
    if (bias != 0) {
      for (let j = 0; j < V4; j += 4) {
        const q = (<usize>j) << 2;
        v128.store(row + q, f32x4.add(v128.load(row + q), v128.load(bias + q)));
      }
      for (let j = V4; j < V; j++) {
        const q = (<usize>j) << 2;
        store<f32>(row + q, load<f32>(row + q) + load<f32>(bias + q));
      }
    }
    let lanes = f32x4.splat(-Infinity);
    for (let j = 0; j < V4; j += 4) lanes = f32x4.pmax(lanes, v128.load(row + ((<usize>j) << 2)));
    let max = f32x4.extract_lane(lanes, 0);
    if (f32x4.extract_lane(lanes, 1) > max) max = f32x4.extract_lane(lanes, 1);
    if (f32x4.extract_lane(lanes, 2) > max) max = f32x4.extract_lane(lanes, 2);
    if (f32x4.extract_lane(lanes, 3) > max) max = f32x4.extract_lane(lanes, 3);
    for (let j = V4; j < V; j++) {
      const v = load<f32>(row + ((<usize>j) << 2));
      if (v > max) max = v;
    }
    const target = load<i32>(targets + ((<usize>r) << 2));
    const targetLogit = load<f32>(row + ((<usize>target) << 2));

    const vmax = f32x4.splat(max);
    let total: f64 = 0;
    for (let start = 0; start < V4; start += BLOCK) {
      const end = min(start + BLOCK, V4);
      let vsum = f32x4.splat(0);
      for (let j = start; j < end; j += 4) {
        const q = row + ((<usize>j) << 2);
        const e = exp4(f32x4.sub(v128.load(q), vmax));
        v128.store(q, e);
        vsum = f32x4.add(vsum, e);
      }
      total +=
        <f64>(f32x4.extract_lane(vsum, 0) + f32x4.extract_lane(vsum, 1)) +
        <f64>(f32x4.extract_lane(vsum, 2) + f32x4.extract_lane(vsum, 3));
    }
    for (let j = V4; j < V; j++) {
      const q = row + ((<usize>j) << 2);
      const e = f32x4.extract_lane(exp4(f32x4.splat(load<f32>(q) - max)), 0);
      store<f32>(q, e);
      total += <f64>e;
    }
    store<f32>(losses + ((<usize>r) << 2), <f32>(Math.log(total) - (<f64>targetLogit - <f64>max)));
    const inv = f32x4.splat(<f32>(1 / total));
    for (let j = 0; j < V4; j += 4) {
      const q = row + ((<usize>j) << 2);
      v128.store(q, f32x4.mul(v128.load(q), inv));
    }
    for (let j = V4; j < V; j++) {
      const q = row + ((<usize>j) << 2);
      store<f32>(q, load<f32>(q) * f32x4.extract_lane(inv, 0));
    }
  }
}
