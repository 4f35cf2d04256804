// Scaling, causal mask and a numerically stable softmax, one workgroup per row of scores (head h, query i):
//   scaled[j]  = scores[j] · scale
//   weights[j] = exp(scaled[j] - max) / Σ exp(scaled[j'] - max)   over the visible j (j ≤ i when causal)
// and 0 for the masked j. Subtracting the row maximum keeps exp from overflowing on large scores, which
// the random test models produce on purpose. With writeScaled = 1 the scaled scores are kept for the trace.
// The rows may be those of several sequences, (B, NH, T) for training: a 2-D grid of workgroups (over 65535 rows)
// is folded back, and the workgroups past the last row of `weights` stop.
// ROW_WORKGROUP_SIZE (a power of two) comes from the generated header; the reduction and the softmax statistics
// from common/workgroup-reduce.wgsl and common/row-softmax.wgsl.

struct Params {
  T: u32,
  scale: f32,
  causal: u32,
  writeScaled: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> scores: array<f32>; // (rows, T)
@group(0) @binding(2) var<storage, read_write> scaledScores: array<f32>; // (rows, T), when writeScaled
@group(0) @binding(3) var<storage, read_write> weights: array<f32>; // (rows, T)

fn softmaxInput(row: u32, j: u32) -> f32 {
  return scores[row + j] * params.scale;
}

@compute @workgroup_size(ROW_WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let rowIndex = wid.x + wid.y * groups.x; // one workgroup per row of (B·NH·T) rows, query t = rowIndex % T
  if (rowIndex >= arrayLength(&weights) / params.T) {
    return; // uniform across the workgroup: only the padding of a 2-D grid gets here
  }
  let query = rowIndex % params.T;
  let row = rowIndex * params.T;
  let visible = select(params.T, query + 1u, params.causal == 1u);
  if (params.writeScaled == 1u) {
    for (var j = lid; j < params.T; j += ROW_WORKGROUP_SIZE) {
      scaledScores[row + j] = scores[row + j] * params.scale;
    }
  }
  let stats = rowSoftmaxStats(lid, row, visible);
  let rowMax = stats.x;
  let inverseSum = 1.0 / stats.y;
  for (var j = lid; j < params.T; j += ROW_WORKGROUP_SIZE) {
    var weight = 0.0;
    if (j < visible) {
      weight = exp(scores[row + j] * params.scale - rowMax) * inverseSum;
    }
    weights[row + j] = weight;
  }
}
