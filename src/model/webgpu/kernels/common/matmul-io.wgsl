// The interface of the tiled matmuls, matmul.wgsl (forward and backward products) and the bench's vec4
// candidate (src/bench/kernels/), written once so that either stands in for the other with one bind group: the
// Params, the bindings, the edge-checked loads of one element of A and B that fill the workgroup tiles, and the
// causal modes. Needs A_TRANSPOSED, B_TRANSPOSED and the CAUSAL_* modes from the generated header, and TILE_M
// and TILE_N from the kernel (WGSL lets a library use them).

// Element (m, k) of A is a[aOffset + batch·aBatchStride + m·aRowStride + k]; B and out likewise, with
// element (k, n) of B at row n, column k of the stored matrix when B_TRANSPOSED, and element (m, k) of A at
// row k, column m when A_TRANSPOSED (the backward pass's inpᵀ · dout; aRowStride is then the stored row length).
struct Params {
  M: u32,
  N: u32,
  K: u32,
  aOffset: u32,
  aRowStride: u32,
  aBatchStride: u32,
  bOffset: u32,
  bRowStride: u32,
  bBatchStride: u32,
  outOffset: u32,
  outRowStride: u32,
  outBatchStride: u32,
  causal: u32, // CAUSAL_NONE, CAUSAL_SKIP or CAUSAL_STOP
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>; // (N), read only when HAS_BIAS
@group(0) @binding(4) var<storage, read_write> out: array<f32>; // read too when ACCUMULATE

fn loadA(batch: u32, row: u32, k: u32, kEnd: u32) -> f32 {
  if (row < params.M && k < kEnd) {
    let base = params.aOffset + batch * params.aBatchStride;
    if (A_TRANSPOSED) {
      return a[base + k * params.aRowStride + row];
    }
    return a[base + row * params.aRowStride + k];
  }
  return 0.0;
}

fn loadB(batch: u32, k: u32, col: u32, kEnd: u32) -> f32 {
  if (k < kEnd && col < params.N) {
    let base = params.bOffset + batch * params.bBatchStride;
    if (B_TRANSPOSED) {
      return b[base + col * params.bRowStride + k];
    }
    return b[base + k * params.bRowStride + col];
  }
  return 0.0;
}

// The part of the output a workgroup owns: product `batch` (workgroup z), TILE_M rows from rowBase and TILE_N
// columns from colBase; and where its sum over k ends: K, or under CAUSAL_STOP the diagonal, past which the
// attention weights of its rows are zero.
struct OutputTile {
  batch: u32,
  rowBase: u32,
  colBase: u32,
  kEnd: u32,
}

fn outputTile(wid: vec3u) -> OutputTile {
  let rowBase = wid.y * TILE_M;
  var kEnd = params.K;
  if (params.causal == CAUSAL_STOP) {
    kEnd = min(params.K, rowBase + TILE_M);
  }
  return OutputTile(wid.z, rowBase, wid.x * TILE_N, kEnd);
}

// Under CAUSAL_SKIP, whether every column of the tile lies after every row: the causal softmax never reads such
// a tile, so it is not computed.
fn tileSkipped(tile: OutputTile) -> bool {
  return params.causal == CAUSAL_SKIP && tile.colBase > tile.rowBase + TILE_M - 1u;
}
