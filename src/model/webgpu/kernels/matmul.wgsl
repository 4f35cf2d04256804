// out (M, N) = A (M, K) · B (K, N) + bias, tiled through workgroup memory and blocked in registers.
// Used for every projection (B = a Conv1D weight, stored (K, N)) and for the logits (B = wteᵀ: wte is
// stored (N, K), so B_TRANSPOSED reads it column-wise without ever building the transpose).
//
// The generated header defines: THREADS_X, THREADS_Y (the workgroup), THREAD_M, THREAD_N (outputs per
// thread), TILE_K (the depth of a tile step), B_TRANSPOSED and HAS_BIAS. A workgroup owns a
// TILE_M × TILE_N block of the output, TILE_M = THREADS_Y·THREAD_M and TILE_N = THREADS_X·THREAD_N.
//
// Why it is fast: per step of TILE_K, the workgroup loads a TILE_M × TILE_K slice of A and a TILE_K × TILE_N
// slice of B once from global memory into workgroup memory; each thread then does THREAD_M·THREAD_N
// multiply-adds for every THREAD_M + THREAD_N values it reads from workgroup memory, with the accumulators
// in registers. A thread's outputs are strided by THREADS_Y rows and THREADS_X columns (not packed side
// by side), so neighbouring threads read neighbouring words of tileB and write neighbouring output words.
// Edges: loads outside A or B read 0 and stores outside `out` are skipped, so any M, N, K works.

const TILE_M: u32 = THREADS_Y * THREAD_M;
const TILE_N: u32 = THREADS_X * THREAD_N;
const THREADS: u32 = THREADS_X * THREADS_Y;

struct Params {
  M: u32,
  N: u32,
  K: u32,
  aOffset: u32, // first element of A (the logits of the last position start at row T-1)
  outStride: u32, // elements between output rows (N, or V when N is one chunk of the vocabulary)
  outOffset: u32, // first output column (the chunk's first vocabulary row)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>; // (M, K) from aOffset
@group(0) @binding(2) var<storage, read> b: array<f32>; // (K, N), or (N, K) when B_TRANSPOSED
@group(0) @binding(3) var<storage, read> bias: array<f32>; // (N), read only when HAS_BIAS
@group(0) @binding(4) var<storage, read_write> out: array<f32>; // (M, outStride)

var<workgroup> tileA: array<f32, TILE_M * TILE_K>; // [row][k]
var<workgroup> tileB: array<f32, TILE_K * TILE_N>; // [k][column]

fn loadA(row: u32, k: u32) -> f32 {
  if (row < params.M && k < params.K) {
    return a[params.aOffset + row * params.K + k];
  }
  return 0.0;
}

fn loadB(k: u32, col: u32) -> f32 {
  if (k < params.K && col < params.N) {
    if (B_TRANSPOSED) {
      return b[col * params.K + k];
    }
    return b[k * params.N + col];
  }
  return 0.0;
}

// Fills tileA and tileB for the tile step starting at depth k0. Consecutive threads take consecutive
// addresses of the matrix in memory, so global loads coalesce in both orientations of B.
fn loadTiles(lid: u32, rowBase: u32, colBase: u32, k0: u32) {
  for (var i = lid; i < TILE_M * TILE_K; i += THREADS) {
    let r = i / TILE_K;
    let k = i % TILE_K;
    tileA[r * TILE_K + k] = loadA(rowBase + r, k0 + k);
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
        var value = acc[i * THREAD_N + j];
        if (HAS_BIAS) {
          value += bias[col];
        }
        out[row * params.outStride + params.outOffset + col] = value;
      }
    }
  }
}
