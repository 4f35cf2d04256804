// @vitest-environment jsdom
// Head detectors end to end in-process: the worker's jobs against scores computed from a full trace, and the
// panel (asks nothing while closed, scores the text once open, runs the probe on demand, opens a head).

import './setup-dom';
import { describe, expect, it, vi } from 'vitest';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { App } from '../../src/app/App';
import { useAppStore } from '../../src/app/store/store';
import { connectBridge } from '../../src/app/worker/bridge';
import { createInProcessClient } from '../../src/app/worker/client';
import { connectDetectors } from '../../src/app/worker/detectors-bridge';
import { attentionOfEveryLayer, scoreInduction } from '../../src/app/worker/head-scores';
import type { FromWorker, ToWorker } from '../../src/app/worker/protocol';
import { CpuEngine } from '../../src/model/cpu/forward';
import { UNTRAINED_CONFIG, UNTRAINED_SEED } from '../../src/model/default-model';
import { textHeadScores, type HeadGrid } from '../../src/model/head-detectors';
import { randomGPT2Weights } from '../../src/model/random';
import { tokenize } from '../../src/tokenizer/gpt2';
import { formatScore } from '../../src/app/views/HeadDetectorPanel';
import { createSyncKernels } from '../../src/model/wasm/select';
import { loadedEngineHost } from '../helpers/engine-host';

/** Two repeats (␣cat and ␣the; the first "the" has no space, so it is another token). */
const TEXT = 'the cat saw the cat and the dog';
const weights = randomGPT2Weights(UNTRAINED_CONFIG, UNTRAINED_SEED);
const ids = tokenize(TEXT).map((t) => t.id);

/** The reference: a full trace (every tensor) on the TypeScript CPU engine, scored by the pure functions. */
async function referenceScores() {
  const engine = new CpuEngine(weights, createSyncKernels());
  const tensors = await engine.forward(ids);
  const layers = Array.from(
    { length: UNTRAINED_CONFIG.nLayer },
    (_, l) => tensors[`h${l}.attn_weights`].data,
  );
  return textHeadScores(layers, UNTRAINED_CONFIG.nHead, ids);
}

const expectGridClose = (actual: HeadGrid, expected: HeadGrid) =>
  expected.forEach((row, l) => row.forEach((v, h) => expect(actual[l][h]).toBeCloseTo(v, 5)));

describe('head-detector jobs in the worker', () => {
  it('scores the newest trace only, as a full trace scored on the page would', async () => {
    const { host, messages } = await loadedEngineHost();
    host.handle({ type: 'trace', id: 2, text: TEXT, layer: 0, allowSpecial: false });
    await vi.waitFor(() => expect(messages.some((m) => m.type === 'trace' && m.id === 2)).toBe(true));
    host.handle({ type: 'head-scores', id: 1 }); // an old trace: dropped
    host.handle({ type: 'head-scores', id: 2 });
    await vi.waitFor(() => expect(messages.some((m) => m.type === 'head-scores')).toBe(true));
    const answers = messages.filter((m) => m.type === 'head-scores');
    expect(answers.map((m) => m.id)).toEqual([2]);
    const { scores } = answers[0] as Extract<FromWorker, { type: 'head-scores' }>;
    const expected = await referenceScores();
    expect(scores.counts).toEqual(expected.counts);
    expectGridClose(scores.previousToken!, expected.previousToken!);
    expectGridClose(scores.duplicateToken!, expected.duplicateToken!);
    expectGridClose(scores.firstToken!, expected.firstToken!);

    host.handle({ type: 'induction', id: 7, seed: 1 });
    await vi.waitFor(() => expect(messages.some((m) => m.type === 'induction')).toBe(true), {
      timeout: 20_000,
    });
    const probe = messages.find((m) => m.type === 'induction') as Extract<FromWorker, { type: 'induction' }>;
    expect(probe).toMatchObject({ id: 7, repeatLength: 50, seed: 1 });
    const again = await scoreInduction(new CpuEngine(weights, createSyncKernels()), weights, 1);
    expectGridClose(probe.scores, again.scores);
  }, 30_000);

  it('gives the same attention when the layers are asked for one pass at a time', async () => {
    const engine = new CpuEngine(weights, createSyncKernels());
    const together = await attentionOfEveryLayer(engine, ids);
    const onePerPass = await attentionOfEveryLayer(engine, ids, 1);
    expect(onePerPass).toEqual(together);
  });
});

function renderApp() {
  useAppStore.getState().set({ text: TEXT });
  const client = createInProcessClient();
  const posted: ToWorker[] = [];
  const post = client.post;
  client.post = (message) => {
    posted.push(message);
    post(message);
  };
  const bridge = connectBridge(client, 'http://127.0.0.1:9/explorer/');
  const detectors = connectDetectors(client);
  render(<App bridge={bridge} detectors={detectors} />);
  return {
    posted,
    dispose() {
      detectors.dispose();
      bridge.dispose();
    },
  };
}

