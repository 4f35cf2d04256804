// Embedding lookup plus position add: tok_emb[t] = wte[ids[t]], pos_emb[t] = wpe[t], input_emb = tok + pos.
// Constants (WORKGROUP_SIZE) come from the header the TypeScript side prepends (see ../wgsl-header.ts).
//
// wte can be larger than one storage binding may be (GPT-2's is 154 MB), so it is split into row chunks and
// this kernel runs once per chunk. Each thread owns one (t, c) element and writes it only when token t's id
// falls inside the chunk bound here; every element is therefore written by exactly one of the dispatches.

struct Params {
  T: u32,
  C: u32,
  rowStart: u32, // first vocabulary row held by wteChunk
  rowCount: u32, // rows held by wteChunk
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> ids: array<u32>; // (T)
@group(0) @binding(2) var<storage, read> wteChunk: array<f32>; // (rowCount, C)
@group(0) @binding(3) var<storage, read> wpe: array<f32>; // (maxT, C)
@group(0) @binding(4) var<storage, read_write> tokEmb: array<f32>; // (T, C)
@group(0) @binding(5) var<storage, read_write> posEmb: array<f32>; // (T, C)
@group(0) @binding(6) var<storage, read_write> inputEmb: array<f32>; // (T, C)

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  // Large element counts are dispatched as a 2-D grid (one dimension may hold at most 65535 workgroups).
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.T * params.C) {
    return;
  }
  let t = i / params.C;
  let c = i % params.C;
  let row = ids[t];
  if (row < params.rowStart || row >= params.rowStart + params.rowCount) {
    return;
  }
  let tok = wteChunk[(row - params.rowStart) * params.C + c];
  let pos = wpe[i];
  tokEmb[i] = tok;
  posEmb[i] = pos;
  inputEmb[i] = tok + pos;
}
