// The Train view's model sizes and their runs, apart from the trainer so the page can list them without
// loading any training code.

import type { RepeatSpanOptions } from './repeat-windows';

/** A model size and its run: small enough to train in a tab. */
export interface TrainPreset {
  id: 'micro' | 'tiny' | 'small' | 'induction';
  name: string;
  /** One line for the picker: what it is for. */
  note: string;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  /** Context and training window (T). */
  seq: number;
  batch: number; // B
  lr: number;
  /** Where the cosine ends, as a fraction of lr. */
  minLrFraction: number;
  warmupSteps: number;
  /** AdamW's weight decay on matrices and embeddings, and the gradient clip. */
  weightDecay: number;
  gradClip: number;
  /** Where the cosine ends; the run stops there. */
  steps: number;
  evalEvery: number;
  snapshotEvery: number;
  valWindows: number;
  /** Rows that end by repeating a span of themselves; only the Induction preset has them. */
  repeatSpans?: RepeatSpanOptions;
  /** How the position embeddings start (see TrainingRun); 'normal' when absent. */
  positionInit?: 'normal' | 'sinusoidal';
  /** Wall-clock minutes the whole run took where it was measured (see the preset's comment); shown as such. */
  measuredMinutes?: number;
}

export const TRAIN_PRESETS: readonly TrainPreset[] = [
  {
    id: 'micro',
    name: 'Micro: 1 layer × 2 heads, C = 32',
    note: 'Context 32; many steps a second on any CPU.',
    nLayer: 1,
    nHead: 2,
    nEmbd: 32,
    seq: 32,
    batch: 4,
    lr: 3e-3,
    minLrFraction: 0.1,
    warmupSteps: 20,
    weightDecay: 0.1,
    gradClip: 1,
    steps: 1000,
    evalEvery: 20,
    snapshotEvery: 10,
    valWindows: 16,
  },
  {
    id: 'tiny',
    name: 'Tiny: 2 layers × 4 heads, C = 64',
    note: 'Context 64; made for the CPU: a few minutes for attention to take shape.',
    nLayer: 2,
    nHead: 4,
    nEmbd: 64,
    seq: 64,
    batch: 8,
    lr: 3e-3,
    minLrFraction: 0.1,
    warmupSteps: 50,
    weightDecay: 0.1,
    gradClip: 1,
    steps: 3000,
    evalEvery: 50,
    snapshotEvery: 25,
    valWindows: 16,
  },
  {
    id: 'small',
    name: 'Small: 4 layers × 4 heads, C = 128',
    note: 'Context 128; sized for a GPU, and on the CPU it runs slowly.',
    nLayer: 4,
    nHead: 4,
    nEmbd: 128,
    seq: 128,
    batch: 8,
    lr: 2e-3,
    minLrFraction: 0.1,
    warmupSteps: 100,
    weightDecay: 0.1,
    gradClip: 1,
    steps: 5000,
    evalEvery: 100,
    snapshotEvery: 50,
    valWindows: 16,
  },
  {
    id: 'induction',
    name: 'Induction heads: 2 layers × 4 heads, C = 64',
    note: 'Context 64, and every window ends by reading 24–32 of its tokens again: watch a previous-token head form, then an induction head. Made for the Stories.',
    nLayer: 2,
    nHead: 4,
    nEmbd: 64,
    seq: 64,
    batch: 16,
    lr: 3e-3,
    minLrFraction: 0.5,
    warmupSteps: 50,
    weightDecay: 0.1,
    gradClip: 1,
    steps: 3500,
    evalEvery: 50,
    snapshotEvery: 50,
    valWindows: 16,
    // A previous-token head, the induction head's first half, needs "the position before" to be one fixed map.
    positionInit: 'sinusoidal',
    // Measured on the Stories (node, seed 1337, the page's 3000 lines): spans of the row's own text read again
    // train an induction head, where random tokens repeated (with 0.5 or 1 of the rows, spans of 4 to 32, lr 3e-3
    // to 1e-2, C = 32 or 64) left every head below 0.15 after 1000–4000 steps. Long spans teach it fastest: the
    // strongest induction score passed 0.3 at step 1250 with spans of 24–32 tokens, was at 0.29 by step 2000 with
    // 16–32, and ended 6000 steps at 0.31 with 8–32. Batches of 8 form it after as many tokens, so in twice the steps.
    repeatSpans: { share: 1, minSpan: 24, maxSpan: 32, source: 'text' },
    // tests/e2e/train-induction.test.ts in Chromium, CPU path, 2 WebAssembly threads, on the 2-core machine while
    // another engineer's tests ran: 4 min 13 s for the 3500 steps; the strongest induction score ends at 0.327.
    measuredMinutes: 4.2,
  },
];

export const presetById = (id: string): TrainPreset | undefined => TRAIN_PRESETS.find((p) => p.id === id);
