// @vitest-environment jsdom
// The Train view with its worker's host in-process: it refuses empty and too-short text and saving before a
// step, trains on pasted stories (the loss falls), pauses, scrubs back through snapshots, and resets.

import './setup-dom';
import { describe, expect, it } from 'vitest';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App } from '../../src/app/App';
import { useAppStore } from '../../src/app/store/store';
import { createInProcessTrainClient } from '../../src/app/train/train-client';
import { connectBridge } from '../../src/app/worker/bridge';
import { createInProcessClient } from '../../src/app/worker/client';
import { generateCorpus } from '../../src/train/corpus';

function renderTrainView() {
  useAppStore.getState().set({ view: 'train' });
  const bridge = connectBridge(createInProcessClient(), 'http://127.0.0.1:9/explorer/');
  const view = render(<App bridge={bridge} createTrainClient={createInProcessTrainClient} />);
  return { ...view, bridge };
}

const status = () => screen.getByTestId('train-status').getAttribute('data-status');
const stepsDone = () => Number(screen.getByTestId('train-step').textContent!.split(' ')[0]);

describe('Train view', () => {
  it('says why it cannot train on empty or short text, nor save before a step', async () => {
    const { bridge, unmount } = renderTrainView();
    fireEvent.click(screen.getByTestId('train-save'));
    await waitFor(
      () =>
        expect(screen.getByTestId('train-save-error').textContent).toMatch(
          /has not finished a training step/,
        ),
      { timeout: 20_000 },
    );
    fireEvent.click(screen.getByLabelText('Your text'));
    fireEvent.click(screen.getByTestId('train-start'));
    expect(screen.getByTestId('train-error').textContent).toMatch(/The text is empty/);
    fireEvent.change(screen.getByLabelText(/^Your text/, { selector: 'textarea' }), {
      target: { value: 'the cat sat on the mat. '.repeat(5) },
    });
    fireEvent.click(screen.getByTestId('train-start'));
    await waitFor(
      () => expect(screen.getByTestId('train-error').textContent).toMatch(/too short for one batch/),
      {
        timeout: 20_000,
      },
    );
    unmount();
    bridge.dispose();
  });

  it('trains on pasted text, pauses, scrubs back through snapshots, and resets', async () => {
    const { bridge, unmount } = renderTrainView();
    const { train } = generateCorpus(3, 300);
    fireEvent.click(screen.getByLabelText('Your text'));
    fireEvent.change(screen.getByLabelText(/^Your text/, { selector: 'textarea' }), {
      target: { value: train },
    });
    fireEvent.click(screen.getByTestId('train-start'));
    await waitFor(() => expect(stepsDone()).toBeGreaterThanOrEqual(30), { timeout: 60_000 });
    fireEvent.click(screen.getByTestId('train-pause'));
    await waitFor(() => expect(status()).toBe('paused'), { timeout: 20_000 });
    const paused = stepsDone();
    await act(() => new Promise((r) => setTimeout(r, 300)));
    expect(stepsDone()).toBe(paused);
    expect(screen.getByTestId('train-backend').textContent).toMatch(/^Training on CPU · /);

    const losses = screen.getByTestId('loss-chart').getAttribute('data-train')!.split(',').map(Number);
    expect(losses.length).toBe(paused);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-5))).toBeLessThan(mean(losses.slice(0, 5)));
    const validation = screen.getByTestId('loss-chart').getAttribute('data-validation')!.split(',');
    expect(validation[0]).toMatch(/^0:/);

    const slider = screen.getByTestId('train-snapshot') as HTMLInputElement;
    expect(Number(slider.max)).toBeGreaterThanOrEqual(3); // step 0, 10, 20, 30
    const newest = slider.getAttribute('data-step');
    fireEvent.change(slider, { target: { value: '0' } });
    expect(slider.getAttribute('data-step')).toBe('0');
    expect(document.querySelector('svg[data-matrix-id]')!.getAttribute('data-matrix-id')).toMatch(/step0$/);
    fireEvent.change(slider, { target: { value: slider.max } });
    expect(slider.getAttribute('data-step')).toBe(newest);
    expect(screen.getAllByTestId('head-scores').length).toBe(1);

    fireEvent.click(screen.getByTestId('train-resume'));
    await waitFor(() => expect(stepsDone()).toBeGreaterThan(paused), { timeout: 30_000 });
    fireEvent.click(screen.getByTestId('train-reset'));
    await waitFor(() => expect(status()).toBe('idle'), { timeout: 20_000 });
    expect(screen.queryByTestId('train-snapshot')).toBeNull();
    unmount();
    bridge.dispose();
  });

  it('reads a chosen text file, and pauses when another model loads in the explorer', async () => {
    const { bridge, unmount } = renderTrainView();
    const { train } = generateCorpus(5, 300);
    fireEvent.click(screen.getByLabelText('Your text'));
    const file = new File([train], 'stories.txt', { type: 'text/plain' });
    // jsdom's File has no text() (every browser's has); read it the way jsdom can.
    Object.defineProperty(file, 'text', {
      value: () =>
        new Promise<string>((resolve) => {
          const reader = new FileReader();
          reader.onload = () => resolve(reader.result as string);
          reader.readAsText(file);
        }),
    });
    await userEvent.upload(screen.getByTestId('train-file'), file);
    await waitFor(() => expect(screen.getByText('Your text (from stories.txt)')).toBeTruthy());
    expect((screen.getByRole('textbox', { name: /^Your text/ }) as HTMLTextAreaElement).value).toBe(train);
    fireEvent.click(screen.getByTestId('train-start'));
    await waitFor(() => expect(stepsDone()).toBeGreaterThanOrEqual(5), { timeout: 60_000 });
    act(() => bridge.loadModel({ kind: 'default', baseUrl: 'http://127.0.0.1:9/explorer/' }));
    await waitFor(() => expect(status()).toBe('paused'), { timeout: 20_000 });
    expect(screen.getByText(/another model is loading/)).toBeTruthy();
    unmount();
    bridge.dispose();
  });
});
