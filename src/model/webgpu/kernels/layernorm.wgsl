// Layer norm, one workgroup per row: out = (x - mean) / sqrt(var + eps) * weight + bias.
// The variance is computed in a second pass over (x - mean), as the CPU engine does: the one-pass form
// E[x²] - mean² cancels catastrophically on the large activations of the random test models.
// ROW_WORKGROUP_SIZE (a power of two, for the tree reduction) comes from the generated header.

struct Params {
  T: u32,
  C: u32,
  eps: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> inp: array<f32>; // (T, C)
@group(0) @binding(2) var<storage, read> weight: array<f32>; // (C)
@group(0) @binding(3) var<storage, read> bias: array<f32>; // (C)
@group(0) @binding(4) var<storage, read_write> out: array<f32>; // (T, C)

@compute @workgroup_size(ROW_WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wid.x * params.C;
  var sum = 0.0;
  for (var c = lid; c < params.C; c += ROW_WORKGROUP_SIZE) {
    sum += inp[row + c];
  }
  let mean = workgroupSum(lid, sum) / f32(params.C);
  var squares = 0.0;
  for (var c = lid; c < params.C; c += ROW_WORKGROUP_SIZE) {
    let d = inp[row + c] - mean;
    squares += d * d;
  }
  let rstd = inverseSqrt(workgroupSum(lid, squares) / f32(params.C) + params.eps);
  for (var c = lid; c < params.C; c += ROW_WORKGROUP_SIZE) {
    out[row + c] = (inp[row + c] - mean) * rstd * weight[c] + bias[c];
  }
}
