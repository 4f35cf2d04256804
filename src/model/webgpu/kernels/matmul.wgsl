// out (M, N) = A (M, K) · B (K, N) + bias, tiled through workgroup memory and blocked in registers, for a
// batch of such products (workgroup z). It serves every product of the forward pass:
//   - the projections: B is a Conv1D weight stored (K, N);
//   - the logits: B = wteᵀ, wte stored (N, K), read column-wise through B_TRANSPOSED (never transposed);
//   - attention scores per head: q · kᵀ, with q and k read in place from the fused qkv (row stride 3C, one
//     head per batch entry) and B_TRANSPOSED; tiles wholly above the diagonal are skipped (CAUSAL_SKIP);
//   - the weighted sum per head: weights · v, stopping at the diagonal (CAUSAL_STOP), where the weights
//     end, and writing each head into its columns of the merged context;
//   - and the products of the backward pass, none of which transposes anything in memory (matmulBackwardInput
//     and matmulBackwardWeight in src/model/cpu/ops/matmul.ts): dinp += dout · weightᵀ (B_TRANSPOSED),
//     dweight += inpᵀ · dout (A_TRANSPOSED), and the tied head's dlnf = dlogits · wte, dwte += dlogitsᵀ · lnf.
//     ACCUMULATE adds to `out` (the CPU twins' +=) instead of overwriting it.
//
// The generated header defines THREADS_X, THREADS_Y (the workgroup), THREAD_M, THREAD_N (outputs per thread),
// TILE_K (the depth of a tile step), A_TRANSPOSED, B_TRANSPOSED, HAS_BIAS, ACCUMULATE and the causal modes. A workgroup owns a
// TILE_M × TILE_N block of the output, TILE_M = THREADS_Y·THREAD_M and TILE_N = THREADS_X·THREAD_N.
//
// Why it is fast: per step of TILE_K, the workgroup loads a TILE_M × TILE_K slice of A and a TILE_K × TILE_N
// slice of B once from global memory into workgroup memory; each thread then does THREAD_M·THREAD_N
// multiply-adds for every THREAD_M + THREAD_N values it reads from workgroup memory, with the accumulators
// in registers. A thread's outputs are strided by THREADS_Y rows and THREADS_X columns (not packed side
// by side), so neighbouring threads read neighbouring words of tileB and write neighbouring output words.
// Edges: loads outside A or B read 0 and stores outside `out` are skipped, so any M, N, K works.
// The Params, the bindings, the loads of A and B and the causal tests: common/matmul-io.wgsl.

const TILE_M: u32 = THREADS_Y * THREAD_M;
const TILE_N: u32 = THREADS_X * THREAD_N;
const THREADS: u32 = THREADS_X * THREADS_Y;

var<workgroup> tileA: array<f32, TILE_M * TILE_K>; // [row][k]
var<workgroup> tileB: array<f32, TILE_K * TILE_N>; // [k][column]

// Fills tileA and tileB for the tile step starting at depth k0. Consecutive threads take consecutive
// addresses of the matrix in memory, so global loads coalesce in both orientations of A and of B.
fn loadTiles(lid: u32, tile: OutputTile, k0: u32) {
  for (var i = lid; i < TILE_M * TILE_K; i += THREADS) {
    if (A_TRANSPOSED) {
      let k = i / TILE_M;
      let r = i % TILE_M;
      tileA[r * TILE_K + k] = loadA(tile.batch, tile.rowBase + r, k0 + k, tile.kEnd);
    } else {
      let r = i / TILE_K;
      let k = i % TILE_K;
      tileA[r * TILE_K + k] = loadA(tile.batch, tile.rowBase + r, k0 + k, tile.kEnd);
    }
  }
  for (var i = lid; i < TILE_K * TILE_N; i += THREADS) {
    if (B_TRANSPOSED) {
      let c = i / TILE_K;
      let k = i % TILE_K;
      tileB[k * TILE_N + c] = loadB(tile.batch, k0 + k, tile.colBase + c, tile.kEnd);
    } else {
      let k = i / TILE_N;
      let c = i % TILE_N;
      tileB[k * TILE_N + c] = loadB(tile.batch, k0 + k, tile.colBase + c, tile.kEnd);
    }
  }
}

@compute @workgroup_size(THREADS_X, THREADS_Y)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(local_invocation_id) local: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let tile = outputTile(wid);
  if (tileSkipped(tile)) {
    return;
  }
  var acc: array<f32, THREAD_M * THREAD_N>;
  var aValues: array<f32, THREAD_M>;
  var bValues: array<f32, THREAD_N>;

  for (var k0 = 0u; k0 < tile.kEnd; k0 += TILE_K) {
    loadTiles(lid, tile, k0);
    workgroupBarrier();
    for (var k = 0u; k < TILE_K; k++) {
      for (var i = 0u; i < THREAD_M; i++) {
        aValues[i] = tileA[(local.y + i * THREADS_Y) * TILE_K + k];
      }
      for (var j = 0u; j < THREAD_N; j++) {
        bValues[j] = tileB[k * TILE_N + local.x + j * THREADS_X];
      }
      for (var i = 0u; i < THREAD_M; i++) {
        for (var j = 0u; j < THREAD_N; j++) {
          acc[i * THREAD_N + j] = fma(aValues[i], bValues[j], acc[i * THREAD_N + j]);
        }
      }
    }
    workgroupBarrier(); // the tiles are overwritten by the next step
  }

  let outBase = params.outOffset + tile.batch * params.outBatchStride;
  for (var i = 0u; i < THREAD_M; i++) {
    let row = tile.rowBase + local.y + i * THREADS_Y;
    for (var j = 0u; j < THREAD_N; j++) {
      let col = tile.colBase + local.x + j * THREADS_X;
      if (row < params.M && col < params.N) {
        let index = outBase + row * params.outRowStride + col;
        var value = acc[i * THREAD_N + j];
        if (HAS_BIAS) {
          value += bias[col];
        }
        if (ACCUMULATE) {
          value += out[index];
        }
        out[index] = value;
      }
    }
  }
}
