// The weighted sum, per head: context[i, h·hs + d] = Σ_j weights[h, i, j] · v[h, j, d], which writes the heads
// straight into their columns of the merged (T, C) tensor. V is read in place from the fused qkv (row stride
// 3C, column offset 2C); for the naive attention V is X itself (one head of size C, row stride C).
//
// Tiled like a matmul: a workgroup of ATTN_TILE × ATTN_TILE threads owns a block of ATTN_TILE queries ×
// ATTN_TILE head dimensions and steps through the keys ATTN_TILE at a time. With causal = 1 the steps stop at
// the block's last query, since the weights beyond it are zero. ATTN_TILE comes from the generated header.

struct Params {
  T: u32,
  hs: u32,
  rowStride: u32, // elements between token rows of V
  vOffset: u32, // column of head 0's value
  outStride: u32, // elements between rows of the context
  causal: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> weights: array<f32>; // (NH, T, T)
@group(0) @binding(2) var<storage, read> v: array<f32>; // (T, rowStride)
@group(0) @binding(3) var<storage, read_write> context: array<f32>; // (T, outStride)

var<workgroup> tileW: array<f32, ATTN_TILE * ATTN_TILE>; // [query][key]
var<workgroup> tileV: array<f32, ATTN_TILE * ATTN_TILE>; // [key][d]

@compute @workgroup_size(ATTN_TILE, ATTN_TILE)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(local_invocation_id) local: vec3u,
) {
  let head = wid.z;
  let queryBase = wid.y * ATTN_TILE;
  let query = queryBase + local.y;
  let d = wid.x * ATTN_TILE + local.x;
  let column = head * params.hs + d;
  var keyEnd = params.T;
  if (params.causal == 1u) {
    keyEnd = min(params.T, queryBase + ATTN_TILE);
  }
  var sum = 0.0;
  for (var key0 = 0u; key0 < keyEnd; key0 += ATTN_TILE) {
    let wKey = key0 + local.x;
    let vKey = key0 + local.y;
    var w = 0.0;
    var value = 0.0;
    if (query < params.T && wKey < params.T) {
      w = weights[(head * params.T + query) * params.T + wKey];
    }
    if (vKey < params.T && d < params.hs) {
      value = v[vKey * params.rowStride + params.vOffset + column];
    }
    tileW[local.y * ATTN_TILE + local.x] = w;
    tileV[local.y * ATTN_TILE + local.x] = value;
    workgroupBarrier();
    for (var e = 0u; e < ATTN_TILE; e++) {
      sum = fma(tileW[local.y * ATTN_TILE + e], tileV[e * ATTN_TILE + local.x], sum);
    }
    workgroupBarrier();
  }
  if (query < params.T && d < params.hs) {
    context[query * params.outStride + column] = sum;
  }
}
