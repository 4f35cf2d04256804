// The training form of the embedding, the twin of encoderForward (src/model/cpu/ops/embedding.ts):
// encoded[b, t] = wte[ids[b, t]] + wpe[t] over a whole (B, T) batch at once (embedding.wgsl serves the
// explorer's single sequence and keeps the token and position parts apart). Its backward is
// embedding-backward.wgsl. One thread per element; memory-bound. WORKGROUP_SIZE: generated header.
// wte is bound whole: enough for the models trained here, where the explorer's GPT-2 124M splits it in chunks.

struct Params {
  B: u32,
  T: u32,
  C: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> ids: array<u32>; // (B, T)
@group(0) @binding(2) var<storage, read> wte: array<f32>; // (V, C)
@group(0) @binding(3) var<storage, read> wpe: array<f32>; // (maxT, C)
@group(0) @binding(4) var<storage, read_write> encoded: array<f32>; // (B, T, C)

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  let C = params.C;
  if (i >= params.B * params.T * C) {
    return;
  }
  let n = i / C; // b·T + t
  let c = i % C;
  encoded[i] = wte[ids[n] * C + c] + wpe[(n % params.T) * C + c];
}
