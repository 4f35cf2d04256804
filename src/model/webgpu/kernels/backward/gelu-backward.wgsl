// GELU backward, tanh form (GPT-2's `gelu_new`): dinp += gelu'(inp) · dout, the twin of geluBackward
// (src/model/cpu/ops/gelu.ts), with gelu(x) = 0.5·x·(1 + tanh(u)), u = √(2/π)·(x + 0.044715·x³).
// One thread per element; memory-bound. WORKGROUP_SIZE comes from the generated header.

struct Params {
  count: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> inp: array<f32>; // (N) the forward's input
@group(0) @binding(2) var<storage, read> dout: array<f32>; // (N)
@group(0) @binding(3) var<storage, read_write> dinp: array<f32>; // (N)

const GELU_SCALE: f32 = 0.7978845608028654; // sqrt(2 / pi), part of the GELU formula itself

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.count) {
    return;
  }
  let x = inp[i];
  // Clamped as in the forward (elementwise.wgsl): tanh(±15) is ±1 in float32, and some drivers compute tanh
  // through exp(2u), which overflows to NaN for large u.
  let tanhU = tanh(clamp(GELU_SCALE * (x + 0.044715 * x * x * x), -15.0, 15.0));
  let sech2 = 1.0 - tanhU * tanhU;
  let local = 0.5 * (1.0 + tanhU) + 0.5 * x * sech2 * GELU_SCALE * (1.0 + 3.0 * 0.044715 * x * x);
  dinp[i] += local * dout[i];
}
