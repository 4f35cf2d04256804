// The peer the CPU bench measures against: TensorFlow.js on its WebAssembly backend (XNNPACK, 128-bit SIMD),
// a devDependency used here alone. It runs the same products and a GPT-2 forward on the same weights.

import type { GPT2Weights } from '../model/weights';

type Tf = typeof import('@tensorflow/tfjs-core');
type Tensor2D = import('@tensorflow/tfjs-core').Tensor2D;
type Tensor1D = import('@tensorflow/tfjs-core').Tensor1D;

let loaded: Promise<Tf> | null = null;

/** tfjs-core with the wasm backend, single-threaded (in Node the backend has no threads). */
export function loadTfWasm(): Promise<Tf> {
  loaded ??= (async () => {
    const tf = await import('@tensorflow/tfjs-core');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setThreadsCount(1);
    await tf.setBackend('wasm');
    await tf.ready();
    return tf;
  })();
  return loaded;
}

/** A GPT-2 forward pass in tfjs ops, returning the logits of the last position (1, V). */
export class TfGpt2 {
  private readonly tensors: ReturnType<TfGpt2['upload']>;

  constructor(
    private readonly tf: Tf,
    private readonly weights: GPT2Weights,
  ) {
    this.tensors = this.upload();
  }

  private upload() {
    const { tf, weights } = this;
    const { nEmbd: C, vocabSize: V, nPositions } = weights.config;
    const m = (data: Float32Array, rows: number, cols: number) => tf.tensor2d(data, [rows, cols]);
    const v = (data: Float32Array) => tf.tensor1d(data);
    return {
      wte: m(weights.wte, V, C),
      wpe: m(weights.wpe, nPositions, C),
      lnF: [v(weights.lnFWeight), v(weights.lnFBias)] as const,
      layers: weights.layers.map((l) => ({
        ln1: [v(l.ln1Weight), v(l.ln1Bias)] as const,
        qkv: [m(l.qkvWeight, C, 3 * C), v(l.qkvBias)] as const,
        proj: [m(l.attnProjWeight, C, C), v(l.attnProjBias)] as const,
        ln2: [v(l.ln2Weight), v(l.ln2Bias)] as const,
        fc: [m(l.fcWeight, C, 4 * C), v(l.fcBias)] as const,
        fcProj: [m(l.fcProjWeight, 4 * C, C), v(l.fcProjBias)] as const,
      })),
    };
  }

  private layerNorm(x: Tensor2D, [gain, bias]: readonly [Tensor1D, Tensor1D]): Tensor2D {
    const { tf } = this;
    const { mean, variance } = tf.moments(x, -1, true);
    const eps = this.weights.config.layerNormEpsilon;
    return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), gain), bias);
  }

  private linear(x: Tensor2D, [weight, bias]: readonly [Tensor2D, Tensor1D]): Tensor2D {
    return this.tf.add(this.tf.matMul(x, weight), bias);
  }

  private gelu(x: Tensor2D): Tensor2D {
    const { tf } = this;
    const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
    return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
  }

  /** Logits of the last position, (V). */
  lastLogits(ids: number[]): Float32Array {
    const { tf } = this;
    const { nEmbd: C, nHead: NH } = this.weights.config;
    const T = ids.length;
    const hs = C / NH;
    const t = this.tensors;
    const result = tf.tidy(() => {
      let x = tf.add(
        tf.gather(t.wte, tf.tensor1d(ids, 'int32')),
        tf.slice(t.wpe, [0, 0], [T, C]),
      ) as Tensor2D;
      const mask = tf.linalg.bandPart(tf.ones([T, T]), -1, 0);
      const negative = tf.mul(tf.sub(1, mask), -1e9);
      for (const layer of t.layers) {
        const qkv = this.linear(this.layerNorm(x, layer.ln1), layer.qkv);
        const heads = (i: number) =>
          tf.transpose(tf.reshape(tf.slice(qkv, [0, i * C], [T, C]), [T, NH, hs]), [1, 0, 2]);
        const scores = tf.add(
          tf.mul(tf.matMul(heads(0), heads(1), false, true), 1 / Math.sqrt(hs)),
          negative,
        );
        const context = tf.matMul(tf.softmax(scores), heads(2)); // (NH, T, hs)
        const merged = tf.reshape(tf.transpose(context, [1, 0, 2]), [T, C]) as Tensor2D;
        x = tf.add(x, this.linear(merged, layer.proj));
        const mlp = this.linear(this.gelu(this.linear(this.layerNorm(x, layer.ln2), layer.fc)), layer.fcProj);
        x = tf.add(x, mlp);
      }
      const last = tf.slice(this.layerNorm(x, t.lnF), [T - 1, 0], [1, C]);
      return tf.matMul(last, t.wte, false, true);
    });
    const data = result.dataSync() as Float32Array;
    result.dispose();
    return data;
  }
}
