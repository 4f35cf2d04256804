// AssemblyScript (compiled to WebAssembly with 128-bit SIMD by scripts/build-wasm.mjs): the matrix products of
// the CPU engine. Memory-bound only at 1-row products (logits of one position); otherwise compute-bound.
//
// Every output element is computed the same way on every path (tile, row, scalar tail): acc = 0, then
// acc += a·b for k = 0, 1, … in float32 (a multiply and an add, no fused multiply-add), then the bias and the
// accumulation into out. The SIMD lanes do exactly what the scalar tail does, so a result does not depend on
// which path or which thread computed it. Rows are handed out in blocks of 4, so tiles never change either.

/**
 * out (M,N) [+]= A (M,K) · B (K,N) [+ bias], over rows [s0, s1) of out, or over columns [s0, s1) (multiples of
 * 8 but at the end) with `splitColumns`: a few rows (one keystroke's tokens) split by columns, so each thread
 * reads only its part of B instead of all of it. A's element (i,k) sits at
 * a + 4·(i·sai + k·sak), so A can be read transposed (sai = 1, sak = rows); B's row k starts at b + 4·k·ldb and
 * out's row i at out + 4·i·ldo. `kCausal` ≥ 0 limits row i to k ≤ i + kCausal (A is zero beyond: attention
 * weights). Register tile: 4 rows × 8 columns (8 f32x4 accumulators), A broadcast, B read as vectors.
 */
export function gemm_nn(
  out: usize,
  ldo: i32,
  a: usize,
  sai: i32,
  sak: i32,
  b: usize,
  ldb: i32,
  bias: usize,
  M: i32,
  K: i32,
  N: i32,
  accumulate: i32,
  kCausal: i32,
  splitColumns: i32,
  s0: i32,
  s1: i32,
): void {
  if (splitColumns)
    gemmNN(out, ldo, a, sai, sak, b, ldb, bias, M, K, N, accumulate, kCausal, -1, 0, M, s0, s1);
  else gemmNN(out, ldo, a, sai, sak, b, ldb, bias, M, K, N, accumulate, kCausal, -1, s0, s1, 0, N);
}

/**
 * gemm_nn over rows [m0, m1) and columns [n0, n1) (n0 a multiple of 8), with `jCausal` ≥ 0: row i needs only
 * columns j ≤ i + jCausal (the rest is left as it was).
 */
export function gemmNN(
  out: usize,
  ldo: i32,
  a: usize,
  sai: i32,
  sak: i32,
  b: usize,
  ldb: i32,
  bias: usize,
  M: i32,
  K: i32,
  N: i32,
  accumulate: i32,
  kCausal: i32,
  jCausal: i32,
  m0: i32,
  m1: i32,
  n0: i32,
  n1: i32,
): void {
  const N8 = N & ~7;
  const panelsEnd = min(N8, n1);
  const mTiles = m0 + ((m1 - m0) & ~3);
  // Column panels outside, rows inside: one 8-column panel of B stays in cache while every row tile of this
  // thread's rows passes over it. The panel is first copied to this instance's pack buffer (K × 32 contiguous
  // bytes), so the tiles read it sequentially instead of one 32-byte piece per B row (a TLB miss each).
  const pack = mTiles - m0 >= 8 && <usize>K * 32 <= packBytes;
  for (let j = n0; j < panelsEnd; j += 8) {
    let panel = b + ((<usize>j) << 2);
    let panelStride = ldb;
    if (pack) {
      for (let k = 0; k < K; k++) {
        const src = panel + ((<usize>k * <usize>ldb) << 2);
        v128.store(packBuffer + ((<usize>k) << 5), v128.load(src));
        v128.store(packBuffer + ((<usize>k) << 5), v128.load(src, 16), 16);
      }
      panel = packBuffer;
      panelStride = 8;
    }
    for (let i = m0; i < mTiles; i += 4) {
      if (jCausal >= 0 && j > i + 3 + jCausal) continue;
      const kEnd = kCausal >= 0 ? min(K, i + 4 + kCausal) : K;
      nnTile4x8(out, ldo, a, sai, sak, panel, panelStride, bias, i, j, kEnd, accumulate);
    }
    for (let i = mTiles; i < m1; i++) {
      if (jCausal >= 0 && j > i + jCausal) continue;
      const kEnd = kCausal >= 0 ? min(K, i + 1 + kCausal) : K;
      nnTile1x8(out, ldo, a, sai, sak, panel, panelStride, bias, i, j, kEnd, accumulate);
    }
  }
  for (let i = m0; i < m1; i++) {
    const kEnd =
      kCausal < 0 ? K : i < mTiles ? min(K, i - ((i - m0) & 3) + 4 + kCausal) : min(K, i + 1 + kCausal);
    const jEnd = jCausal >= 0 ? min(n1, i + 1 + jCausal) : n1;
    for (let j = max(N8, n0); j < jEnd; j++)
      nnScalar(out, ldo, a, sai, sak, b, ldb, bias, i, j, kEnd, accumulate);
  }
}

