// Residual backward: a sum passes its gradient to both branches unchanged, da += dout and db += dout, the
// twin of residualBackward (src/model/cpu/ops/residual.ts). One thread per element; memory-bound.
// WORKGROUP_SIZE comes from the generated header.

struct Params {
  count: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> dout: array<f32>; // (N)
@group(0) @binding(2) var<storage, read_write> da: array<f32>; // (N)
@group(0) @binding(3) var<storage, read_write> db: array<f32>; // (N)

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.count) {
    return;
  }
  let d = dout[i];
  da[i] += d;
  db[i] += d;
}
