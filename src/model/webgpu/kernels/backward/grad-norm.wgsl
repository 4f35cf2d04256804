// The global gradient norm and its clip, the twins of gradNorm, clipGradNorm and untieGradients
// (src/train/adamw.ts), as a deterministic two-pass reduction (no float atomics in WGSL):
//   `partialSums`: up to GRAD_NORM_WORKGROUPS workgroups (gradNormGrid: fewer for a short range, whose
//                  unused partial slots must hold 0) sum weight·g² over grads[start, start+length), each over
//                  a grid-stride share fixed by the length, and write one partial each at
//                  partials[partialOffset + w].
//                  The whole gradient is one dispatch (weight 1); a tied span standing for `count` copies
//                  (vocab.ts) is one more with weight count - 1, as gradNorm counts it.
//   `finish`:      one workgroup adds the partialCount partials: result = [norm, clip], with
//                  clip = min(1, maxNorm / (norm + 1e-6)) as torch's clip_grad_norm_ computes it.
//   `clip`:        grads[i] *= result[1], read on the GPU, so the step never waits for the norm.
//   `divideRange`: grads[start, start+length) /= divisor (untieGradients: each copy gets its own share).
// Speed: memory-bound, one read of the gradient for the norm and one read-write for the clip.
// WORKGROUP_SIZE and GRAD_NORM_WORKGROUPS come from the generated header.

struct Params {
  start: u32,
  length: u32,
  weight: f32,
  partialOffset: u32,
  partialCount: u32,
  maxNorm: f32,
  divisor: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> grads: array<f32>; // (P)
@group(0) @binding(2) var<storage, read_write> partials: array<f32>; // (partialCount)
@group(0) @binding(3) var<storage, read_write> result: array<f32>; // (2): norm, clip factor

@compute @workgroup_size(WORKGROUP_SIZE)
fn partialSums(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
               @builtin(local_invocation_index) lid: u32) {
  var sum = 0.0;
  for (var j = wid.x * WORKGROUP_SIZE + lid; j < params.length; j += groups.x * WORKGROUP_SIZE) {
    let g = grads[params.start + j];
    sum += g * g;
  }
  let total = workgroupSum(lid, sum);
  if (lid == 0u) {
    partials[params.partialOffset + wid.x] = params.weight * total;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn finish(@builtin(local_invocation_index) lid: u32) {
  var sum = 0.0;
  for (var j = lid; j < params.partialCount; j += WORKGROUP_SIZE) {
    sum += partials[j];
  }
  let norm = sqrt(workgroupSum(lid, sum));
  if (lid == 0u) {
    result[0] = norm;
    result[1] = min(1.0, params.maxNorm / (norm + 1e-6));
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn clip(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.length) {
    return;
  }
  grads[params.start + i] *= result[1];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn divideRange(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.length) {
    return;
  }
  grads[params.start + i] /= params.divisor;
}