/**
 * This instance's scratch (each thread's instance has its own), set by set_pack_buffer: the first half packs
 * B panels here, the second half is for callers (attention's transposed keys and values).
 */
let packBuffer: usize = 0;
let packBytes: usize = 0;
export let auxBuffer: usize = 0;
export let auxBytes: usize = 0;

/** Gives this instance its scratch (16-byte aligned, split in two halves); 0 bytes turns packing off. */
export function set_pack_buffer(ptr: usize, bytes: usize): void {
  packBytes = (bytes >> 1) & ~15;
  packBuffer = ptr;
  auxBuffer = ptr + packBytes;
  auxBytes = packBytes;
}

/** dst (cols × rows, contiguous) = the transpose of src (rows × cols, row stride `ld` floats). */
export function transposeInto(dst: usize, src: usize, rows: i32, cols: i32, ld: i32): void {
  for (let r = 0; r < rows; r++) {
    const row = src + ((<usize>r * <usize>ld) << 2);
    for (let c = 0; c < cols; c++) {
      store<f32>(dst + ((<usize>c * <usize>rows + <usize>r) << 2), load<f32>(row + ((<usize>c) << 2)));
    }
  }
}

function aAt(a: usize, sai: i32, sak: i32, i: i32, k: i32): usize {
  return a + ((<usize>i * <usize>sai + <usize>k * <usize>sak) << 2);
}

function finish(p: usize, acc: v128, bias: usize, j: i32, accumulate: i32): void {
  let r = acc;
  if (bias) r = f32x4.add(r, v128.load(bias + ((<usize>j) << 2)));
  if (accumulate) r = f32x4.add(v128.load(p), r);
  v128.store(p, r);
}

function nnTile4x8(
  out: usize,
  ldo: i32,
  a: usize,
  sai: i32,
  sak: i32,
  b: usize,
  ldb: i32,
  bias: usize,
  i: i32,
  j: i32,
  kEnd: i32,
  accumulate: i32,
): void {
  let c00 = f32x4.splat(0),
    c01 = f32x4.splat(0),
    c10 = f32x4.splat(0),
    c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0),
    c21 = f32x4.splat(0),
    c30 = f32x4.splat(0),
    c31 = f32x4.splat(0);
  const rowStep = (<usize>sai) << 2;
  const kStep = (<usize>sak) << 2;
  let pa = aAt(a, sai, sak, i, 0);
  let pb = b; // the panel's first column
  const bStep = (<usize>ldb) << 2;
  for (let k = 0; k < kEnd; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    const x0 = v128.load32_splat(pa);
    const x1 = v128.load32_splat(pa + rowStep);
    const x2 = v128.load32_splat(pa + 2 * rowStep);
    const x3 = v128.load32_splat(pa + 3 * rowStep);
    c00 = f32x4.add(c00, f32x4.mul(x0, b0));
    c01 = f32x4.add(c01, f32x4.mul(x0, b1));
    c10 = f32x4.add(c10, f32x4.mul(x1, b0));
    c11 = f32x4.add(c11, f32x4.mul(x1, b1));
    c20 = f32x4.add(c20, f32x4.mul(x2, b0));
    c21 = f32x4.add(c21, f32x4.mul(x2, b1));
    c30 = f32x4.add(c30, f32x4.mul(x3, b0));
    c31 = f32x4.add(c31, f32x4.mul(x3, b1));
    pa += kStep;
    pb += bStep;
  }
  const o = out + ((<usize>i * <usize>ldo + <usize>j) << 2);
  const os = (<usize>ldo) << 2;
  finish(o, c00, bias, j, accumulate);
  finish(o + 16, c01, bias, j + 4, accumulate);
  finish(o + os, c10, bias, j, accumulate);
  finish(o + os + 16, c11, bias, j + 4, accumulate);
  finish(o + 2 * os, c20, bias, j, accumulate);
  finish(o + 2 * os + 16, c21, bias, j + 4, accumulate);
  finish(o + 3 * os, c30, bias, j, accumulate);
  finish(o + 3 * os + 16, c31, bias, j + 4, accumulate);
}

function nnTile1x8(
  out: usize,
  ldo: i32,
  a: usize,
  sai: i32,
  sak: i32,
  b: usize,
  ldb: i32,
  bias: usize,
  i: i32,
  j: i32,
  kEnd: i32,
  accumulate: i32,
): void {
  let c0 = f32x4.splat(0),
    c1 = f32x4.splat(0);
  const kStep = (<usize>sak) << 2;
  let pa = aAt(a, sai, sak, i, 0);
  let pb = b; // the panel's first column
  const bStep = (<usize>ldb) << 2;
  for (let k = 0; k < kEnd; k++) {
    const x = v128.load32_splat(pa);
    c0 = f32x4.add(c0, f32x4.mul(x, v128.load(pb)));
    c1 = f32x4.add(c1, f32x4.mul(x, v128.load(pb, 16)));
    pa += kStep;
    pb += bStep;
  }
  const o = out + ((<usize>i * <usize>ldo + <usize>j) << 2);
  finish(o, c0, bias, j, accumulate);
  finish(o + 16, c1, bias, j + 4, accumulate);
}

