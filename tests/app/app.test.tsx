// @vitest-environment jsdom
// The whole page with the engine host running in-process (jsdom has no workers): it loads the untrained
// fallback model, shows the tokens, follows typing, moves through steps with buttons and arrow keys, and keeps
// the last good view when the text is empty.

import './setup-dom';
import { describe, expect, it } from 'vitest';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { App } from '../../src/app/App';
import { useAppStore } from '../../src/app/store/store';
import { TEMPERATURE_MAX, TEMPERATURE_MIN } from '../../src/app/store/url';
import { connectBridge } from '../../src/app/worker/bridge';
import { createInProcessClient } from '../../src/app/worker/client';

function renderApp() {
  const bridge = connectBridge(createInProcessClient(), 'http://127.0.0.1:9/explorer/');
  const view = render(<App bridge={bridge} />);
  return { ...view, bridge };
}

const stripText = () =>
  within(screen.getByTestId('token-strip'))
    .getAllByRole('listitem')
    .map((li) => li.textContent);

describe('App', () => {
  it('loads the untrained fallback, shows tokens, and follows typing', async () => {
    const { bridge } = renderApp();
    await waitFor(() => expect(screen.getByTestId('model-info').textContent).toMatch(/untrained/), {
      timeout: 20_000,
    });
    await waitFor(() => expect(stripText()).toHaveLength(8), { timeout: 20_000 });
    expect(stripText()[0]).toBe('then8524');
    fireEvent.change(screen.getByLabelText('Type a sentence'), { target: { value: 'hello world' } });
    await waitFor(() => expect(stripText()).toEqual(['hello31373', '␣world995']), { timeout: 20_000 });
    bridge.dispose();
  });

  it('moves through the steps with buttons and arrow keys', async () => {
    const { bridge } = renderApp();
    await waitFor(() => screen.getByTestId('token-strip'), { timeout: 20_000 });
    expect(screen.getByRole('heading', { level: 2, name: 'Tokens and ids' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Next step' }));
    expect(screen.getByRole('heading', { level: 2, name: 'Token embeddings' })).toBeTruthy();
    fireEvent.keyDown(document.body, { key: 'ArrowRight' });
    fireEvent.keyDown(document.body, { key: 'ArrowRight' });
    fireEvent.keyDown(document.body, { key: 'ArrowRight' });
    expect(screen.getByRole('heading', { level: 2, name: 'Attention scores' })).toBeTruthy();
    expect(document.querySelector('[data-primary] svg')?.getAttribute('data-matrix-id')).toBe('naive.scores');
    fireEvent.click(screen.getByLabelText('Position embeddings'));
    expect(document.querySelector('[data-primary] svg')?.getAttribute('data-matrix-id')).toBe(
      'naive_nopos.scores',
    );
    fireEvent.keyDown(document.body, { key: 'ArrowLeft' });
    expect(useAppStore.getState().settings.step).toBe(4);
    bridge.dispose();
  });

  it('lists the ten most likely next tokens once the trace is shown, and the temperature reshapes them', async () => {
    const { bridge } = renderApp();
    await waitFor(() => expect(stripText()).toHaveLength(8), { timeout: 20_000 });
    const list = await screen.findByTestId('next-tokens', undefined, { timeout: 20_000 });
    expect(list.getAttribute('data-trace-id')).toBe(
      screen.getByTestId('token-strip').getAttribute('data-trace-id'),
    );
    const top = () => parseFloat(screen.getByTestId('next-tokens').querySelector('li .p')!.textContent!);
    expect(within(list).getAllByRole('listitem')).toHaveLength(10);
    const atOne = top();
    const slider = screen.getByRole<HTMLInputElement>('slider', { name: /Temperature/ });
    // The slider's range is the one a link may hold (store/url.ts), so no link sets what it cannot show.
    expect([Number(slider.min), Number(slider.max)]).toEqual([TEMPERATURE_MIN, TEMPERATURE_MAX]);
    fireEvent.change(slider, { target: { value: '0.1' } });
    expect(useAppStore.getState().settings.temperature).toBe(0.1);
    // A tenth of the temperature raises the odds to the tenth power: the favourite gets more likely.
    await waitFor(() => expect(top()).toBeGreaterThan(atOne));
    bridge.dispose();
  });

  it('keeps the last good view when the text is empty', async () => {
    const { bridge } = renderApp();
    await waitFor(() => expect(stripText()).toHaveLength(8), { timeout: 20_000 });
    fireEvent.change(screen.getByLabelText('Type a sentence'), { target: { value: '' } });
    await waitFor(() => expect(screen.getByTestId('input-error').textContent).toMatch(/empty/), {
      timeout: 20_000,
    });
    expect(stripText()).toHaveLength(8);
    bridge.dispose();
  });

  it('opens a link with an empty text on the empty-text message, not on "computing", with the export panel', async () => {
    act(() => useAppStore.getState().set({ text: '', step: 6 }));
    const { bridge } = renderApp();
    await waitFor(() => expect(screen.getByTestId('input-error').textContent).toMatch(/empty/), {
      timeout: 20_000,
    });
    expect(screen.getByTestId('input-error').textContent).not.toMatch(/last sentence that worked/);
    expect(screen.queryByText(/Computing the first view/)).toBeNull();
    expect(screen.getByTestId('no-view').textContent).toMatch(/type a sentence/);
    expect(screen.getByRole('region', { name: 'Export' }).textContent).toMatch(/Nothing to export yet/);
    expect(screen.getByRole('region', { name: 'Next token' }).textContent).toMatch(/Nothing to predict yet/);
    bridge.dispose();
  });

  it('opens a link with row= on that row’s bar chart', async () => {
    act(() => useAppStore.getState().set({ step: 6, row: 2 }));
    const { bridge } = renderApp();
    await waitFor(() => expect(screen.getByLabelText(/^Attention of ␣fat/)).toBeTruthy(), {
      timeout: 20_000,
    });
    bridge.dispose();
  });

  it('shows the book preset with the book’s numbers', async () => {
    const { bridge } = renderApp();
    act(() => useAppStore.getState().set({ preset: 'book', step: 5 }));
    await waitFor(() => expect(document.querySelector('[data-primary] svg[data-matrix-id]')).toBeTruthy());
    // The cells are painted on a canvas; the table alternative prints the book's four decimals as text.
    fireEvent.click(screen.getAllByText('Show the numbers as a table')[0]);
    await waitFor(() => expect(screen.getAllByText('1.4754').length).toBeGreaterThan(0));
    expect(screen.getAllByText('0.9995').length).toBeGreaterThan(0);
    bridge.dispose();
  });

  it('says when the text is cut to the context', async () => {
    const { bridge } = renderApp();
    await waitFor(() => expect(stripText()).toHaveLength(8), { timeout: 20_000 });
    fireEvent.change(screen.getByLabelText('Type a sentence'), { target: { value: 'word '.repeat(200) } });
    await waitFor(
      () => expect(screen.getByTestId('input-notice').textContent).toMatch(/^Cut to 128 tokens/),
      { timeout: 20_000 },
    );
    bridge.dispose();
  });

  it('explains <|endoftext|> and split emoji', async () => {
    const { bridge } = renderApp();
    await waitFor(() => expect(stripText()).toHaveLength(8), { timeout: 20_000 });
    fireEvent.change(screen.getByLabelText('Type a sentence'), { target: { value: 'hi <|endoftext|> 🦜' } });
    await waitFor(() => expect(screen.getAllByTestId('input-notice')).toHaveLength(2), { timeout: 20_000 });
    // By default the marker is plain text, as in tiktoken's encode_ordinary and `npm run trace`.
    let notices = screen.getAllByTestId('input-notice').map((n) => n.textContent);
    expect(notices[0]).toMatch(/read as plain characters/);
    expect(notices[1]).toMatch(/split into byte-level pieces/);
    expect(stripText()).not.toContain('50256');
    fireEvent.click(screen.getByLabelText(/Special tokens/));
    await waitFor(() => expect(stripText()).toContain('<|endoftext|>50256'), { timeout: 20_000 });
    notices = screen.getAllByTestId('input-notice').map((n) => n.textContent);
    expect(notices[0]).toMatch(/end-of-text marker.*50256/);
    bridge.dispose();
  });
});
