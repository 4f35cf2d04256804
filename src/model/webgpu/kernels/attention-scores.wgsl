// Attention scores, per head: scores[h, i, j] = q_i · k_j, before scaling and before the mask (the trace
// keeps every step apart). Q and K are read in place from the fused qkv projection (T, 3C): row stride 3C,
// q at column offset 0, k at C, head h at h·hs. The naive attention of the book (X·Xᵀ) is the same kernel
// with one "head" of size C, Q = K = X and a row stride of C.
//
// Tiled like a matmul with B transposed: a workgroup of ATTN_TILE × ATTN_TILE threads computes that many
// scores, stepping through the head dimension ATTN_TILE at a time with q and k slices in workgroup memory.
// When nobody reads the scores above the diagonal (skipFuture = 1), tiles wholly in the future are skipped:
// the causal softmax never looks at them. ATTN_TILE comes from the generated header.

struct Params {
  T: u32,
  hs: u32, // head size
  rowStride: u32, // elements between token rows of Q and K
  qOffset: u32, // column of head 0's query
  kOffset: u32, // column of head 0's key
  skipFuture: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> qk: array<f32>; // (T, rowStride)
@group(0) @binding(2) var<storage, read_write> scores: array<f32>; // (NH, T, T)

var<workgroup> tileQ: array<f32, ATTN_TILE * ATTN_TILE>; // [query][d]
var<workgroup> tileK: array<f32, ATTN_TILE * ATTN_TILE>; // [key][d]

@compute @workgroup_size(ATTN_TILE, ATTN_TILE)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(local_invocation_id) local: vec3u,
) {
  let head = wid.z;
  let queryBase = wid.y * ATTN_TILE;
  let keyBase = wid.x * ATTN_TILE;
  if (params.skipFuture == 1u && keyBase > queryBase + ATTN_TILE - 1u) {
    return; // the whole tile lies above the diagonal; uniform across the workgroup
  }
  let query = queryBase + local.y;
  let key = keyBase + local.x;
  let headColumn = head * params.hs;
  var sum = 0.0;
  for (var d0 = 0u; d0 < params.hs; d0 += ATTN_TILE) {
    // Thread (x, y) loads element d0 + x of query row y and of key row y.
    let d = d0 + local.x;
    let loadKey = keyBase + local.y;
    var q = 0.0;
    var k = 0.0;
    if (query < params.T && d < params.hs) {
      q = qk[query * params.rowStride + params.qOffset + headColumn + d];
    }
    if (loadKey < params.T && d < params.hs) {
      k = qk[loadKey * params.rowStride + params.kOffset + headColumn + d];
    }
    tileQ[local.y * ATTN_TILE + local.x] = q;
    tileK[local.y * ATTN_TILE + local.x] = k;
    workgroupBarrier();
    for (var e = 0u; e < ATTN_TILE; e++) {
      sum = fma(tileQ[local.y * ATTN_TILE + e], tileK[local.x * ATTN_TILE + e], sum);
    }
    workgroupBarrier();
  }
  if (query < params.T && key < params.T) {
    scores[(head * params.T + query) * params.T + key] = sum;
  }
}
