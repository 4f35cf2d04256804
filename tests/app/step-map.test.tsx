// @vitest-environment jsdom
// The map of the steps: every step has a box, the current one is marked for screen readers, a click opens a step,
// the boxes follow the toggles, and a phone gets the map folded.

import './setup-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, within } from '@testing-library/react';
import { DEFAULT_SETTINGS } from '../../src/app/data/types';
import { StepMap } from '../../src/app/views/StepMap';

const settings = { ...DEFAULT_SETTINGS };

/** Makes window.matchMedia answer `narrow` for the phone query. */
function stubWidth(narrow: boolean) {
  vi.stubGlobal('matchMedia', (query: string) => ({
    matches: narrow && query.includes('max-width'),
    addEventListener: () => {},
    removeEventListener: () => {},
  }));
}

afterEach(() => vi.unstubAllGlobals());

describe('StepMap', () => {
  it('has a box per step in order, marks the current one, and opens the one clicked', () => {
    stubWidth(false);
    const onOpen = vi.fn();
    render(<StepMap step={5} settings={settings} onOpen={onOpen} />);
    const map = screen.getByRole('navigation', { name: 'Map of the steps' });
    const boxes = within(map).getAllByRole('button');
    expect(boxes.map((b) => b.textContent!.split(' ')[0])).toEqual([
      'Tokens',
      'Token',
      'Position',
      'Sum',
      'Scores',
      'Weights',
      'Context',
    ]);
    expect(boxes.filter((b) => b.getAttribute('aria-current') === 'step')).toEqual([boxes[4]]);
    fireEvent.click(boxes[2]);
    expect(onOpen).toHaveBeenCalledWith(3);
    // No box's name collides with a step-list button ("6 Attention weights") or starts with a step number.
    for (const box of boxes) expect(box.textContent).not.toMatch(/^\d|Attention/);
    expect(map.closest('details')).toBeNull();
  });

  it('follows the toggles: positions off leaves the position table out, the mask shows in the weights', () => {
    stubWidth(false);
    const { rerender } = render(<StepMap step={1} settings={settings} onOpen={() => {}} />);
    expect(screen.getByRole('button', { name: /^Sum/ }).textContent).toBe('Sum x = t + p');
    rerender(
      <StepMap step={1} settings={{ ...settings, positions: false, causal: true }} onOpen={() => {}} />,
    );
    expect(screen.getByRole('button', { name: /^Position table/ }).className).toMatch(/off/);
    expect(screen.getByRole('button', { name: /^Position table/ }).textContent).toMatch(/not added/);
    expect(screen.getByRole('button', { name: /^Sum/ }).textContent).toBe('Sum x = t');
    expect(screen.getByRole('button', { name: /^Weights/ }).textContent).toMatch(/masked/);
  });

  it('folds into a details element on a phone, whose summary names where you are', () => {
    stubWidth(true);
    render(<StepMap step={6} settings={settings} onOpen={() => {}} />);
    const details = screen.getByTestId('step-map');
    expect(details.tagName).toBe('DETAILS');
    expect(details.hasAttribute('open')).toBe(false);
    expect(details.querySelector('summary')!.textContent).toBe('Map of the steps: you are at weights');
  });
});
