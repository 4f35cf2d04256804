// dbias (OC) += the column sums of dout (N, OC): the bias gradient of every projection, the twin of
// biasBackward (src/model/cpu/ops/matmul.ts). One thread per column walks the N rows in order, so the sum is
// deterministic and adds up in the CPU's order; neighbouring threads read neighbouring words of each row.
// Speed: memory-bound, but only OC threads: a small OC on a big GPU leaves most of it idle (the bias sums
// are a small part of a step). WORKGROUP_SIZE comes from the generated header.

struct Params {
  N: u32,
  OC: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> dout: array<f32>; // (N, OC)
@group(0) @binding(2) var<storage, read_write> dbias: array<f32>; // (OC)

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let j = gid.x;
  if (j >= params.OC) {
    return;
  }
  var sum = dbias[j];
  for (var n = 0u; n < params.N; n++) {
    sum += dout[n * params.OC + j];
  }
  dbias[j] = sum;
}
