// @vitest-environment jsdom
// The Induction preset's charts and the overfitting notice, rendered from measures written by hand: one line per
// head and kind, the strongest heads named, the phase change marked where the gain jumped, and the notice with
// its advice only when the held-out loss rose while the training loss fell.

import './setup-dom';
import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/react';
import { InductionCharts } from '../../src/app/train/InductionCharts';
import { OverfittingNotice } from '../../src/app/train/OverfittingNotice';
import type { RepeatPoint } from '../../src/app/train/train-protocol';

/** Two layers of two heads: layer 1 head 2 becomes a previous-token head, then layer 2 head 1 an induction head. */
function point(i: number): RepeatPoint {
  const previous = Math.min(0.9, 0.1 * i);
  const induction = i < 5 ? 0.02 : Math.min(0.8, 0.2 * (i - 4));
  return {
    step: 25 * i,
    tokensSeen: 25 * i * 512,
    earlyLoss: 3,
    lateLoss: i < 5 ? 3 : 1.5,
    gain: i < 5 ? 0 : 1.5,
    previousToken: [
      [0.05, previous],
      [0.05, 0.05],
    ],
    induction: [
      [0.02, 0.02],
      [induction, 0.02],
    ],
  };
}

describe('InductionCharts', () => {
  it('draws a line per head and kind, names the strongest heads, and marks the jump in the gain', () => {
    const points = Array.from({ length: 10 }, (_, i) => point(i));
    render(<InductionCharts points={points} marker={100} width={400} />);
    const heads = screen.getByTestId('head-score-chart');
    expect(heads.querySelectorAll('path.previous')).toHaveLength(4);
    expect(heads.querySelectorAll('path.induction')).toHaveLength(4);
    expect(heads.getAttribute('data-induction')).toBe('0.8000');
    expect(heads.getAttribute('aria-label')).toMatch(/highest induction score is 0\.80 \(layer 2, head 1\)/);
    expect(heads.getAttribute('data-series')!.split(',')[9]).toBe('225:0.900:0.800');
    const gain = screen.getByTestId('gain-chart');
    expect(gain.getAttribute('data-phase-step')).toBe('125');
    expect(gain.querySelector('.phase text')!.textContent).toBe('phase change');
    expect(screen.getByTestId('gain-text').textContent).toMatch(/It jumped at step 125, about 64k tokens in/);
  });

  it('says no jump yet before the gain passes half a nat', () => {
    render(<InductionCharts points={[point(0), point(1)]} marker={null} width={400} />);
    expect(screen.getByTestId('gain-chart').getAttribute('data-phase-step')).toBe('');
    expect(screen.getByTestId('gain-text').textContent).toMatch(/No jump yet/);
  });
});

describe('OverfittingNotice', () => {
  const train = Array.from({ length: 100 }, (_, i) => ({ step: i + 1, loss: 4 - i / 50 }));

  it('names the stretch and what to try when the held-out loss rose three times as the training loss fell', () => {
    const heldOut = [10, 3, 3.1, 3.2, 3.3].map((loss, i) => ({ step: 20 * i, loss }));
    render(<OverfittingNotice train={train} heldOut={heldOut} />);
    expect(screen.getByTestId('train-overfitting').textContent).toMatch(
      /overfitting its text: from step 20 to 80 .* more text, a smaller model, or fewer steps .* lowest at step 20/,
    );
  });

  it('stays away while the held-out loss falls', () => {
    const heldOut = [10, 3, 2.9, 2.8, 2.7].map((loss, i) => ({ step: 20 * i, loss }));
    render(<OverfittingNotice train={train} heldOut={heldOut} />);
    expect(screen.queryByTestId('train-overfitting')).toBeNull();
  });
});
