// The tiled matmul of matmul.wgsl (same Params, bindings, B_TRANSPOSED, HAS_BIAS and causal modes, so it can
// stand in for it anywhere), laid out for big GPUs: each thread reads its operands from workgroup memory as
// vec4s. The benchmark measures it against matmul.wgsl; the engine does not run it yet.
//
// The generated header defines THREADS_X, THREADS_Y, TILE_K, B_TRANSPOSED, HAS_BIAS and the causal modes; the
// Params, the bindings, the loads of A and B and the causal tests are matmul.wgsl's (common/matmul-io.wgsl).
// Each thread owns 8 × 8 outputs as four 4 × 4 quadrants: rows 4·y .. 4·y+3 and the same rows shifted by
// TILE_M/2, columns 4·x .. 4·x+3 and the same shifted by TILE_N/2 (x, y: the thread's local id). So
// TILE_M = 8·THREADS_Y and TILE_N = 8·THREADS_X.
//
// Why: matmul.wgsl reads one float of workgroup memory per 4 multiply-adds (8 × 8 outputs per thread), which on
// an NVIDIA SM, with a quarter as many shared-memory loads as FMAs per clock, keeps it at about half of peak
// at best. Here a thread reads 4 vec4s (16 floats) per 64 multiply-adds, in 4 load instructions.
// tileA is stored transposed, [k][row], so that a thread's 4 consecutive rows form one vec4; rows of both
// tiles are padded by 4 floats so that the loads below store to 32 different banks.

const TILE_M: u32 = THREADS_Y * 8u;
const TILE_N: u32 = THREADS_X * 8u;
const THREADS: u32 = THREADS_X * THREADS_Y;
const A_STRIDE: u32 = TILE_M + 4u; // floats per k of tileA
const B_STRIDE: u32 = TILE_N + 4u; // floats per k of tileB

var<workgroup> tileA: array<vec4f, TILE_K * A_STRIDE / 4u>; // [k][row], 4 rows per vec4
var<workgroup> tileB: array<vec4f, TILE_K * B_STRIDE / 4u>; // [k][column], 4 columns per vec4

// Fills tileA and tileB for the tile step starting at depth k0. Where the matrix runs along k in memory (A,
// and B when transposed), lane i takes line 4·⌊i / (4·TILE_K)⌋ + i % 4 at depth (i / 4) % TILE_K: 32 lanes read
// 4 lines × 8 consecutive floats (whole 32-byte sectors) and, with the padded stride, store to 32 banks.
// Plain B runs along its columns: consecutive lanes take consecutive columns.
fn loadTiles(lid: u32, tile: OutputTile, k0: u32) {
  for (var i = lid; i < TILE_M * TILE_K; i += THREADS) {
    let r = (i / (4u * TILE_K)) * 4u + i % 4u;
    let k = (i / 4u) % TILE_K;
    let at = k * A_STRIDE + r;
    tileA[at / 4u][at % 4u] = loadA(tile.batch, tile.rowBase + r, k0 + k, tile.kEnd);
  }
  for (var i = lid; i < TILE_K * TILE_N; i += THREADS) {
    var c = i % TILE_N;
    var k = i / TILE_N;
    if (B_TRANSPOSED) {
      c = (i / (4u * TILE_K)) * 4u + i % 4u;
      k = (i / 4u) % TILE_K;
    }
    let at = k * B_STRIDE + c;
    tileB[at / 4u][at % 4u] = loadB(tile.batch, k0 + k, tile.colBase + c, tile.kEnd);
  }
}

@compute @workgroup_size(THREADS_X, THREADS_Y)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) local: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let tile = outputTile(wid);
  if (tileSkipped(tile)) {
    return;
  }
  // acc[2·i + h] for i < 4: row 4·y + i, column half h; acc[8 + 2·i + h]: the same row shifted by TILE_M/2.
  var acc: array<vec4f, 16>;

  for (var k0 = 0u; k0 < tile.kEnd; k0 += TILE_K) {
    loadTiles(lid, tile, k0);
    workgroupBarrier();
    for (var k = 0u; k < TILE_K; k++) {
      let a0 = tileA[k * (A_STRIDE / 4u) + local.y];
      let a1 = tileA[k * (A_STRIDE / 4u) + THREADS_Y + local.y];
      let b0 = tileB[k * (B_STRIDE / 4u) + local.x];
      let b1 = tileB[k * (B_STRIDE / 4u) + THREADS_X + local.x];
      for (var i = 0u; i < 4u; i++) {
        acc[2u * i] = fma(vec4f(a0[i]), b0, acc[2u * i]);
        acc[2u * i + 1u] = fma(vec4f(a0[i]), b1, acc[2u * i + 1u]);
        acc[8u + 2u * i] = fma(vec4f(a1[i]), b0, acc[8u + 2u * i]);
        acc[8u + 2u * i + 1u] = fma(vec4f(a1[i]), b1, acc[8u + 2u * i + 1u]);
      }
    }
    workgroupBarrier(); // the tiles are overwritten by the next step
  }

  let outBase = params.outOffset + tile.batch * params.outBatchStride;
  for (var i = 0u; i < 8u; i++) {
    let row = tile.rowBase + (i / 4u) * (TILE_M / 2u) + 4u * local.y + i % 4u;
    if (row >= params.M) {
      continue;
    }
    for (var h = 0u; h < 2u; h++) {
      let values = acc[8u * (i / 4u) + 2u * (i % 4u) + h];
      for (var c = 0u; c < 4u; c++) {
        let col = tile.colBase + h * (TILE_N / 2u) + 4u * local.x + c;
        if (col < params.N) {
          var value = values[c];
          if (HAS_BIAS) {
            value += bias[col];
          }
          out[outBase + row * params.outRowStride + col] = value;
        }
      }
    }
  }
}
