// Head ablation, in place on a layer's merged attention context (T, C), between the weighted sum of values
// and c_proj. A head is knocked out when its bit is set in headMask0 (heads 0–31) or headMask1 (32–63): its
// columns h·hs … (h+1)·hs become 0 (zero) or each column's mean over the T positions (mode ABLATE_MEAN, mean).
// One thread per column walks its T rows, twice for the mean; a column's rows belong to that thread alone,
// so no barrier is needed. It runs only on layers with an ablated head, so its cost is launches, not memory.
// The CPU twin is ablateContext in src/model/ablation.ts. WORKGROUP_SIZE and ABLATE_MEAN: generated header.

struct Params {
  T: u32,
  C: u32,
  hs: u32,
  headMask0: u32,
  headMask1: u32,
  mode: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> context: array<f32>; // (T, C)

fn isAblated(head: u32) -> bool {
  if (head < 32u) {
    return (params.headMask0 & (1u << head)) != 0u;
  }
  return (params.headMask1 & (1u << (head - 32u))) != 0u;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let c = gid.x; // one column of (T, C)
  if (c >= params.C || !isAblated(c / params.hs)) {
    return;
  }
  var value = 0.0;
  if (params.mode == ABLATE_MEAN) {
    for (var t = 0u; t < params.T; t++) {
      value += context[t * params.C + c];
    }
    value /= f32(params.T);
  }
  for (var t = 0u; t < params.T; t++) {
    context[t * params.C + c] = value;
  }
}
