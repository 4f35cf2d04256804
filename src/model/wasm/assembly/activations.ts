// AssemblyScript: the element-wise and row-wise kernels of the CPU engine, 4 lanes at a time: exp and tanh as
// f32x4 polynomials (about 2 ulp), the causal softmax, GELU and their backward passes. Memory-bound except
// for the exp polynomial; they matter because training calls them on every activation.

const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.1219444e-4;

/** 1.5·2²³: adding it rounds a float to an integer, which then sits in the low mantissa bits. */
const ROUNDER: f32 = 12582912;

/**
 * e^x on four lanes (Cephes' expf: x = n·ln2 + r, a degree-5 polynomial for e^r, then 2^n in the exponent).
 * pmin/pmax (one instruction each; NaN passes through) clamp, and n is rounded with the 1.5·2²³ trick, because
 * V8 turns f32x4.min/max and the float→int conversion into long instruction sequences.
 */
export function exp4(x0: v128): v128 {
  const x = f32x4.pmin(f32x4.pmax(x0, f32x4.splat(-87.3)), f32x4.splat(88.3));
  const rounded = f32x4.add(f32x4.mul(x, f32x4.splat(LOG2E)), f32x4.splat(ROUNDER));
  const n = f32x4.sub(rounded, f32x4.splat(ROUNDER));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(1.98756915e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  const r2 = f32x4.mul(r, r);
  p = f32x4.add(f32x4.add(f32x4.mul(p, r2), r), f32x4.splat(1));
  const exponent = i32x4.sub(rounded, i32x4.splat(reinterpret<i32>(ROUNDER) - 127)); // n + 127
  const scale = i32x4.shl(exponent, 23);
  return f32x4.mul(p, scale);
}

/** tanh on four lanes: 1 − 2/(e^{2u} + 1), which saturates cleanly at ±1 for large |u|. */
function tanh4(u: v128): v128 {
  const e = exp4(f32x4.add(u, u));
  return f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(e, f32x4.splat(1))));
}

/**
 * Causal softmax in place, after scaling by `alpha` (> 0): rows [r0, r1) of (T × T) matrices stored one after
 * another, row r being row r mod T of its matrix; it keeps its columns ≤ r mod T and the rest become 0. The row
 * maximum is subtracted first, so large scores cannot overflow.
 */
export function softmax_causal(p: usize, T: i32, alpha: f32, r0: i32, r1: i32): void {
  for (let r = r0; r < r1; r++) {
    const i = r % T;
    const row = p + ((<usize>r * <usize>T) << 2);
    const visible = i + 1;
    const V4 = visible & ~3;
    // The maximum of the raw row (alpha > 0 keeps the order, so max(alpha·x) = alpha·max(x)), 4 lanes at a time.
    let lanes = f32x4.splat(-Infinity);
    for (let j = 0; j < V4; j += 4) lanes = f32x4.pmax(lanes, v128.load(row + ((<usize>j) << 2)));
    let raw = f32x4.extract_lane(lanes, 0);
    if (f32x4.extract_lane(lanes, 1) > raw) raw = f32x4.extract_lane(lanes, 1);
    if (f32x4.extract_lane(lanes, 2) > raw) raw = f32x4.extract_lane(lanes, 2);
    if (f32x4.extract_lane(lanes, 3) > raw) raw = f32x4.extract_lane(lanes, 3);
    for (let j = V4; j < visible; j++) {
      const v = load<f32>(row + ((<usize>j) << 2));
      if (v > raw) raw = v;
    }
    const max = raw * alpha;
    const vmax = f32x4.splat(max);
    const valpha = f32x4.splat(alpha);
    let vsum = f32x4.splat(0);
    for (let j = 0; j < V4; j += 4) {
      const q = row + ((<usize>j) << 2);
      const e = exp4(f32x4.sub(f32x4.mul(v128.load(q), valpha), vmax));
      v128.store(q, e);
      vsum = f32x4.add(vsum, e);
    }
    let sum: f32 =
      f32x4.extract_lane(vsum, 0) +
      f32x4.extract_lane(vsum, 1) +
      (f32x4.extract_lane(vsum, 2) + f32x4.extract_lane(vsum, 3));
    for (let j = V4; j < visible; j++) {
      const q = row + ((<usize>j) << 2);
      const e = f32x4.extract_lane(exp4(f32x4.splat(load<f32>(q) * alpha - max)), 0);
      store<f32>(q, e);
      sum += e;
    }
    const inv = f32x4.splat(<f32>1 / sum);
    for (let j = 0; j < V4; j += 4) {
      const q = row + ((<usize>j) << 2);
      v128.store(q, f32x4.mul(v128.load(q), inv));
    }
    for (let j = V4; j < visible; j++) {
      const q = row + ((<usize>j) << 2);
      store<f32>(q, load<f32>(q) * f32x4.extract_lane(inv, 0));
    }
    for (let j = visible; j < T; j++) store<f32>(row + ((<usize>j) << 2), 0);
  }
}

