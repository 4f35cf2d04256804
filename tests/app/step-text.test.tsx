// @vitest-environment jsdom
// What the steps say and show must match the settings: step 4 without positions, the greyed position toggle,
// formulas with real subscripts, the book's single head at step 7, one precision per heatmap, and what the
// position and mask toggles do at steps 3, 5 and 6 (issue 28).

import './setup-dom';
import { describe, expect, it } from 'vitest';
import { act, render, screen } from '@testing-library/react';
import { DEFAULT_TEXT } from '../../src/app/data/types';
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

  it('step 3 with positions off says its table is not added', async () => {
    render(<StepView />);
    const trace = await modelTrace('the cat saw the dog');
    show(trace, { step: 3 });
    expect(stepText()).not.toMatch(/not added/);
    show(trace, { step: 3, positions: false });
    expect(document.querySelector('.explain')!.textContent).toMatch(/this table is not added at step 4/);
    expect(formula().textContent).toMatch(/not added/);
  });

  it('step 5 says the mask is applied at step 6, with the mask on and off', async () => {
    render(<StepView />);
    const trace = await modelTrace('the cat saw the dog');
    show(trace, { step: 5 });
    expect(document.querySelector('.explain')!.textContent).toMatch(/applied at step 6/);
    show(trace, { step: 5, causal: true });
    expect(document.querySelector('.explain')!.textContent).toMatch(/mask is applied at step 6.*−∞/);
  });

  it('step 6 with the mask has the masked softmax, its own heading and §3.5.1; without it, neither', async () => {
    render(<StepView />);
    const trace = await modelTrace('the cat saw the dog');
    show(trace, { step: 6 });
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('Attention weights');
    expect(formula().textContent).not.toMatch(/−∞/);
    expect(document.querySelector('.section')!.textContent).not.toMatch(/3\.5/);
    show(trace, { step: 6, causal: true });
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('Masked attention weights');
    expect(formula().textContent).toMatch(/ωᵢⱼ = −∞ for j > i/);
    expect(formula().querySelector('sub')!.textContent).toBe('k≤i');
    expect(document.querySelector('.section')!.textContent).toMatch(
      /§3\.5\.1 Applying a causal attention mask/,
    );
    // A GPT-2's trained heads always mask.
    show(trace, { step: 6, causal: false, mode: 'trainable' });
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('Masked attention weights');
  });

  it('step 4 quantifies the repeated token and compares two rows side by side', async () => {
    render(<StepView />);
    show(await modelTrace(DEFAULT_TEXT), { step: 4 });
    const note = screen.getByTestId('repeat-similarity').textContent!;
    expect(note).toMatch(/“␣the” stands at rows 2 and 7/);
    expect(note).toMatch(/cosine similarity 1\.000/);
    // The position rows make the copies differ, but only a little: their input rows still point much the same way.
    const inputCosine = Number(/input embeddings, (0\.\d\d\d)/.exec(note)![1]);
    expect(inputCosine).toBeGreaterThan(0.7);
    expect(inputCosine).toBeLessThan(1);
    const summary = () => screen.getByTestId('row-compare-summary').textContent!;
    // It opens on the two copies of “␣the”, in the input embeddings.
    expect((screen.getByLabelText('First token') as HTMLSelectElement).value).toBe('1');
    expect((screen.getByLabelText('Second token') as HTMLSelectElement).value).toBe('6');
    expect(summary()).toMatch(new RegExp(`^Input embeddings: cosine similarity ${inputCosine.toFixed(3)}`));
    act(() => screen.getByLabelText('Token t').click());
    expect(summary()).toMatch(/cosine similarity 1\.000.*the two rows are identical/);
    act(() => {
      const select = screen.getByLabelText('Second token') as HTMLSelectElement;
      select.value = '2';
      select.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(summary()).toMatch(/largest at dimension \d+/);
    expect(screen.getAllByRole('img', { name: /“␣fat”, row 3/ })).toHaveLength(1);
  });

  it('step 5 splits the naive scores into four labelled terms, only with positions on', async () => {
    render(<StepView />);
    const trace = await modelTrace(DEFAULT_TEXT);
    show(trace, { step: 5 });
    const split = screen.getByTestId('score-split');
    expect(Array.from(split.querySelectorAll('h4'), (h) => h.textContent)).toEqual([
      'token · token',
      '+ token · position',
      '+ position · token',
      '+ position · position',
    ]);
    expect(screen.getByTestId('copy-score').textContent).toMatch(
      /copies of “␣the” \(rows 2 and 7\) score ω₂₇ = [\d.]+ with each other: [\d.]+ is token · token.*and −?[\d.]+( \(\d+%\))? comes from the three position terms/,
    );
    expect(formula().textContent).toMatch(/tᵢ·tⱼ \+ tᵢ·pⱼ \+ pᵢ·tⱼ \+ pᵢ·pⱼ/);
    show(trace, { step: 5, positions: false });
    expect(screen.queryByTestId('score-split')).toBeNull();
    show(trace, { step: 5, mode: 'trainable' });
    expect(screen.queryByTestId('score-split')).toBeNull();
  });
});
