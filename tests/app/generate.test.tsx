// @vitest-environment jsdom
// "Generate N tokens" on the whole page (the engine host in-process, the untrained fallback model): it appends
// N tokens drawn from the logits on screen, and the same seed always writes the same text.

import './setup-dom';
import { describe, expect, it } from 'vitest';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { App } from '../../src/app/App';
import { DEFAULT_SETTINGS, DEFAULT_TEXT } from '../../src/app/data/types';
import { useAppStore } from '../../src/app/store/store';
import { connectBridge } from '../../src/app/worker/bridge';
import { createInProcessClient } from '../../src/app/worker/client';

/** Opens the page with `seed`, generates three tokens, and returns the text they made. */
async function generate(seed: number): Promise<string> {
  act(() => useAppStore.setState({ settings: { ...DEFAULT_SETTINGS, seed, generateCount: 3 } }));
  const bridge = connectBridge(createInProcessClient(), 'http://127.0.0.1:9/explorer/');
  const view = render(<App bridge={bridge} />);
  await screen.findByTestId('next-tokens', undefined, { timeout: 20_000 });
  let appended = 0;
  const unsubscribe = useAppStore.subscribe((state, previous) => {
    if (state.settings.text !== previous.settings.text) appended++;
  });
  fireEvent.click(screen.getByRole('button', { name: 'Generate 3 tokens' }));
  const append = () => screen.getByRole('button', { name: 'Append the sampled token' }) as HTMLButtonElement;
  expect(append().disabled).toBe(true);
  await waitFor(() => expect(append().disabled).toBe(false), { timeout: 30_000 });
  const text = useAppStore.getState().settings.text;
  unsubscribe();
  expect(appended).toBe(3);
  bridge.dispose();
  view.unmount();
  return text;
}

describe('generate', () => {
  it('appends three sampled tokens, the same ones for the same seed', async () => {
    const first = await generate(7);
    expect(first.startsWith(DEFAULT_TEXT)).toBe(true);
    expect(first.length).toBeGreaterThan(DEFAULT_TEXT.length);
    expect(await generate(7)).toBe(first);
    expect(await generate(8)).not.toBe(first);
  });
});
