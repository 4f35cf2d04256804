// Softmax cross-entropy over a vocabulary of V, forward and backward, the twins of crossEntropyForward and
// crossEntropyBackward (src/model/cpu/ops/logits.ts). Both work in place on the (N, V) logits: the forward
// turns them into probabilities and writes each row's loss, the backward turns the probabilities into
// dloss/dlogits = (p - onehot(target)) / N, the gradient of the mean loss. The mean itself is left to the
// caller (N numbers), as the per-row losses are what a trainer reads anyway.
// Speed: memory-bound, three passes over each row of logits; `forward` is one workgroup per row, so short
// batches leave a big GPU mostly idle. ROW_WORKGROUP_SIZE and WORKGROUP_SIZE come from the generated header, the
// reduction and the softmax statistics from common/.

struct Params {
  N: u32, // rows (B·T)
  V: u32, // vocabulary
  hasBias: u32, // 1: logitBias is added to every row first (see src/train/vocab.ts)
  scale: f32, // 1 / N, used by `backward`
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> targets: array<u32>; // (N)
@group(0) @binding(2) var<storage, read> logitBias: array<f32>; // (V), read when hasBias
@group(0) @binding(3) var<storage, read_write> logits: array<f32>; // (N, V): logits → probabilities → dlogits
@group(0) @binding(4) var<storage, read_write> losses: array<f32>; // (N)

fn biasedLogit(row: u32, v: u32) -> f32 {
  var x = logits[row + v];
  if (params.hasBias == 1u) {
    x += logitBias[v];
  }
  return x;
}

// What the shared softmax statistics read (common/row-softmax.wgsl).
fn softmaxInput(row: u32, v: u32) -> f32 {
  return biasedLogit(row, v);
}

// One workgroup per row n: loss = log Σ exp(x - max) - (x[target] - max), probabilities exp(x - max - logSum).
// Every thread reads the target's logit before the reductions and nothing is written until after them, so
// no thread can read a probability in place of a logit.
@compute @workgroup_size(ROW_WORKGROUP_SIZE)
fn forward(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
           @builtin(local_invocation_index) lid: u32) {
  let n = wid.x + wid.y * groups.x;
  if (n >= params.N) {
    return; // uniform across the workgroup, so the barriers below stay uniform
  }
  let row = n * params.V;
  let targetLogit = biasedLogit(row, targets[n]);
  let stats = rowSoftmaxStats(lid, row, params.V);
  let rowMax = stats.x;
  let logSum = log(stats.y);
  for (var v = lid; v < params.V; v += ROW_WORKGROUP_SIZE) {
    logits[row + v] = exp(biasedLogit(row, v) - rowMax - logSum);
  }
  if (lid == 0u) {
    losses[n] = logSum - (targetLogit - rowMax);
  }
}

// One thread per element of (N, V): probabilities → gradient of the mean loss.
@compute @workgroup_size(WORKGROUP_SIZE)
fn backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.N * params.V) {
    return;
  }
  let n = i / params.V;
  var d = logits[i] * params.scale;
  if (i % params.V == targets[n]) {
    d -= params.scale;
  }
  logits[i] = d;
}
