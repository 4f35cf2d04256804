// What the Train view reads off its curves: the moment the in-context gain jumps (the induction phase change),
// and a held-out loss that rises while the training loss falls (the model learning its text by heart).

/** A measure at a step. */
export interface StepValue {
  step: number;
  value: number;
}

/** The gain (nats per token) that counts as a jump: copying a span once read is then clearly cheaper. Before
 * any head copies, the gain on the Induction preset's held-out stories moves within ±0.15 of zero; once one
 * does, it settles at 0.4–0.5 there (the stories repeat their words anyway, which leaves less to gain). */
export const PHASE_CHANGE_GAIN = 0.3;

/**
 * The step of the phase change: the first measurement whose gain reaches half of the largest gain so far, once
 * that largest gain is PHASE_CHANGE_GAIN or more; null before. Half the peak, not a fixed level, so a model that
 * goes on to copy perfectly still has its jump marked where it happened, not where it ended.
 */
export function phaseChangeStep(gains: readonly StepValue[]): number | null {
  const peak = Math.max(-Infinity, ...gains.map((g) => g.value));
  if (peak < PHASE_CHANGE_GAIN) return null;
  return gains.find((g) => g.value >= peak / 2)?.step ?? null;
}

/** Held-out measurements in a row that must each rise for the notice. */
export const RISES_FOR_OVERFITTING = 3;
/** Steps of training loss averaged at each end of the window compared. */
const TRAIN_MEAN_STEPS = 20;

const meanAround = (losses: readonly StepValue[], step: number): number | null => {
  const near = losses.filter((p) => p.step <= step && p.step > step - TRAIN_MEAN_STEPS);
  return near.length === 0 ? null : near.reduce((sum, p) => sum + p.value, 0) / near.length;
};

/**
 * Whether the model is overfitting its text: the last RISES_FOR_OVERFITTING held-out measurements each rose,
 * while the training loss (its mean over 20 steps) fell over the same stretch. Returns the stretch, or null.
 */
export function overfitting(
  train: readonly StepValue[],
  heldOut: readonly StepValue[],
): { from: number; to: number } | null {
  const n = RISES_FOR_OVERFITTING;
  if (heldOut.length < n + 1) return null;
  const recent = heldOut.slice(-(n + 1));
  for (let i = 1; i < recent.length; i++) if (!(recent[i].value > recent[i - 1].value)) return null;
  const from = recent[0].step;
  const to = recent[n].step;
  const before = meanAround(train, from);
  const after = meanAround(train, to);
  if (before === null || after === null || !(after < before)) return null;
  return { from, to };
}
