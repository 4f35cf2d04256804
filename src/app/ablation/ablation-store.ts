// What the page knows about the ablation besides the setting: the last notice (a head list a model could not
// run, a click that would knock out every head) and the before/after comparison of the trace on screen.

import { create } from 'zustand';
import type { AppTrace } from '../data/types';
import type { AblationCompareResult } from '../worker/protocol';

export interface AblationState {
  /** One sentence: why heads were dropped or a click was refused; cleared by the next change that works. */
  notice: string | null;
  /** The comparison of an ablated trace (the one on screen, or the previous one until the new one arrives). */
  comparison: { trace: AppTrace; result: AblationCompareResult } | null;
  comparisonError: string | null;
}

export const useAblationStore = create<AblationState>()(() => ({
  notice: null,
  comparison: null,
  comparisonError: null,
}));
