// Causal multi-head attention for training, the twin of attentionForward (src/model/cpu/ops/attention.ts):
// a whole (B, T) batch at once, q, k, v read in place from the fused qkv (B, T, 3C) (columns [q | k | v], head h
// at h·hs), and the softmax weights kept in att (B, NH, T, T), zero above the diagonal, for the backward pass
// (attention-backward.wgsl). Two dispatches:
//   `weights`: one workgroup per row (b, h, t): scores q[t]·k[t2]/√hs for t2 ≤ t, then a stable softmax;
//   `context`: one thread per element of out (B, T, C), heads merged: out[t] = Σ_{t2 ≤ t} a[t, t2] · v[t2].
// The explorer's forward (matmul.wgsl per head, softmax.wgsl) runs one sequence and keeps no weights for a
// batch. Speed: no tiling through workgroup memory, so memory-bound; fine at the training sizes here.
// ROW_WORKGROUP_SIZE and WORKGROUP_SIZE come from the generated header, the reduction and the softmax statistics
// from common/.

struct Params {
  B: u32,
  T: u32,
  C: u32,
  NH: u32,
  scale: f32, // 1 / √hs
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> qkv: array<f32>; // (B, T, 3C)
@group(0) @binding(2) var<storage, read_write> att: array<f32>; // (B, NH, T, T)
@group(0) @binding(3) var<storage, read_write> out: array<f32>; // (B, T, C)

// What the shared softmax statistics read (common/row-softmax.wgsl): the scaled scores the thread wrote. Each
// thread reads back only its own columns (the same stride as it wrote), so no barrier is needed before.
fn softmaxInput(row: u32, j: u32) -> f32 {
  return att[row + j];
}

@compute @workgroup_size(ROW_WORKGROUP_SIZE)
fn weights(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
           @builtin(local_invocation_index) lid: u32) {
  let T = params.T;
  let rowIndex = wid.x + wid.y * groups.x; // ((b·NH + h)·T + t)
  if (rowIndex >= params.B * params.NH * T) {
    return; // uniform across the workgroup
  }
  let C = params.C;
  let hs = C / params.NH;
  let t = rowIndex % T;
  let h = (rowIndex / T) % params.NH;
  let b = rowIndex / (T * params.NH);
  let row = rowIndex * T;
  let query = (b * T + t) * 3u * C + h * hs;
  // Each thread writes the scaled scores of its own columns t2 into att; the softmax statistics read them back.
  for (var t2 = lid; t2 <= t; t2 += ROW_WORKGROUP_SIZE) {
    let key = (b * T + t2) * 3u * C + C + h * hs;
    var dot = 0.0;
    for (var i = 0u; i < hs; i++) {
      dot += qkv[query + i] * qkv[key + i];
    }
    att[row + t2] = dot * params.scale;
  }
  let stats = rowSoftmaxStats(lid, row, t + 1u);
  let rowMax = stats.x;
  let inverseSum = 1.0 / stats.y;
  for (var t2 = lid; t2 < T; t2 += ROW_WORKGROUP_SIZE) {
    var weight = 0.0;
    if (t2 <= t) {
      weight = exp(att[row + t2] - rowMax) * inverseSum;
    }
    att[row + t2] = weight;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn context(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  let T = params.T;
  let C = params.C;
  if (i >= params.B * T * C) {
    return;
  }
  let hs = C / params.NH;
  let b = i / (T * C);
  let t = (i / C) % T;
  let c = i % C;
  let h = c / hs;
  let row = ((b * params.NH + h) * T + t) * T;
  var sum = 0.0;
  for (var t2 = 0u; t2 <= t; t2++) {
    sum += att[row + t2] * qkv[(b * T + t2) * 3u * C + 2u * C + c];
  }
  out[i] = sum;
}
