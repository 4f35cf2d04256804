// Layer norm backward, the twin of layernormBackward (src/model/cpu/ops/layernorm.ts), in two dispatches:
//   `rows`:    one workgroup per row recomputes the row's mean and 1/std exactly as the forward does
//              (layernorm.wgsl: two passes), then dinp += (dnorm - mean(dnorm) - norm·mean(dnorm·norm))·rstd
//              with dnorm = weight ⊙ dout, and keeps [mean, rstd] in `stats` for the second dispatch;
//   `columns`: one thread per channel c walks the N rows in order: dbias[c] += Σ dout, dweight[c] += Σ norm·dout.
// Nothing is saved by the forward, as on the CPU. Speed: memory-bound; `columns` runs only C threads, fine for
// the step's few layer norms. ROW_WORKGROUP_SIZE and WORKGROUP_SIZE come from the generated header.

struct Params {
  N: u32,
  C: u32,
  eps: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> dout: array<f32>; // (N, C)
@group(0) @binding(2) var<storage, read> inp: array<f32>; // (N, C) the forward's input
@group(0) @binding(3) var<storage, read> weight: array<f32>; // (C)
@group(0) @binding(4) var<storage, read_write> stats: array<f32>; // (N, 2): mean, rstd
@group(0) @binding(5) var<storage, read_write> dinp: array<f32>; // (N, C)
@group(0) @binding(6) var<storage, read_write> dweight: array<f32>; // (C)
@group(0) @binding(7) var<storage, read_write> dbias: array<f32>; // (C)

@compute @workgroup_size(ROW_WORKGROUP_SIZE)
fn rows(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let n = wid.x + wid.y * groups.x;
  if (n >= params.N) {
    return; // uniform across the workgroup
  }
  let row = n * params.C;
  let count = f32(params.C);
  var sum = 0.0;
  for (var c = lid; c < params.C; c += ROW_WORKGROUP_SIZE) {
    sum += inp[row + c];
  }
  let mean = workgroupSum(lid, sum) / count;
  var squares = 0.0;
  for (var c = lid; c < params.C; c += ROW_WORKGROUP_SIZE) {
    let d = inp[row + c] - mean;
    squares += d * d;
  }
  let rstd = inverseSqrt(workgroupSum(lid, squares) / count + params.eps);
  // The gradient through the mean and the variance: two more reductions.
  var dnormSum = 0.0;
  var dnormNormSum = 0.0;
  for (var c = lid; c < params.C; c += ROW_WORKGROUP_SIZE) {
    let norm = (inp[row + c] - mean) * rstd;
    let dnorm = weight[c] * dout[row + c];
    dnormSum += dnorm;
    dnormNormSum += dnorm * norm;
  }
  let dnormMean = workgroupSum(lid, dnormSum) / count;
  let dnormNormMean = workgroupSum(lid, dnormNormSum) / count;
  for (var c = lid; c < params.C; c += ROW_WORKGROUP_SIZE) {
    let norm = (inp[row + c] - mean) * rstd;
    let dnorm = weight[c] * dout[row + c];
    dinp[row + c] += (dnorm - dnormMean - norm * dnormNormMean) * rstd;
  }
  if (lid == 0u) {
    stats[2u * n] = mean;
    stats[2u * n + 1u] = rstd;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn columns(@builtin(global_invocation_id) gid: vec3u) {
  let c = gid.x;
  if (c >= params.C) {
    return;
  }
  var dweightSum = dweight[c];
  var dbiasSum = dbias[c];
  for (var n = 0u; n < params.N; n++) {
    let d = dout[n * params.C + c];
    let norm = (inp[n * params.C + c] - stats[2u * n]) * stats[2u * n + 1u];
    dbiasSum += d;
    dweightSum += norm * d;
  }
  dweight[c] = dweightSum;
  dbias[c] = dbiasSum;
}
