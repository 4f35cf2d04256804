// Logits for a few rows: out[r, v] = x_r · wte[v], a matrix-vector product against the tied embedding
// (wte stored (V, C), one chunk of its rows bound at a time). This is what a forward pass that wants only the
// last position's logits runs, and it is bound by reading wte once, so the kernel is built for that read:
// LANES_PER_ROW consecutive threads share one vocabulary row and read consecutive words of it (coalesced),
// then add their partial sums in workgroup memory. Larger row counts go to the tiled matmul instead.
// LOGITS_WORKGROUP_SIZE and LANES_PER_ROW (powers of two) come from the generated header. The Params struct
// and the bindings are the tiled matmul's, so one bind group serves both.

const ROWS_PER_WORKGROUP: u32 = LOGITS_WORKGROUP_SIZE / LANES_PER_ROW;

// The tiled matmul's Params (matmul.wgsl); x rows are contiguous (aRowStride = K) and so are wte rows.
struct Params {
  M: u32, // rows of x
  N: u32, // vocabulary rows in this chunk of wte
  K: u32, // C
  aOffset: u32, // first element of x (the last position starts at (T-1)·C)
  aRowStride: u32,
  aBatchStride: u32,
  bOffset: u32,
  bRowStride: u32,
  bBatchStride: u32,
  outOffset: u32, // the chunk's first vocabulary row
  outRowStride: u32, // V
  outBatchStride: u32,
  causal: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>; // (M, K) from aOffset
@group(0) @binding(2) var<storage, read> wteChunk: array<f32>; // (N, K)
@group(0) @binding(3) var<storage, read> unusedBias: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>; // (M, outStride)

var<workgroup> partial: array<f32, LOGITS_WORKGROUP_SIZE>;

@compute @workgroup_size(LOGITS_WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let lane = lid % LANES_PER_ROW;
  let vocabRow = wid.x * ROWS_PER_WORKGROUP + lid / LANES_PER_ROW;
  for (var r = 0u; r < params.M; r++) {
    var sum = 0.0;
    if (vocabRow < params.N) {
      for (var c = lane; c < params.K; c += LANES_PER_ROW) {
        sum = fma(x[params.aOffset + r * params.K + c], wteChunk[vocabRow * params.K + c], sum);
      }
    }
    partial[lid] = sum;
    workgroupBarrier();
    for (var stride = LANES_PER_ROW / 2u; stride > 0u; stride = stride / 2u) {
      if (lane < stride) {
        partial[lid] = partial[lid] + partial[lid + stride];
      }
      workgroupBarrier();
    }
    if (lane == 0u && vocabRow < params.N) {
      out[r * params.outRowStride + params.outOffset + vocabRow] = partial[lid];
    }
    workgroupBarrier(); // partial is reused for the next row
  }
}
