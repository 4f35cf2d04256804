// A run whose loss turns NaN or infinite has diverged: every step after it would only compute NaN. It stops
// there with the step and what to change, instead of a later "backward() needs a forward() first".

/** Training stopped because the loss stopped being a number. */
export class TrainingDivergedError extends Error {
  override name = 'TrainingDivergedError';
}

/** What a diverged run can change, per mode (the fixed-batch check has no warm-up and clips only on request). */
export const TRAINING_ADVICE = 'try a lower --lr, a lower --grad-clip or more --warmup-steps';
export const FIXED_BATCH_ADVICE = 'try a lower --lr, or add --grad-clip 1';
/** The Train view has no flags: its visitor picks a model size and a text. */
export const PAGE_TRAINING_ADVICE = 'try a smaller model size, or a longer text';

/** Throws TrainingDivergedError when `loss` of step `step` (from 0) is NaN or infinite. */
export function checkLoss(loss: number, step: number, advice: string): void {
  if (Number.isFinite(loss)) return;
  const what = Number.isNaN(loss) ? 'NaN' : 'infinite';
  throw new TrainingDivergedError(
    `the loss became ${what} at step ${step + 1}: training diverged; ${advice}`,
  );
}
