// Causal multi-head attention backward, the twin of attentionBackward (src/model/cpu/ops/attention.ts),
// on its layout: q, k, v read in place from the fused qkv (B, T, 3C) (columns [q | k | v], head h at h·hs),
// the forward's softmax weights att (B, NH, T, T), zero above the diagonal. Two dispatches:
//   `scores`: one workgroup per row (b, h, t). The gradient of the weights is da[t2] = v[t2] · dout[t]; the
//             softmax backward gives dscore = a ⊙ (da − Σ a·da), times the 1/√hs scale of the scores. It is
//             written to datt (B, NH, T, T), zero above the diagonal, the mask's zero gradient.
//   `inputs`: one thread per element of dqkv (B, T, 3C), accumulated (+=), each a sum over the causal range:
//             dq[t]  = Σ_{t2 ≤ t} dscore[t, t2] · k[t2]
//             dk[t2] = Σ_{t ≥ t2} dscore[t, t2] · q[t]
//             dv[t2] = Σ_{t ≥ t2} a[t, t2] · dout[t]
//             Every element is written by one thread, so no atomics are needed and the sums are deterministic.
// Speed: neither dispatch tiles its reads through workgroup memory, so both are bound by memory traffic; the
// per-head products could move to the tiled matmul (matmulGradKernel) with a two-level batch when it matters.
// ROW_WORKGROUP_SIZE and WORKGROUP_SIZE come from the generated header.

struct Params {
  B: u32,
  T: u32,
  C: u32,
  NH: u32,
  scale: f32, // 1 / √hs
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> dout: array<f32>; // (B, T, C) heads merged
@group(0) @binding(2) var<storage, read> qkv: array<f32>; // (B, T, 3C)
@group(0) @binding(3) var<storage, read> att: array<f32>; // (B, NH, T, T)
@group(0) @binding(4) var<storage, read_write> datt: array<f32>; // (B, NH, T, T) dscore
@group(0) @binding(5) var<storage, read_write> dqkv: array<f32>; // (B, T, 3C)

@compute @workgroup_size(ROW_WORKGROUP_SIZE)
fn scores(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
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
  let d = (b * T + t) * C + h * hs;
  // Each thread keeps the da of its own columns t2 in datt until the sum Σ a·da is known.
  var weighted = 0.0;
  for (var t2 = lid; t2 <= t; t2 += ROW_WORKGROUP_SIZE) {
    let value = (b * T + t2) * 3u * C + 2u * C + h * hs;
    var da = 0.0;
    for (var i = 0u; i < hs; i++) {
      da += qkv[value + i] * dout[d + i];
    }
    datt[row + t2] = da;
    weighted += att[row + t2] * da;
  }
  let weightedSum = workgroupSum(lid, weighted);
  for (var t2 = lid; t2 < T; t2 += ROW_WORKGROUP_SIZE) {
    var dscore = 0.0;
    if (t2 <= t) {
      dscore = att[row + t2] * (datt[row + t2] - weightedSum) * params.scale;
    }
    datt[row + t2] = dscore;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn inputs(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  let T = params.T;
  let C = params.C;
  let C3 = 3u * C;
  if (i >= params.B * T * C3) {
    return;
  }
  let hs = C / params.NH;
  let b = i / (T * C3);
  let t = (i / C3) % T;
  let column = i % C3;
  let part = column / C; // 0: q, 1: k, 2: v
  let h = (column % C) / hs;
  let e = column % hs;
  let heads = (b * params.NH + h) * T; // first row of this head's (T, T) block
  var sum = 0.0;
  if (part == 0u) {
    for (var t2 = 0u; t2 <= t; t2++) {
      sum += datt[(heads + t) * T + t2] * qkv[(b * T + t2) * C3 + C + h * hs + e];
    }
  } else if (part == 1u) {
    for (var tq = t; tq < T; tq++) {
      sum += datt[(heads + tq) * T + t] * qkv[(b * T + tq) * C3 + h * hs + e];
    }
  } else {
    for (var tq = t; tq < T; tq++) {
      sum += att[(heads + tq) * T + t] * dout[(b * T + tq) * C + h * hs + e];
    }
  }
  dqkv[i] += sum;
}
