// Head ablation ("knock out a head"): which heads, how, and the CPU step that applies it to a layer's
// merged attention context (T, C) before c_proj. The WebGPU kernel ablate-heads.wgsl is its twin.

import type { ModelShape } from './config';
import { InputError } from './errors';

/** zero: the head's context is 0 at every position; mean: it is its mean over the text's positions. */
export const ABLATION_MODES = ['zero', 'mean'] as const;
export type AblationMode = (typeof ABLATION_MODES)[number];

/** Heads to knock out, as [layer, head] numbered from 0 (people see them from 1: "2.5" is [1, 4]). */
export interface Ablation {
  heads: [layer: number, head: number][];
  mode: AblationMode;
}

type Shape = Pick<ModelShape, 'nLayer' | 'nHead'>;

/** "L.H" as people count (from 1). */
export const headLabel = ([layer, head]: [number, number]) => `${layer + 1}.${head + 1}`;

/** The heads as people write them: "2.5,3.1". */
export const formatHeadList = (heads: Ablation['heads']) => heads.map(headLabel).join(',');

/**
 * Why this ablation cannot run on a model of this shape, as one sentence, or null when it can: a head the
 * model does not have, a head named twice, or every head of the model at once (nothing would be left to see).
 */
export function ablationProblem(ablation: Ablation, shape: Shape): string | null {
  if (!ABLATION_MODES.includes(ablation.mode))
    return `The ablation mode must be zero or mean, not "${String(ablation.mode)}".`;
  const seen = new Set<string>();
  for (const [layer, head] of ablation.heads) {
    const label = Number.isInteger(layer) && Number.isInteger(head) ? headLabel([layer, head]) : '?';
    if (!(Number.isInteger(layer) && layer >= 0 && layer < shape.nLayer))
      return `Head ${label} does not exist: this model has layers 1 to ${shape.nLayer}.`;
    if (!(Number.isInteger(head) && head >= 0 && head < shape.nHead))
      return `Head ${label} does not exist: this model has heads 1 to ${shape.nHead} in each layer.`;
    if (seen.has(label)) return `Head ${label} is named twice in the ablation.`;
    seen.add(label);
  }
  if (seen.size === shape.nLayer * shape.nHead)
    return `Knocking out all ${seen.size} heads leaves no attention at all; keep at least one head.`;
  return null;
}

/** Throws InputError with ablationProblem's sentence; the engines call it before any work. */
export function checkAblation(ablation: Ablation | undefined, shape: Shape): void {
  const problem = ablation && ablationProblem(ablation, shape);
  if (problem) throw new InputError(problem);
}

/**
 * Reads "2.5,3.1" (numbered from 1) into 0-based [layer, head] pairs; a malformed item throws InputError.
 * Range and duplicates are checked against a model by ablationProblem.
 */
export function parseHeadList(text: string): Ablation['heads'] {
  const items = text.split(',').map((item) => item.trim());
  return items.map((item) => {
    const match = /^(\d+)\.(\d+)$/.exec(item);
    if (!match) throw new InputError(`"${item}" is not a head: write layer.head, counted from 1, as in 2.5.`);
    return [Number(match[1]) - 1, Number(match[2]) - 1];
  });
}

/** The ablated heads of layer `l`, in ascending order (empty when the layer is untouched). */
export function ablatedHeadsOf(ablation: Ablation | undefined, l: number): number[] {
  if (!ablation) return [];
  return ablation.heads
    .filter(([layer]) => layer === l)
    .map(([, head]) => head)
    .sort((a, b) => a - b);
}

/**
 * The CPU step: overwrites the columns h·hs … (h+1)·hs of `context` (T, C) for each head in `heads`, with 0
 * (zero) or with that column's mean over the T positions (mean).
 */
export function ablateContext(
  context: Float32Array, // (T, C)
  heads: number[],
  mode: AblationMode,
  T: number,
  C: number,
  hs: number,
): void {
  for (const h of heads) {
    for (let c = h * hs; c < (h + 1) * hs; c++) {
      let value = 0;
      if (mode === 'mean') {
        for (let t = 0; t < T; t++) value += context[t * C + c];
        value /= T;
      }
      for (let t = 0; t < T; t++) context[t * C + c] = value;
    }
  }
}
