// @vitest-environment jsdom
// What the steps say and show must match the settings: step 4 without positions, the greyed position toggle,
// formulas with real subscripts, the book's single head at step 7, and one precision per heatmap.

import './setup-dom';
import { describe, expect, it } from 'vitest';
import { act, render, screen } from '@testing-library/react';
import { StepView } from '../../src/app/StepView';
import { bookTrace } from '../../src/app/data/book-trace';
import { cellDigits } from '../../src/app/data/format';
import { matrix } from '../../src/model/attention';
import { useAppStore } from '../../src/app/store/store';
import { Controls } from '../../src/app/views/Controls';
import { modelTrace } from '../helpers/model-trace';

const show = (trace: Awaited<ReturnType<typeof modelTrace>> | ReturnType<typeof bookTrace>, patch = {}) =>
  act(() => {
    useAppStore.setState({ trace });
    useAppStore.getState().set(patch);
  });

const formula = () => document.querySelector('.formula')!;
const stepText = () => document.querySelector('article.step')!.textContent!;

describe('step texts follow the settings', () => {
  it('step 4 without position embeddings adds nothing and says so', async () => {
    render(<StepView />);
    show(await modelTrace('the cat saw the dog'), { step: 4 });
    expect(stepText()).toContain('+ Position embeddings');
    show(await modelTrace('the cat saw the dog'), { step: 4, positions: false });
    expect(stepText()).not.toMatch(/\+ Position embeddings|token \+ position/);
    expect(formula().textContent).not.toContain('wpe');
    expect(document.querySelector('[data-primary] h3')!.textContent).toMatch(/positions off/);
  });

  it('the greyed position toggle shows what is true: none in the book, always on in the model', async () => {
    render(<Controls />);
    const box = () => screen.getByRole('checkbox', { name: /^Position embeddings/ }) as HTMLInputElement;
    act(() => useAppStore.getState().set({ preset: 'book' }));
    expect(box().disabled).toBe(true);
    expect(box().checked).toBe(false);
    act(() => useAppStore.getState().set({ preset: 'none', positions: false, mode: 'trainable' }));
    expect(box().disabled).toBe(true);
    expect(box().checked).toBe(true);
    act(() => useAppStore.getState().set({ mode: 'naive' }));
    expect(box().checked).toBe(false);
  });

  it('writes subscripts as subscripts, never as underscores', async () => {
    render(<StepView />);
    const trace = await modelTrace('the cat');
    for (const [step, mode] of [
      [1, 'naive'],
      [5, 'trainable'],
      [7, 'trainable'],
    ] as const) {
      show(trace, { step, mode });
      expect(formula().textContent).not.toContain('_');
      expect(formula().querySelector('sub')).toBeTruthy();
      expect(document.querySelector('.explain')!.textContent).not.toContain('_');
    }
  });

  it('the book’s step 7 has one head and no output projection', () => {
    render(<StepView />);
    show(bookTrace(1), { preset: 'book', step: 7, mode: 'trainable' });
    expect(formula().textContent).not.toMatch(/W.?O|Z.?H/);
    expect(document.querySelector('.step-kicker')!.textContent).not.toMatch(/layer 1, head 1|Multi-head/);
  });

  it('prints every cell of a heatmap with the same number of decimals', () => {
    const mixed = matrix(1, 2, Float32Array.from([-14.3, -7.6629]));
    expect(cellDigits(mixed, 'wide')).toBe(cellDigits(matrix(1, 1, Float32Array.from([-14.3])), 'wide'));
    expect(cellDigits(matrix(1, 1, Float32Array.from([0.5])), 'wide')).toBe(4);
  });
});
