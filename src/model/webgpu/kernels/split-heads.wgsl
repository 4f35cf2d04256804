// Copies q, k and v out of the fused qkv (T, 3C) into the trace's per-head layout (NH, T, hs). Attention
// reads qkv in place, so this runs only when the trace asks for q, k or v. WORKGROUP_SIZE: generated header.

struct Params {
  T: u32,
  C: u32,
  hs: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> qkv: array<f32>; // (T, 3C)
@group(0) @binding(2) var<storage, read_write> q: array<f32>; // (NH, T, hs)
@group(0) @binding(3) var<storage, read_write> k: array<f32>; // (NH, T, hs)
@group(0) @binding(4) var<storage, read_write> v: array<f32>; // (NH, T, hs)

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE; // index into (T, C)
  if (i >= params.T * params.C) {
    return;
  }
  let t = i / params.C;
  let c = i % params.C;
  let head = c / params.hs;
  let d = c % params.hs;
  let source = t * 3u * params.C + c;
  let destination = (head * params.T + t) * params.hs + d;
  q[destination] = qkv[source];
  k[destination] = qkv[source + params.C];
  v[destination] = qkv[source + 2u * params.C];
}
