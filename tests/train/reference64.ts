// An independent float64 reference for the trainer: GPT-2's mean cross-entropy written out plainly, gradients
// by central finite differences (no shared backward code), and torch.optim.AdamW's update in float64.

import type { GPT2Config } from '../../src/model/config';

export type Params64 = Map<string, Float64Array>;

function layerNorm(x: Float64Array, w: Float64Array, b: Float64Array, N: number, C: number, eps: number) {
  const out = new Float64Array(N * C);
  for (let n = 0; n < N; n++) {
    let mean = 0;
    for (let c = 0; c < C; c++) mean += x[n * C + c] / C;
    let variance = 0;
    for (let c = 0; c < C; c++) variance += (x[n * C + c] - mean) ** 2 / C;
    const rstd = 1 / Math.sqrt(variance + eps);
    for (let c = 0; c < C; c++) out[n * C + c] = (x[n * C + c] - mean) * rstd * w[c] + b[c];
  }
  return out;
}

function linear(x: Float64Array, w: Float64Array, b: Float64Array, N: number, C: number, OC: number) {
  const out = new Float64Array(N * OC);
  for (let n = 0; n < N; n++) {
    for (let j = 0; j < OC; j++) {
      let sum = b[j];
      for (let k = 0; k < C; k++) sum += x[n * C + k] * w[k * OC + j];
      out[n * OC + j] = sum;
    }
  }
  return out;
}

function attention(qkv: Float64Array, T: number, C: number, NH: number) {
  const hs = C / NH;
  const out = new Float64Array(T * C);
  for (let h = 0; h < NH; h++) {
    for (let t = 0; t < T; t++) {
      const scores = [];
      for (let s = 0; s <= t; s++) {
        let dot = 0;
        for (let i = 0; i < hs; i++) dot += qkv[t * 3 * C + h * hs + i] * qkv[s * 3 * C + C + h * hs + i];
        scores.push(dot / Math.sqrt(hs));
      }
      const max = Math.max(...scores);
      const exps = scores.map((x) => Math.exp(x - max));
      const sum = exps.reduce((a, b) => a + b, 0);
      for (let s = 0; s <= t; s++) {
        for (let i = 0; i < hs; i++)
          out[t * C + h * hs + i] += (exps[s] / sum) * qkv[s * 3 * C + 2 * C + h * hs + i];
      }
    }
  }
  return out;
}

const gelu = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));

/** Mean cross-entropy of one sequence's next tokens. */
function sequenceLoss(p: Params64, config: GPT2Config, inputs: number[], targets: number[]): number {
  const { nEmbd: C, nHead: NH, layerNormEpsilon: eps, vocabSize: V } = config;
  const T = inputs.length;
  let x = new Float64Array(T * C);
  const wte = p.get('wte.weight')!;
  const wpe = p.get('wpe.weight')!;
  for (let t = 0; t < T; t++)
    for (let c = 0; c < C; c++) x[t * C + c] = wte[inputs[t] * C + c] + wpe[t * C + c];
  for (let l = 0; l < config.nLayer; l++) {
    const g = (name: string) => p.get(`h.${l}.${name}`)!;
    const qkv = linear(layerNorm(x, g('ln_1.weight'), g('ln_1.bias'), T, C, eps), g('attn.c_attn.weight'), g('attn.c_attn.bias'), T, C, 3 * C); // prettier-ignore
    const attnOut = linear(attention(qkv, T, C, NH), g('attn.c_proj.weight'), g('attn.c_proj.bias'), T, C, C);
    x = x.map((v, i) => v + attnOut[i]);
    const fc = linear(layerNorm(x, g('ln_2.weight'), g('ln_2.bias'), T, C, eps), g('mlp.c_fc.weight'), g('mlp.c_fc.bias'), T, C, 4 * C).map(gelu); // prettier-ignore
    const mlpOut = linear(fc, g('mlp.c_proj.weight'), g('mlp.c_proj.bias'), T, 4 * C, C);
    x = x.map((v, i) => v + mlpOut[i]);
  }
  const h = layerNorm(x, p.get('ln_f.weight')!, p.get('ln_f.bias')!, T, C, eps);
  let loss = 0;
  for (let t = 0; t < T; t++) {
    const logits = Array.from({ length: V }, (_, v) => {
      let dot = 0;
      for (let c = 0; c < C; c++) dot += h[t * C + c] * wte[v * C + c];
      return dot;
    });
    const max = Math.max(...logits);
    const logSum = Math.log(logits.reduce((a, z) => a + Math.exp(z - max), 0)) + max;
    loss += logSum - logits[targets[t]];
  }
  return loss / T;
}

/** Mean loss of the batch of B rows of T taken from tokens[0..B·T]. */
export function batchLoss(p: Params64, config: GPT2Config, tokens: number[], B: number, T: number): number {
  let total = 0;
  for (let b = 0; b < B; b++) {
    total += sequenceLoss(
      p,
      config,
      tokens.slice(b * T, (b + 1) * T),
      tokens.slice(b * T + 1, (b + 1) * T + 1),
    );
  }
  return total / B;
}

/** torch.optim.AdamW on one batch in float64, gradients by central differences; returns each step's loss. */
export function referenceAdamW(
  p: Params64,
  config: GPT2Config,
  tokens: number[],
  o: { B: number; T: number; steps: number; lr: number; weightDecay: number },
): number[] {
  const [beta1, beta2, eps, h] = [0.9, 0.999, 1e-8, 1e-5];
  const m = new Map([...p].map(([k, v]) => [k, new Float64Array(v.length)]));
  const v2 = new Map([...p].map(([k, v]) => [k, new Float64Array(v.length)]));
  const losses: number[] = [];
  for (let step = 1; step <= o.steps; step++) {
    losses.push(batchLoss(p, config, tokens, o.B, o.T));
    const grads = new Map<string, Float64Array>();
    for (const [key, values] of p) {
      const grad = new Float64Array(values.length);
      for (let i = 0; i < values.length; i++) {
        const saved = values[i];
        values[i] = saved + h;
        const up = batchLoss(p, config, tokens, o.B, o.T);
        values[i] = saved - h;
        const down = batchLoss(p, config, tokens, o.B, o.T);
        values[i] = saved;
        grad[i] = (up - down) / (2 * h);
      }
      grads.set(key, grad);
    }
    for (const [key, values] of p) {
      const [g, mk, vk] = [grads.get(key)!, m.get(key)!, v2.get(key)!];
      for (let i = 0; i < values.length; i++) {
        values[i] *= 1 - o.lr * o.weightDecay;
        mk[i] = beta1 * mk[i] + (1 - beta1) * g[i];
        vk[i] = beta2 * vk[i] + (1 - beta2) * g[i] * g[i];
        const denom = Math.sqrt(vk[i]) / Math.sqrt(1 - beta2 ** step) + eps;
        values[i] -= ((o.lr / (1 - beta1 ** step)) * mk[i]) / denom;
      }
    }
  }
  return losses;
}