const cells = () => within(screen.getByTestId('head-scores')).getAllByRole('button');

describe('head-detector panel', () => {
  it('scores only once opened, shows each cell with its sentence, and opens the head clicked', async () => {
    const app = renderApp();
    await waitFor(() => expect(screen.getByTestId('token-strip')).toBeTruthy(), { timeout: 20_000 });
    await act(() => new Promise((resolve) => setTimeout(resolve, 400)));
    expect(app.posted.some((m) => m.type === 'head-scores')).toBe(false);

    const details = screen.getByText('Score every head').closest('details')!;
    act(() => {
      details.open = true;
      details.dispatchEvent(new Event('toggle'));
    });
    await waitFor(() => expect(cells()).toHaveLength(8), { timeout: 20_000 });
    const expected = await referenceScores();
    const first = cells()[0];
    expect(first.textContent).toBe(formatScore(expected.previousToken![0][0]));
    expect(first.getAttribute('aria-label')).toMatch(
      /^\S+: previous token score of layer 1, head 1\. Mean attention/,
    );
    expect(first.getAttribute('title')).toMatch(/token just before it/);
    expect(screen.getByTestId('detector-note').textContent).toMatch(/7 tokens/);

    fireEvent.click(screen.getByLabelText('Duplicate token'));
    expect(screen.getByTestId('detector-sentence').textContent).toMatch(/earlier copies/);
    expect(screen.getByTestId('detector-note').textContent).toMatch(/2 repeated tokens/);
    expect(cells()[5].textContent).toBe(formatScore(expected.duplicateToken![1][1]));

    fireEvent.click(cells()[6]); // layer 2, head 3
    expect(useAppStore.getState().settings).toMatchObject({ mode: 'trainable', layer: 1, head: 2, step: 6 });
    app.dispose();
  }, 30_000);

  it('runs the induction probe on demand, and rescores a new text once typing pauses', async () => {
    const app = renderApp();
    await waitFor(() => expect(screen.getByTestId('token-strip')).toBeTruthy(), { timeout: 20_000 });
    const details = screen.getByText('Score every head').closest('details')!;
    act(() => {
      details.open = true;
      details.dispatchEvent(new Event('toggle'));
    });
    fireEvent.click(screen.getByLabelText('Induction'));
    expect(screen.queryByTestId('head-scores')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Run the induction probe' }));
    await waitFor(() => expect(cells()).toHaveLength(8), { timeout: 20_000 });
    expect(screen.getByTestId('detector-note').textContent).toMatch(
      /50 random tokens repeated twice \(seed 1\)/,
    );
    expect(app.posted.filter((m) => m.type === 'induction')).toEqual([{ type: 'induction', id: 1, seed: 1 }]);

    // A text that repeats a run of tokens: induction is scored on it, and the probe's button goes.
    const repeating = 'the cat sat on the mat and the cat sat on the mat';
    fireEvent.change(screen.getByLabelText('Type a sentence'), { target: { value: repeating } });
    await waitFor(
      () =>
        expect(screen.getByTestId('detector-note').textContent).toMatch(
          /^On your text: 4 tokens continue a run of tokens that appeared earlier/,
        ),
      { timeout: 20_000 },
    );
    expect(screen.queryByRole('button', { name: 'Run the induction probe' })).toBeNull();
    // The score's one-line definition above the note names both sources, so it never contradicts the note.
    expect(screen.getByTestId('detector-sentence').textContent).toMatch(
      /on your text when it repeats itself/,
    );
    const repeatIds = tokenize(repeating).map((t) => t.id);
    const tensors = await new CpuEngine(weights, createSyncKernels()).forward(repeatIds);
    const onText = textHeadScores(
      Array.from({ length: UNTRAINED_CONFIG.nLayer }, (_, l) => tensors[`h${l}.attn_weights`].data),
      UNTRAINED_CONFIG.nHead,
      repeatIds,
    );
    expect(cells()[5].textContent).toBe(formatScore(onText.textInduction![1][1]));

    fireEvent.click(screen.getByLabelText('Duplicate token'));
    fireEvent.change(screen.getByLabelText('Type a sentence'), {
      target: { value: 'a cat and a dog and a cat' },
    });
    await waitFor(
      () => expect(screen.getByTestId('detector-note').textContent).toMatch(/^Averaged over 3 repeated/),
      {
        timeout: 20_000,
      },
    );
    fireEvent.change(screen.getByLabelText('Type a sentence'), { target: { value: 'no word twice' } });
    await waitFor(
      () => expect(screen.getByTestId('detector-note').textContent).toMatch(/No token occurs twice/),
      {
        timeout: 20_000,
      },
    );
    app.dispose();
  }, 30_000);
});