/**
 * Softmax backward for rows [r0, r1) of (T × T) matrices, in place on `dw` (the gradient of the weights `w`):
 * ds = w ⊙ (dw − Σ w·dw) · alpha, over the visible columns ≤ i; the masked columns are set to 0.
 */
export function softmax_causal_backward(dw: usize, w: usize, T: i32, alpha: f32, r0: i32, r1: i32): void {
  for (let r = r0; r < r1; r++) {
    const i = r % T;
    const pd = dw + ((<usize>r * <usize>T) << 2);
    const pw = w + ((<usize>r * <usize>T) << 2);
    let dot: f32 = 0;
    for (let j = 0; j <= i; j++) dot += load<f32>(pw + ((<usize>j) << 2)) * load<f32>(pd + ((<usize>j) << 2));
    for (let j = 0; j <= i; j++) {
      const q = (<usize>j) << 2;
      store<f32>(pd + q, load<f32>(pw + q) * (load<f32>(pd + q) - dot) * alpha);
    }
    for (let j = i + 1; j < T; j++) store<f32>(pd + ((<usize>j) << 2), 0);
  }
}

const GELU_SCALE: f32 = 0.7978845608028654; // √(2/π)
const GELU_CUBIC: f32 = 0.044715;

/** GELU (tanh form) on elements [n0, n1); n0 and n1 are multiples of 4 except at the very end. */
export function gelu_forward(out: usize, inp: usize, n0: i32, n1: i32): void {
  let n = n0;
  const half = f32x4.splat(0.5);
  for (; n + 4 <= n1; n += 4) {
    const x = v128.load(inp + ((<usize>n) << 2));
    v128.store(out + ((<usize>n) << 2), geluLanes(x, half));
  }
  for (; n < n1; n++) {
    const x = f32x4.splat(load<f32>(inp + ((<usize>n) << 2)));
    store<f32>(out + ((<usize>n) << 2), f32x4.extract_lane(geluLanes(x, half), 0));
  }
}

function geluLanes(x: v128, half: v128): v128 {
  const x3 = f32x4.mul(f32x4.mul(x, x), x);
  const u = f32x4.mul(f32x4.splat(GELU_SCALE), f32x4.add(x, f32x4.mul(f32x4.splat(GELU_CUBIC), x3)));
  return f32x4.mul(f32x4.mul(half, x), f32x4.add(f32x4.splat(1), tanh4(u)));
}

/** GELU backward on elements [n0, n1): dinp += gelu'(inp) · dout. */
export function gelu_backward(dinp: usize, inp: usize, dout: usize, n0: i32, n1: i32): void {
  let n = n0;
  for (; n + 4 <= n1; n += 4) {
    const o = (<usize>n) << 2;
    const r = geluGradLanes(v128.load(inp + o), v128.load(dout + o));
    v128.store(dinp + o, f32x4.add(v128.load(dinp + o), r));
  }
  for (; n < n1; n++) {
    const o = (<usize>n) << 2;
    const r = geluGradLanes(f32x4.splat(load<f32>(inp + o)), f32x4.splat(load<f32>(dout + o)));
    store<f32>(dinp + o, load<f32>(dinp + o) + f32x4.extract_lane(r, 0));
  }
}

function geluGradLanes(x: v128, dout: v128): v128 {
  const one = f32x4.splat(1);
  const half = f32x4.splat(0.5);
  const x2 = f32x4.mul(x, x);
  const u = f32x4.mul(
    f32x4.splat(GELU_SCALE),
    f32x4.add(x, f32x4.mul(f32x4.splat(GELU_CUBIC), f32x4.mul(x2, x))),
  );
  const t = tanh4(u);
  const sech2 = f32x4.sub(one, f32x4.mul(t, t));
  const du = f32x4.mul(f32x4.splat(GELU_SCALE), f32x4.add(one, f32x4.mul(f32x4.splat(3 * GELU_CUBIC), x2)));
  const local = f32x4.add(
    f32x4.mul(half, f32x4.add(one, t)),
    f32x4.mul(f32x4.mul(f32x4.mul(half, x), sech2), du),
  );
  return f32x4.mul(local, dout);
}

