// What the numbers on the page should be: the CLI's own path (its default-model loader, the CPU engine and
// traceText) run in Node on the same text, and a relative comparison scaled by the values' magnitude.

import { expect } from 'vitest';
import { CpuEngine } from '../../src/model/cpu/forward';
import { traceText } from '../../src/model/engine';
import { headOf, type Trace } from '../../src/model/trace';
import { loadDefaultModel } from '../../src/node/default-model';
import { displayBytes, tokenBytes } from '../../src/tokenizer/gpt2';
import { probabilitiesAt } from '../../src/app/views/NextTokenPanel';
import { createSyncKernels } from '../../src/model/wasm/select';

let engine: CpuEngine | null = null;

/** The full trace `npm run trace -- --text TEXT` would write for the default model. */
export async function cliTrace(text: string): Promise<Trace> {
  engine ??= new CpuEngine((await loadDefaultModel()).weights, createSyncKernels());
  return traceText(engine, text, { logits: 'last' });
}

/** Tensor `name` of a trace as a flat list; `name.headN` slices one head out of a (NH, T, X) tensor. */
export function tensorValues(trace: Trace, name: string): number[] {
  const head = /^(.*)\.head(\d+)$/.exec(name);
  const tensor = trace.tensors[head ? head[1] : name];
  if (!tensor) throw new Error(`no tensor ${name} in the trace`);
  return Array.from(head ? headOf(tensor, Number(head[2])).data : tensor.data);
}

/** The most likely next token of a trace with last-position logits, as the next-token panel prints it. */
export function topNextToken(trace: Trace): { token: string; percent: string } {
  const logits = trace.tensors.logits.data;
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  const [p] = probabilitiesAt(logits, [best], 1);
  return { token: displayBytes(tokenBytes(best)), percent: `${(p * 100).toFixed(1)}%` };
}

/** Checks |a − b| ≤ tol · max(1, max|b|) element by element. */
export function expectClose(actual: number[], expected: number[], tol: number, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  const scale = Math.max(1, ...expected.map(Math.abs));
  let worst = 0;
  actual.forEach((a, i) => (worst = Math.max(worst, Math.abs(a - expected[i]))));
  expect(worst / scale, `${what}: max difference ${worst}`).toBeLessThanOrEqual(tol);
}
