// The ablation as the page keeps it: a setting `ablate` written as people count heads ("2.4,1.1", from 1, as
// in the URL and in `npm run trace -- --ablate`) and a mode, turned into the engines' 0-based Ablation here.

import { ablationProblem, formatHeadList, parseHeadList, type Ablation } from '../../model/ablation';
import type { ModelShape } from '../../model/config';
import { InputError } from '../../model/errors';
import type { Settings } from '../data/types';

type Shape = Pick<ModelShape, 'nLayer' | 'nHead'>;

/** The setting's heads, or the sentence that says why it cannot be read (and, with a model, run). */
export function readAblationSetting(
  settings: Pick<Settings, 'ablate' | 'ablateMode'>,
  shape?: Shape,
): { ablation: Ablation | null; problem: string | null } {
  if (settings.ablate.trim() === '') return { ablation: null, problem: null };
  let ablation: Ablation;
  try {
    ablation = { heads: parseHeadList(settings.ablate), mode: settings.ablateMode };
  } catch (error) {
    if (error instanceof InputError) return { ablation: null, problem: error.message };
    throw error;
  }
  const problem = shape ? ablationProblem(ablation, shape) : null;
  return problem ? { ablation: null, problem } : { ablation, problem: null };
}

/** What a trace request carries: the setting's heads if they can run on `shape` (any model while unknown). */
export function ablationForRequest(
  settings: Pick<Settings, 'ablate' | 'ablateMode'>,
  shape?: Shape,
): Ablation | undefined {
  return readAblationSetting(settings, shape).ablation ?? undefined;
}

/** The setting with head [layer, head] (0-based) added, or taken out if it was there; heads kept in order. */
export function toggledHeads(ablate: string, layer: number, head: number): string {
  let heads: Ablation['heads'];
  try {
    heads = ablate.trim() === '' ? [] : parseHeadList(ablate);
  } catch {
    heads = [];
  }
  const present = heads.some(([l, h]) => l === layer && h === head);
  const next = present
    ? heads.filter(([l, h]) => l !== layer || h !== head)
    : [...heads, [layer, head] as [number, number]];
  next.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return formatHeadList(next);
}

/** Whether head [layer, head] (0-based) is in the setting. */
export function isKnockedOut(ablate: string, layer: number, head: number): boolean {
  return ablate.split(',').some((item) => item.trim() === `${layer + 1}.${head + 1}`);
}
