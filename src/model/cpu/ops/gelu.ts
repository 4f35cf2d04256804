// GELU, tanh approximation (GPT-2's `gelu_new`): 0.5·x·(1 + tanh(u)), u = √(2/π)·(x + 0.044715·x³), forward
// and backward, elementwise.

const GELU_SCALE = Math.sqrt(2 / Math.PI);

/** GELU, tanh approximation (GPT-2's `gelu_new`). */
export function geluForward(out: Float32Array, inp: Float32Array, N: number): void {
  for (let i = 0; i < N; i++) {
    const x = inp[i];
    out[i] = 0.5 * x * (1 + Math.tanh(GELU_SCALE * (x + 0.044715 * x * x * x)));
  }
}

/** GELU tanh backward: d/dx of 0.5·x·(1 + tanh(u)), u = √(2/π)·(x + 0.044715·x³). */
export function geluBackward(dinp: Float32Array, inp: Float32Array, dout: Float32Array, N: number): void {
  for (let i = 0; i < N; i++) {
    const x = inp[i];
    const u = GELU_SCALE * (x + 0.044715 * x * x * x);
    const tanhU = Math.tanh(u);
    const sech2 = 1 - tanhU * tanhU;
    const local = 0.5 * (1 + tanhU) + 0.5 * x * sech2 * GELU_SCALE * (1 + 3 * 0.044715 * x * x);
    dinp[i] += local * dout[i];
  }
}
