// The textbook matmul, one output per thread straight from global memory: out (M, N) = A (M, K) · B (K, N).
// It is the baseline the tiled kernel (matmul.wgsl) is tested and benchmarked against, nothing more.
// THREADS_X and THREADS_Y come from the generated header.

struct Params {
  M: u32,
  N: u32,
  K: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>; // (M, K)
@group(0) @binding(2) var<storage, read> b: array<f32>; // (K, N)
@group(0) @binding(3) var<storage, read_write> out: array<f32>; // (M, N)

@compute @workgroup_size(THREADS_X, THREADS_Y)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let row = gid.y;
  let col = gid.x;
  if (row >= params.M || col >= params.N) {
    return;
  }
  var sum = 0.0;
  for (var k = 0u; k < params.K; k++) {
    sum = fma(a[row * params.K + k], b[k * params.N + col], sum);
  }
  out[row * params.N + col] = sum;
}
