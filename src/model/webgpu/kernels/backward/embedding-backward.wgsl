// Embedding backward, the twin of encoderBackward (src/model/cpu/ops/embedding.ts): every row of wte and wpe
// that the forward read gets the gradient of the rows it produced. WGSL has no float atomics, and a token may
// appear many times in a batch, so the scatter dwte[ids[n]] += dencoded[n] becomes a gather over a plan the
// host builds from the ids (embeddingBackwardPlan in backward-kernels.ts): the distinct tokens, and for each
// the positions n where it occurs, in increasing order. Then every element has one owner thread:
//   `tokens`:    one thread per (distinct token u, channel c): dwte[token_u, c] += Σ_n dencoded[n, c];
//   `positions`: one thread per (t, c): dwpe[t, c] += Σ_b dencoded[b, t, c].
// Both add in the CPU's order (n, resp. b, increasing), so the results are deterministic.
// Speed: memory-bound, one pass over dencoded each. WORKGROUP_SIZE comes from the generated header.

struct Params {
  B: u32,
  T: u32,
  C: u32,
  U: u32, // distinct tokens in the batch
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> dencoded: array<f32>; // (B, T, C)
// The plan, three arrays back to back: tokens (U), starts (U + 1) into positions, positions (B·T).
@group(0) @binding(2) var<storage, read> plan: array<u32>;
@group(0) @binding(3) var<storage, read_write> dwte: array<f32>; // (V, C)
@group(0) @binding(4) var<storage, read_write> dwpe: array<f32>; // (maxT, C)

fn elementIndex(gid: vec3u, groups: vec3u) -> u32 {
  return gid.x + gid.y * groups.x * WORKGROUP_SIZE;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn tokens(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = elementIndex(gid, groups);
  let C = params.C;
  if (i >= params.U * C) {
    return;
  }
  let u = i / C;
  let c = i % C;
  let token = plan[u];
  let first = plan[params.U + u];
  let end = plan[params.U + u + 1u];
  let positions = 2u * params.U + 1u;
  var sum = dwte[token * C + c];
  for (var j = first; j < end; j++) {
    sum += dencoded[plan[positions + j] * C + c];
  }
  dwte[token * C + c] = sum;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn positions(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = elementIndex(gid, groups); // t·C + c
  let C = params.C;
  if (i >= params.T * C) {
    return;
  }
  var sum = dwpe[i];
  for (var b = 0u; b < params.B; b++) {
    sum += dencoded[b * params.T * C + i];
  }
  dwpe[i] = sum;
}
