// AdamW, the twin of AdamW.update (src/train/adamw.ts), which computes what torch.optim.AdamW does: decoupled
// weight decay where the decay mask says so, bias-corrected moments, eps added after the square root:
//   value *= 1 - lr·weightDecay                    (masked)
//   m = β1·m + (1-β1)·g;  v = β2·v + (1-β2)·g²
//   value -= (lr / (1-β1^step)) · m / (√v / √(1-β2^step) + eps)
// The per-step scalars are computed on the host in float64 (adamwParams) and arrive as float32. The decay mask
// holds one bit per parameter (bit i%32 of word i/32), 4 MB for GPT-2 124M instead of 500 as one u32 each.
// One thread per parameter; memory-bound (five arrays read, three written). WORKGROUP_SIZE: generated header.

struct Params {
  count: u32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  stepSize: f32, // lr / (1 - β1^step)
  decayFactor: f32, // 1 - lr·weightDecay
  biasCorrection2Sqrt: f32, // √(1 - β2^step)
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> grads: array<f32>; // (P)
@group(0) @binding(2) var<storage, read> decayMask: array<u32>; // (⌈P/32⌉)
@group(0) @binding(3) var<storage, read_write> values: array<f32>; // (P)
@group(0) @binding(4) var<storage, read_write> m: array<f32>; // (P) first moment
@group(0) @binding(5) var<storage, read_write> v: array<f32>; // (P) second moment

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.count) {
    return;
  }
  let g = grads[i];
  var value = values[i];
  if (((decayMask[i / 32u] >> (i % 32u)) & 1u) == 1u) {
    value *= params.decayFactor;
  }
  let mi = params.beta1 * m[i] + (1.0 - params.beta1) * g;
  let vi = params.beta2 * v[i] + (1.0 - params.beta2) * g * g;
  m[i] = mi;
  v[i] = vi;
  values[i] = value - (params.stepSize * mi) / (sqrt(vi) / params.biasCorrection2Sqrt + params.eps);
}