function nnScalar(
  out: usize,
  ldo: i32,
  a: usize,
  sai: i32,
  sak: i32,
  b: usize,
  ldb: i32,
  bias: usize,
  i: i32,
  j: i32,
  kEnd: i32,
  accumulate: i32,
): void {
  let acc: f32 = 0;
  for (let k = 0; k < kEnd; k++) {
    acc += load<f32>(aAt(a, sai, sak, i, k)) * load<f32>(b + ((<usize>k * <usize>ldb + <usize>j) << 2));
  }
  if (bias) acc += load<f32>(bias + ((<usize>j) << 2));
  const p = out + ((<usize>i * <usize>ldo + <usize>j) << 2);
  store<f32>(p, accumulate ? load<f32>(p) + acc : acc);
}

/**
 * out (M,N) [+]= alpha · A (M,K) · B (N,K)ᵀ: each entry a dot product of two contiguous rows (logits against
 * wte, one head's q·kᵀ, dout·Wᵀ for a row or two). SIMD runs along k in four lanes, summed as
 * (l0 + l1) + (l2 + l3), then the k tail. Tile: 1 row of A × 4 rows of B. With `causal`, row i stops at column i
 * (the rest is left). The work splits over rows [s0, s1), or over columns [s0, s1) with `splitColumns` (one row
 * of logits against the whole vocabulary).
 */
export function gemm_nt(
  out: usize,
  ldo: i32,
  a: usize,
  lda: i32,
  b: usize,
  ldb: i32,
  M: i32,
  K: i32,
  N: i32,
  alpha: f32,
  accumulate: i32,
  causal: i32,
  splitColumns: i32,
  s0: i32,
  s1: i32,
): void {
  const K4 = K & ~3;
  const mStart = splitColumns ? 0 : s0;
  const mEnd = splitColumns ? M : s1;
  for (let i = mStart; i < mEnd; i++) {
    const nStart = splitColumns ? s0 : 0;
    const nEnd = min(splitColumns ? s1 : N, causal ? i + 1 : N);
    const pa = a + ((<usize>i * <usize>lda) << 2);
    const po = out + ((<usize>i * <usize>ldo) << 2);
    let j = nStart;
    for (; j + 4 <= nEnd; j += 4) {
      const pb0 = b + ((<usize>j * <usize>ldb) << 2);
      const pb1 = pb0 + ((<usize>ldb) << 2);
      const pb2 = pb1 + ((<usize>ldb) << 2);
      const pb3 = pb2 + ((<usize>ldb) << 2);
      let s0 = f32x4.splat(0),
        s1 = f32x4.splat(0),
        s2 = f32x4.splat(0),
        s3 = f32x4.splat(0);
      for (let k = 0; k < K4; k += 4) {
        const x = v128.load(pa + ((<usize>k) << 2));
        const o = (<usize>k) << 2;
        s0 = f32x4.add(s0, f32x4.mul(x, v128.load(pb0 + o)));
        s1 = f32x4.add(s1, f32x4.mul(x, v128.load(pb1 + o)));
        s2 = f32x4.add(s2, f32x4.mul(x, v128.load(pb2 + o)));
        s3 = f32x4.add(s3, f32x4.mul(x, v128.load(pb3 + o)));
      }
      ntStore(po, j, ntFinish(s0, pa, pb0, K4, K), alpha, accumulate);
      ntStore(po, j + 1, ntFinish(s1, pa, pb1, K4, K), alpha, accumulate);
      ntStore(po, j + 2, ntFinish(s2, pa, pb2, K4, K), alpha, accumulate);
      ntStore(po, j + 3, ntFinish(s3, pa, pb3, K4, K), alpha, accumulate);
    }
    for (; j < nEnd; j++) {
      const pb = b + ((<usize>j * <usize>ldb) << 2);
      let s = f32x4.splat(0);
      for (let k = 0; k < K4; k += 4) {
        const o = (<usize>k) << 2;
        s = f32x4.add(s, f32x4.mul(v128.load(pa + o), v128.load(pb + o)));
      }
      ntStore(po, j, ntFinish(s, pa, pb, K4, K), alpha, accumulate);
    }
  }
}

function ntFinish(s: v128, pa: usize, pb: usize, K4: i32, K: i32): f32 {
  let acc: f32 =
    f32x4.extract_lane(s, 0) +
    f32x4.extract_lane(s, 1) +
    (f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3));
  for (let k = K4; k < K; k++) acc += load<f32>(pa + ((<usize>k) << 2)) * load<f32>(pb + ((<usize>k) << 2));
  return acc;
}

function ntStore(po: usize, j: i32, dot: f32, alpha: f32, accumulate: i32): void {
  const p = po + ((<usize>j) << 2);
  const v = dot * alpha;
  store<f32>(p, accumulate ? load<f32>(p) + v : v);
}
