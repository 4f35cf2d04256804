// The element-wise steps: GELU (tanh form, GPT-2's `gelu_new`) and the residual add. One thread per
// element; large counts are dispatched as a 2-D grid. WORKGROUP_SIZE comes from the generated header.

struct Params {
  count: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>; // only read by `residual`
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

const GELU_SCALE: f32 = 0.7978845608028654; // sqrt(2 / pi), part of the GELU formula itself

fn elementIndex(gid: vec3u, groups: vec3u) -> u32 {
  return gid.x + gid.y * groups.x * WORKGROUP_SIZE;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn gelu(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = elementIndex(gid, groups);
  if (i >= params.count) {
    return;
  }
  let x = a[i];
  // tanh is computed as (e^2u - 1) / (e^2u + 1) by some drivers, which gives inf/inf = NaN for large u.
  // tanh(±15) is ±1 to float32 precision, so clamping changes no result and keeps large inputs finite.
  let u = clamp(GELU_SCALE * (x + 0.044715 * x * x * x), -15.0, 15.0);
  out[i] = 0.5 * x * (1.0 + tanh(u));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn residual(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = elementIndex(gid, groups);
  if (i >= params.count) {
    return;
  }
  out[i] = a[i] + b[i];
}
