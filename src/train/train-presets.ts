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
    note: 'Context 64, and every window ends by reading a span of itself again: watch a previous-token head form, then an induction head. Made for the Stories.',
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
    steps: 6000,
    evalEvery: 50,
    snapshotEvery: 50,
    valWindows: 16,
    // A previous-token head, the induction head's first half, needs "the position before" to be one fixed map.
    positionInit: 'sinusoidal',
    // Measured on the Stories (node, 2 threads, a loaded 2-core machine): spans of the row's own text read
    // again train an induction head slowly but steadily, where random tokens repeated (with 0.5 or 1 of the
    // rows, spans of 4 to 32, lr 3e-3 to 1e-2, C = 32 or 64) left every head below 0.15 after 1000–4000 steps.
    repeatSpans: { share: 1, minSpan: 8, maxSpan: 32, source: 'text' },
    // tests/e2e/train-induction.test.ts in Chromium, CPU path, 2 WebAssembly threads, on a 2-core machine shared
    // with other work: 7 min 27 s for the 6000 steps; the strongest induction score ended at 0.31.
    measuredMinutes: 7.5,
  },
];

export const presetById = (id: string): TrainPreset | undefined => TRAIN_PRESETS.find((p) => p.id === id);
