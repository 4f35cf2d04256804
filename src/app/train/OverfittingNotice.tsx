// A notice under the loss chart when the held-out loss has risen for a few measurements while the training loss
// fell: the model is learning its text by heart, and three ways out.

import { useMemo } from 'react';
import { overfitting, RISES_FOR_OVERFITTING } from './training-signals';

interface OverfittingNoticeProps {
  /** Training loss after each step. */
  train: { step: number; loss: number }[];
  /** Held-out loss at the steps it was measured. */
  heldOut: { step: number; loss: number }[];
}

export function OverfittingNotice({ train, heldOut }: OverfittingNoticeProps) {
  const stretch = useMemo(
    () =>
      overfitting(
        train.map((p) => ({ step: p.step, value: p.loss })),
        heldOut.map((p) => ({ step: p.step, value: p.loss })),
      ),
    [train, heldOut],
  );
  if (!stretch) return null;
  return (
    <p className="notice info" role="status" data-testid="train-overfitting">
      The model is overfitting its text: from step {stretch.from} to {stretch.to} the held-out loss rose{' '}
      {RISES_FOR_OVERFITTING} times in a row while the training loss fell, so it is learning this text by
      heart rather than what carries over to new text. Try more text, a smaller model, or fewer steps (the
      held-out loss was lowest at step {lowest(heldOut)}).
    </p>
  );
}

const lowest = (points: { step: number; loss: number }[]) =>
  points.reduce((best, p) => (p.loss < best.loss ? p : best), points[0]).step;