/**
 * Layer norm of rows [r0, r1) of (N, C): (x − mean) / √(var + eps) · weight + bias, with a two-pass variance.
 * Everything runs in float64, in the TypeScript reference's order (it is bit for bit ops/layernorm.ts layernormForward):
 * activations with a large mean lose too much in float32, and a row costs only O(C).
 */
export function layernorm_forward(
  out: usize,
  inp: usize,
  weight: usize,
  bias: usize,
  C: i32,
  eps: f64,
  r0: i32,
  r1: i32,
): void {
  for (let r = r0; r < r1; r++) {
    const x = inp + ((<usize>r * <usize>C) << 2);
    const o = out + ((<usize>r * <usize>C) << 2);
    const mean = rowMean(x, C);
    const rstd = rowRstd(x, C, mean, eps);
    for (let c = 0; c < C; c++) {
      const q = (<usize>c) << 2;
      const norm = (<f64>load<f32>(x + q) - mean) * rstd;
      store<f32>(o + q, <f32>(norm * <f64>load<f32>(weight + q) + <f64>load<f32>(bias + q)));
    }
  }
}

function rowMean(x: usize, C: i32): f64 {
  let sum: f64 = 0;
  for (let c = 0; c < C; c++) sum += <f64>load<f32>(x + ((<usize>c) << 2));
  return sum / <f64>C;
}

function rowRstd(x: usize, C: i32, mean: f64, eps: f64): f64 {
  let sum: f64 = 0;
  for (let c = 0; c < C; c++) {
    const d = <f64>load<f32>(x + ((<usize>c) << 2)) - mean;
    sum += d * d;
  }
  return 1 / Math.sqrt(sum / <f64>C + eps);
}

/**
 * Layer norm backward over rows [r0, r1), in float64 like the forward: dinp += the gradient through the
 * normalisation; dweight and dbias gather every row's share in row order, so this runs on one thread.
 */
export function layernorm_backward(
  dinp: usize,
  dweight: usize,
  dbias: usize,
  dout: usize,
  inp: usize,
  weight: usize,
  C: i32,
  eps: f64,
  r0: i32,
  r1: i32,
): void {
  for (let r = r0; r < r1; r++) {
    const row = (<usize>r * <usize>C) << 2;
    const x = inp + row;
    const d = dout + row;
    const di = dinp + row;
    const mean = rowMean(x, C);
    const rstd = rowRstd(x, C, mean, eps);
    // The mean of dnorm and of dnorm·norm: the gradient through the mean and the variance.
    let dnormMean: f64 = 0;
    let dnormNormMean: f64 = 0;
    for (let c = 0; c < C; c++) {
      const q = (<usize>c) << 2;
      const norm = (<f64>load<f32>(x + q) - mean) * rstd;
      const dnorm = <f64>load<f32>(weight + q) * <f64>load<f32>(d + q);
      dnormMean += dnorm;
      dnormNormMean += dnorm * norm;
    }
    dnormMean /= <f64>C;
    dnormNormMean /= <f64>C;
    for (let c = 0; c < C; c++) {
      const q = (<usize>c) << 2;
      const norm = (<f64>load<f32>(x + q) - mean) * rstd;
      const g = <f64>load<f32>(d + q);
      const dnorm = <f64>load<f32>(weight + q) * g;
      store<f32>(dbias + q, <f32>(<f64>load<f32>(dbias + q) + g));
      store<f32>(dweight + q, <f32>(<f64>load<f32>(dweight + q) + norm * g));
      store<f32>(di + q, <f32>(<f64>load<f32>(di + q) + (dnorm - dnormMean - norm * dnormNormMean) * rstd));
    }
  }
}

/** dbias (OC) += the column sums of dout rows [r0, r1), in row order (one thread: rows are not split). */
export function bias_backward(dbias: usize, dout: usize, OC: i32, r0: i32, r1: i32): void {
  const OC4 = OC & ~3;
  for (let r = r0; r < r1; r++) {
    const row = dout + ((<usize>r * <usize>OC) << 2);
    for (let j = 0; j < OC4; j += 4) {
      const q = (<usize>j) << 2;
      v128.store(dbias + q, f32x4.add(v128.load(dbias + q), v128.load(row + q)));
    }
    for (let j = OC4; j < OC; j++) {
      const q = (<usize>j) << 2;
      store<f32>(dbias + q, load<f32>(dbias + q) + load<f32>(row + q));
    }
  }
}
