// What the Train view reads off its curves: the step of the in-context gain's jump, and a held-out loss rising
// while the training loss falls, on curves written by hand.

import { describe, expect, it } from 'vitest';
import { overfitting, phaseChangeStep } from '../../src/app/train/training-signals';

const points = (values: number[], every = 10) => values.map((value, i) => ({ step: i * every, value }));

describe('phaseChangeStep', () => {
  it('marks the first measurement at half the peak gain, once the peak is 0.3 nats or more', () => {
    expect(phaseChangeStep([])).toBeNull();
    expect(phaseChangeStep(points([0, -0.1, 0.15, 0.1, 0.25]))).toBeNull();
    // The Induction preset's curve: noise around zero, then a rise to 0.4 between steps 30 and 50.
    expect(phaseChangeStep(points([-0.11, -0.05, 0.07, 0.22, 0.41, 0.47, 0.37]))).toBe(40);
    // A plateau, a jump between steps 40 and 60, then a slow climb: the mark sits in the jump.
    expect(phaseChangeStep(points([0, 0.05, 0.1, 0.1, 0.3, 1.2, 1.6, 1.8, 2]))).toBe(50);
    // The later climb does not move it later: half of 4 is still first reached at step 50.
    expect(phaseChangeStep(points([0, 0.05, 0.1, 0.1, 0.3, 2.2, 2.5, 3, 4]))).toBe(50);
  });
});

describe('overfitting', () => {
  const falling = Array.from({ length: 100 }, (_, i) => ({ step: i + 1, value: 5 - i / 50 }));

  it('is the stretch where the held-out loss rose three times in a row while the training loss fell', () => {
    const heldOut = [
      { step: 0, value: 10 },
      { step: 20, value: 4 },
      { step: 40, value: 4.1 },
      { step: 60, value: 4.2 },
      { step: 80, value: 4.3 },
    ];
    expect(overfitting(falling, heldOut)).toEqual({ from: 20, to: 80 });
  });

  it('says nothing for two rises, a dip among the rises, or a training loss that rose too', () => {
    const two = [
      { step: 20, value: 4 },
      { step: 40, value: 4.1 },
      { step: 60, value: 4.2 },
    ];
    expect(overfitting(falling, two)).toBeNull();
    const dip = [...two, { step: 80, value: 4.15 }];
    expect(overfitting(falling, dip)).toBeNull();
    const rising = falling.map((p) => ({ step: p.step, value: 10 - p.value }));
    expect(overfitting(rising, [...two, { step: 80, value: 4.3 }])).toBeNull();
  });
});
