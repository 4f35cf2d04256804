// AssemblyScript: causal multi-head attention of a (B, T) batch for training, one (batch, head) pair per work
// item, reading q, k, v straight from the fused qkv (B, T, 3C). Built from the products in gemm.ts and the
// softmax in activations.ts; compute-bound in the products, O(T²·hs) per item.

import { auxBuffer, auxBytes, gemm_nn, gemm_nt, gemmNN, transposeInto } from './gemm';
import { softmax_causal, softmax_causal_backward } from './activations';

/**
 * out (B,T,C) = softmax(q·kᵀ/√hs, causal) · v per head, heads merged; att (B,NH,T,T) keeps the weights.
 * Items [i0, i1) of the B·NH (batch, head) pairs.
 */
export function attention_forward(
  out: usize,
  att: usize,
  qkv: usize,
  T: i32,
  C: i32,
  NH: i32,
  i0: i32,
  i1: i32,
): void {
  const hs = C / NH;
  const C3 = 3 * C;
  const scale: f32 = <f32>1 / Mathf.sqrt(<f32>hs);
  for (let item = i0; item < i1; item++) {
    const b = item / NH;
    const h = item % NH;
    const q = qkv + ((<usize>(b * T * C3 + h * hs)) << 2);
    const k = q + ((<usize>C) << 2);
    const v = q + ((<usize>(2 * C)) << 2);
    const a = att + ((<usize>item * <usize>T * <usize>T) << 2);
    scoresCausal(a, q, C3, k, C3, T, hs);
    softmax_causal(a, T, scale, 0, T);
    const o = out + ((<usize>(b * T * C + h * hs)) << 2);
    gemm_nn(o, C, a, T, 1, v, C3, 0, T, T, hs, 0, 0, 0, 0, T);
  }
}

/**
 * Backward of attention_forward, accumulated into dqkv (B,T,3C). `datt` (B,NH,T,T) is scratch for the
 * gradient of the weights, then of the scores. Items [i0, i1) of the (batch, head) pairs; different items
 * write different columns or rows of dqkv, so threads never touch the same output.
 */
export function attention_backward(
  dqkv: usize,
  datt: usize,
  dout: usize,
  qkv: usize,
  att: usize,
  T: i32,
  C: i32,
  NH: i32,
  i0: i32,
  i1: i32,
): void {
  const hs = C / NH;
  const C3 = 3 * C;
  const scale: f32 = <f32>1 / Mathf.sqrt(<f32>hs);
  for (let item = i0; item < i1; item++) {
    const b = item / NH;
    const h = item % NH;
    const headOffset = (<usize>(b * T * C3 + h * hs)) << 2;
    const q = qkv + headOffset;
    const k = q + ((<usize>C) << 2);
    const v = q + ((<usize>(2 * C)) << 2);
    const dq = dqkv + headOffset;
    const dk = dq + ((<usize>C) << 2);
    const dv = dq + ((<usize>(2 * C)) << 2);
    const a = att + ((<usize>item * <usize>T * <usize>T) << 2);
    const da = datt + ((<usize>item * <usize>T * <usize>T) << 2);
    const d = dout + ((<usize>(b * T * C + h * hs)) << 2);
    scoresCausal(da, d, C, v, C3, T, hs); // dA = dout · vᵀ (visible part)
    gemm_nn(dv, C3, a, 1, T, d, C, 0, T, T, hs, 1, -1, 0, 0, T); // dv += Aᵀ · dout
    softmax_causal_backward(da, a, T, scale, 0, T); // dS = A ⊙ (dA − Σ A·dA) / √hs
    gemm_nn(dq, C3, da, T, 1, k, C3, 0, T, T, hs, 1, 0, 0, 0, T); // dq += dS · k
    gemm_nn(dk, C3, da, 1, T, q, C3, 0, T, T, hs, 1, -1, 0, 0, T); // dk += dSᵀ · q
  }
}

/**
 * out (T,T) = x (T,hs) · yᵀ for columns ≤ row. With y transposed into this instance's scratch this is a
 * 4×8-tiled product; a dot product per entry (gemm_nt) spends most of its time summing lanes when hs is 16.
 */
function scoresCausal(out: usize, x: usize, ldx: i32, y: usize, ldy: i32, T: i32, hs: i32): void {
  if (<usize>T * <usize>hs * 4 > auxBytes) {
    gemm_nt(out, T, x, ldx, y, ldy, T, hs, T, 1, 0, 1, 0, 0, T);
    return;
  }
  transposeInto(auxBuffer, y, T, hs, ldy);
  gemmNN(out, T, x, ldx, 1, auxBuffer, T, 0, T, hs, T, 0, -1, 0, 0, T, 0, T);
}
