// out (M, N) (+)= op(A) (M, K) · op(B) (K, N), where op reads a stored matrix as it is or transposed: the
// products of the backward pass, none of which transposes anything in memory (see matmulBackwardInput and
// matmulBackwardWeight in src/model/cpu/ops/matmul.ts):
//   - dinp (N,C)   += dout (N,OC) · weightᵀ      B_TRANSPOSED, weight stored (C, OC);
//   - dweight (C,OC) += inpᵀ · dout (N,OC)       A_TRANSPOSED, inp stored (N, C);
//   - the tied head: dlnf = dlogits · wte (plain), dwte += dlogitsᵀ · lnf (A_TRANSPOSED).
// ACCUMULATE adds to `out` (the CPU twins' +=) instead of overwriting it.
//
// The same tiling as matmul.wgsl (read its header for why it is fast): a workgroup owns a TILE_M × TILE_N
// block of the output and steps through K in slices of TILE_K staged in workgroup memory; each thread keeps
// THREAD_M × THREAD_N accumulators in registers. Loads take consecutive addresses of the stored matrix on
// consecutive threads in every orientation, so they coalesce. Compute-bound on large shapes.
// Edges: loads outside A or B read 0 and stores outside `out` are skipped, so any M, N, K works.
// THREADS_X, THREADS_Y, THREAD_M, THREAD_N, TILE_K, A_TRANSPOSED, B_TRANSPOSED, ACCUMULATE: generated header.

const TILE_M: u32 = THREADS_Y * THREAD_M;
const TILE_N: u32 = THREADS_X * THREAD_N;
const THREADS: u32 = THREADS_X * THREADS_Y;

// Element (m, k) of op(A) is a[aOffset + m·aRowStride + k], or a[aOffset + k·aRowStride + m] when
// A_TRANSPOSED (aRowStride is then the stored matrix's row length); B and out likewise.
struct Params {
  M: u32,
  N: u32,
  K: u32,
  aOffset: u32,
  aRowStride: u32,
  bOffset: u32,
  bRowStride: u32,
  outOffset: u32,
  outRowStride: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

var<workgroup> tileA: array<f32, TILE_M * TILE_K>; // [row][k]
var<workgroup> tileB: array<f32, TILE_K * TILE_N>; // [k][column]

fn loadA(row: u32, k: u32) -> f32 {
  if (row < params.M && k < params.K) {
    if (A_TRANSPOSED) {
      return a[params.aOffset + k * params.aRowStride + row];
    }
    return a[params.aOffset + row * params.aRowStride + k];
  }
  return 0.0;
}

fn loadB(k: u32, col: u32) -> f32 {
  if (k < params.K && col < params.N) {
    if (B_TRANSPOSED) {
      return b[params.bOffset + col * params.bRowStride + k];
    }
    return b[params.bOffset + k * params.bRowStride + col];
  }
  return 0.0;
}

// Fills tileA and tileB for the tile step starting at depth k0, walking each stored matrix along its rows.
fn loadTiles(lid: u32, rowBase: u32, colBase: u32, k0: u32) {
  for (var i = lid; i < TILE_M * TILE_K; i += THREADS) {
    if (A_TRANSPOSED) {
      let k = i / TILE_M;
      let r = i % TILE_M;
      tileA[r * TILE_K + k] = loadA(rowBase + r, k0 + k);
    } else {
      let r = i / TILE_K;
      let k = i % TILE_K;
      tileA[r * TILE_K + k] = loadA(rowBase + r, k0 + k);
    }
  }
  for (var i = lid; i < TILE_K * TILE_N; i += THREADS) {
    if (B_TRANSPOSED) {
      let c = i / TILE_K;
      let k = i % TILE_K;
      tileB[k * TILE_N + c] = loadB(k0 + k, colBase + c);
    } else {
      let k = i / TILE_N;
      let c = i % TILE_N;
      tileB[k * TILE_N + c] = loadB(k0 + k, colBase + c);
    }
  }
}

@compute @workgroup_size(THREADS_X, THREADS_Y)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(local_invocation_id) local: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let rowBase = wid.y * TILE_M;
  let colBase = wid.x * TILE_N;
  var acc: array<f32, THREAD_M * THREAD_N>;
  var aValues: array<f32, THREAD_M>;
  var bValues: array<f32, THREAD_N>;

  for (var k0 = 0u; k0 < params.K; k0 += TILE_K) {
    loadTiles(lid, rowBase, colBase, k0);
    workgroupBarrier();
    for (var k = 0u; k < TILE_K; k++) {
      for (var i = 0u; i < THREAD_M; i++) {
        aValues[i] = tileA[(local.y + i * THREADS_Y) * TILE_K + k];
      }
      for (var j = 0u; j < THREAD_N; j++) {
        bValues[j] = tileB[k * TILE_N + local.x + j * THREADS_X];
      }
      for (var i = 0u; i < THREAD_M; i++) {
        for (var j = 0u; j < THREAD_N; j++) {
          acc[i * THREAD_N + j] = fma(aValues[i], bValues[j], acc[i * THREAD_N + j]);
        }
      }
    }
    workgroupBarrier(); // the tiles are overwritten by the next step
  }

  for (var i = 0u; i < THREAD_M; i++) {
    let row = rowBase + local.y + i * THREADS_Y;
    for (var j = 0u; j < THREAD_N; j++) {
      let col = colBase + local.x + j * THREADS_X;
      if (row < params.M && col < params.N) {
        let index = params.outOffset + row * params.outRowStride + col;
        var value = acc[i * THREAD_N + j];
        if (ACCUMULATE) {
          value += out[index];
        }
        out[index] = value;
      }
    }
  }
}
