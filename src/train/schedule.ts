// The learning-rate schedule of a training run: linear warm-up, then a cosine down to lr · minLrFraction at the
// last step. Over only the fields it reads, so that the page's trainer uses it without importing the Node
// trainer (whose corpus reader needs node:fs); train-run.ts's learningRate is this function.

export interface ScheduleOptions {
  lr: number; // peak learning rate
  minLrFraction: number;
  warmupSteps: number;
  steps: number;
}

/** Learning rate at `step` (counted from 0). */
export function scheduledLearningRate(step: number, o: ScheduleOptions): number {
  if (step < o.warmupSteps) return (o.lr * (step + 1)) / o.warmupSteps;
  const progress = (step - o.warmupSteps) / Math.max(1, o.steps - 1 - o.warmupSteps);
  const minLr = o.lr * o.minLrFraction;
  return minLr + 0.5 * (o.lr - minLr) * (1 + Math.cos(Math.PI * Math.min(1, progress)));
}
