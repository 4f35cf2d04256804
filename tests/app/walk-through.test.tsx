// @vitest-environment jsdom
// Small interface defects from the walk-through, on the whole page in-process: where the keyboard focus goes
// (arrow keys on the step buttons, the skip link, a head detector cell), why SVG and PNG are off on step 1,
// and the sentence for a layer or head the model does not have.

import './setup-dom';
import { describe, expect, it } from 'vitest';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { App } from '../../src/app/App';
import { missingLayerHeadNotice } from '../../src/app/views/Controls';
import { useAppStore } from '../../src/app/store/store';
import { connectBridge } from '../../src/app/worker/bridge';
import { createInProcessClient } from '../../src/app/worker/client';
import { connectDetectors } from '../../src/app/worker/detectors-bridge';

function renderApp() {
  const client = createInProcessClient();
  const bridge = connectBridge(client, 'http://127.0.0.1:9/explorer/');
  const detectors = connectDetectors(client);
  render(<App bridge={bridge} detectors={detectors} />);
  return () => {
    detectors.dispose();
    bridge.dispose();
  };
}

const stepButton = (name: RegExp) =>
  within(screen.getByRole('navigation', { name: 'Steps' })).getByRole('button', { name });
const stepHeading = () => document.getElementById('step-title');

describe('keyboard focus and reasons', () => {
  it('an arrow key on a step button takes the focus to the new current step’s button', async () => {
    const dispose = renderApp();
    await waitFor(() => screen.getByTestId('token-strip'), { timeout: 20_000 });
    const first = stepButton(/^1 Tokens/);
    first.focus();
    fireEvent.keyDown(first, { key: 'ArrowRight' });
    const second = stepButton(/^2 Token embeddings/);
    expect(second.getAttribute('aria-current')).toBe('step');
    expect(document.activeElement).toBe(second);
    fireEvent.keyDown(second, { key: 'ArrowLeft' });
    expect(document.activeElement).toBe(first);
    // Pressed elsewhere (the page itself), the keys change the step and leave the focus alone.
    first.blur();
    fireEvent.keyDown(document.body, { key: 'ArrowRight' });
    expect(useAppStore.getState().settings.step).toBe(2);
    expect(document.activeElement).toBe(document.body);
    dispose();
  });

  it('the skip link moves the focus to the current step’s heading', async () => {
    const dispose = renderApp();
    await waitFor(() => screen.getByTestId('token-strip'), { timeout: 20_000 });
    fireEvent.click(screen.getByRole('link', { name: 'Skip to the current step' }));
    expect(document.activeElement).toBe(document.getElementById('step-title'));
    expect(document.activeElement?.textContent).toBe('Tokens and ids');
    dispose();
  });

  it('opening a head from the detector grid moves the focus to its step’s heading', async () => {
    act(() => useAppStore.getState().set({ text: 'the cat saw the cat' }));
    const dispose = renderApp();
    await waitFor(() => screen.getByTestId('token-strip'), { timeout: 20_000 });
    const details = screen.getByText('Score every head').closest('details')!;
    act(() => {
      details.open = true;
      details.dispatchEvent(new Event('toggle'));
    });
    await waitFor(() => screen.getByTestId('head-scores'), { timeout: 20_000 });
    const cell = within(screen.getByTestId('head-scores')).getAllByRole('button')[3];
    cell.focus();
    fireEvent.click(cell);
    await waitFor(() => expect(stepHeading()?.textContent).toBe('Masked attention weights'));
    expect(document.activeElement).toBe(stepHeading());
    dispose();
  }, 30_000);

  it('step 1 says why SVG and PNG are off, and the buttons carry the reason', async () => {
    const dispose = renderApp();
    await waitFor(() => screen.getByTestId('token-strip'), { timeout: 20_000 });
    const panel = screen.getByRole('region', { name: 'Export' });
    for (const name of ['SVG', 'PNG']) {
      const button = within(panel).getByRole<HTMLButtonElement>('button', { name });
      expect(button.disabled).toBe(true);
      const reason = document.getElementById(button.getAttribute('aria-describedby') ?? '');
      expect(reason?.textContent).toMatch(/^Step 1 has no heatmap to export/);
    }
    fireEvent.keyDown(document.body, { key: 'ArrowRight' });
    const svg = within(panel).getByRole<HTMLButtonElement>('button', { name: 'SVG' });
    expect(svg.disabled).toBe(false);
    expect(svg.hasAttribute('aria-describedby')).toBe(false);
    expect(panel.textContent).not.toMatch(/no heatmap/);
    dispose();
  });

  it('says which layer or head this model lacks, and which one is shown instead', async () => {
    expect(missingLayerHeadNotice({ layer: 1, head: 3 }, { nLayer: 2, nHead: 4 })).toBeNull();
    expect(missingLayerHeadNotice({ layer: 2, head: 0 }, { nLayer: 2, nHead: 4 })).toBe(
      'This model has 2 layers, so there is no layer 3: layer 2 is shown instead.',
    );
    act(() => useAppStore.getState().set({ mode: 'trainable', step: 6, layer: 5, head: 9 }));
    const dispose = renderApp();
    await waitFor(() => screen.getByTestId('token-strip'), { timeout: 20_000 });
    expect(screen.getByTestId('layer-head-notice').textContent).toBe(
      'This model has 2 layers and 4 heads, so there is no layer 6 or head 10: layer 2, head 4 are shown instead.',
    );
    expect(screen.getByLabelText<HTMLSelectElement>('Layer').value).toBe('1');
    // Picking one that exists ends it.
    fireEvent.change(screen.getByLabelText('Layer'), { target: { value: '0' } });
    fireEvent.change(screen.getByLabelText('Head'), { target: { value: '2' } });
    expect(screen.queryByTestId('layer-head-notice')).toBeNull();
    dispose();
  });
});
