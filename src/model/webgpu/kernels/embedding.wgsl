// Embedding lookup plus position add for B sequences of T tokens (the explorer runs B = 1, training a batch):
// tok_emb[b, t] = wte[ids[b, t]], pos_emb[b, t] = wpe[t], input_emb = tok + pos. Training reads only input_emb
// (its backward is backward/embedding-backward.wgsl). One thread per element; memory-bound.
// Constants (WORKGROUP_SIZE) come from the header the TypeScript side prepends (see ../kernels.ts).
//
// wte can be larger than one storage binding may be (GPT-2's is 154 MB), so it is split into row chunks and
// this kernel runs once per chunk. Each thread owns one (t, c) element and writes it only when token t's id
// falls inside the chunk bound here; every element is therefore written by exactly one of the dispatches.

struct Params {
  B: u32, // sequences
  T: u32, // tokens per sequence
  C: u32,
  rowStart: u32, // first vocabulary row held by wteChunk
  rowCount: u32, // rows held by wteChunk
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> ids: array<u32>; // (B, T)
@group(0) @binding(2) var<storage, read> wteChunk: array<f32>; // (rowCount, C)
@group(0) @binding(3) var<storage, read> wpe: array<f32>; // (maxT, C)
@group(0) @binding(4) var<storage, read_write> tokEmb: array<f32>; // (B, T, C)
@group(0) @binding(5) var<storage, read_write> posEmb: array<f32>; // (B, T, C)
@group(0) @binding(6) var<storage, read_write> inputEmb: array<f32>; // (B, T, C)

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  // Large element counts are dispatched as a 2-D grid (one dimension may hold at most 65535 workgroups).
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.B * params.T * params.C) {
    return;
  }
  let n = i / params.C; // b·T + t
  let c = i % params.C;
  let row = ids[n];
  if (row < params.rowStart || row >= params.rowStart + params.rowCount) {
    return;
  }
  let tok = wteChunk[(row - params.rowStart) * params.C + c];
  let pos = wpe[(n % params.T) * params.C + c];
  tokEmb[i] = tok;
  posEmb[i] = pos;
  inputEmb[i] = tok + pos;
}
