// @vitest-environment jsdom
// Head ablation in the explorer, in-process: the worker's comparison job against an independent log-softmax
// of the engine's logits, the setting's parsing and toggling, the drop on a model switch, and the panel.

import './setup-dom';
import { describe, expect, it, vi } from 'vitest';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { App } from '../../src/app/App';
import { connectAblation } from '../../src/app/ablation/ablation-bridge';
import { toggleKnockOut } from '../../src/app/ablation/ablation-actions';
import { readAblationSetting, toggledHeads } from '../../src/app/ablation/ablation-settings';
import { useAblationStore } from '../../src/app/ablation/ablation-store';
import { ablationSuffix, exportCaption } from '../../src/app/export/files';
import { patchState, useAppStore } from '../../src/app/store/store';
import { searchToSettings, settingsToSearch } from '../../src/app/store/url';
import { connectBridge } from '../../src/app/worker/bridge';
import { createInProcessClient } from '../../src/app/worker/client';
import { compareAblation, ComparisonInterrupted } from '../../src/app/worker/ablation-compare';
import { CpuEngine } from '../../src/model/cpu/forward';
import type { FromWorker } from '../../src/app/worker/protocol';
import { DEFAULT_SETTINGS, type AppTrace } from '../../src/app/data/types';
import { cpuForward } from '../../src/model/cpu/forward';
import { UNTRAINED_CONFIG, UNTRAINED_SEED } from '../../src/model/default-model';
import { randomGPT2Weights } from '../../src/model/random';
import { tokenize } from '../../src/tokenizer/gpt2';
import { createSyncKernels, defaultCpuKernels } from '../../src/model/wasm/select';
import { loadedEngineHost } from '../helpers/engine-host';

const TEXT = 'the cat saw the cat and the dog';
const weights = randomGPT2Weights(UNTRAINED_CONFIG, UNTRAINED_SEED); // 2 layers × 4 heads
const ids = tokenize(TEXT).map((t) => t.id);
const V = UNTRAINED_CONFIG.vocabSize;

/** −log softmax(row)[target] in float64, written out here rather than taken from the worker's code. */
function referenceLosses(logits: Float32Array): number[] {
  return ids.slice(1).map((target, t) => {
    const row = Array.from(logits.subarray(t * V, (t + 1) * V));
    const max = Math.max(...row);
    const logSum = Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0)) + max;
    return logSum - row[target];
  });
}

describe('the worker with an ablation', () => {
  it('runs the trace ablated and compares it with the intact model when asked', async () => {
    const { host, messages } = await loadedEngineHost();
    const ablate = { heads: [[0, 1]] as [number, number][], mode: 'zero' as const };
    host.handle({ type: 'trace', id: 2, text: TEXT, layer: 1, allowSpecial: false, ablate });
    await vi.waitFor(() => expect(messages.some((m) => m.type === 'trace')).toBe(true));
    const trace = messages.find((m) => m.type === 'trace') as Extract<FromWorker, { type: 'trace' }>;
    expect(trace.ablation).toEqual(ablate);
    const ablated = cpuForward(
      weights,
      ids,
      { include: ['h1.attn_weights'], logits: 'all', ablate },
      defaultCpuKernels(),
    );
    expect(Array.from(trace.tensors['h1.attn_weights'].data)).toEqual(
      Array.from(ablated['h1.attn_weights'].data).map((x) => expect.closeTo(x, 6)),
    );

    host.handle({ type: 'ablation-compare', id: 2 });
    await vi.waitFor(() => expect(messages.some((m) => m.type === 'ablation-compare')).toBe(true), {
      timeout: 20_000,
    });
    const result = messages.find((m) => m.type === 'ablation-compare') as Extract<
      FromWorker,
      { type: 'ablation-compare' }
    >;
    const intact = cpuForward(weights, ids, { include: [], logits: 'all' }, defaultCpuKernels());
    referenceLosses(intact.logits.data).forEach((x, t) => expect(result.before.losses[t]).toBeCloseTo(x, 4));
    referenceLosses(ablated.logits.data).forEach((x, t) => expect(result.after.losses[t]).toBeCloseTo(x, 4));
    // Layer 1's attention comes before the ablated context: it cannot move. Layer 2's does.
    expect(result.attentionMoved[0]).toEqual([0, 0, 0, 0]);
    expect(Math.max(...result.attentionMoved[1])).toBeGreaterThan(1e-4);
    const top = result.nextTokens[0];
    expect(top.after.rank).toBe(1);
    expect(top.before.probability).toBeGreaterThan(0);
  }, 60_000);

  it('gives way to a waiting keystroke after the pass it is in', async () => {
    const engine = new CpuEngine(weights, createSyncKernels());
    const forward = vi.spyOn(engine, 'forward');
    const request = {
      id: 1,
      ids,
      ablate: { heads: [[0, 0]] as [number, number][], mode: 'zero' as const },
      layer: 0,
    };
    await expect(compareAblation(engine, weights, request, () => true)).rejects.toThrow(
      ComparisonInterrupted,
    );
    expect(forward).toHaveBeenCalledTimes(1);
  });
});

describe('the ablation setting', () => {
  it('reads heads counted from 1 and refuses what a model cannot run, with one sentence', () => {
    const shape = { nLayer: 2, nHead: 4 };
    expect(readAblationSetting({ ablate: '2.4, 1.1', ablateMode: 'mean' }, shape).ablation).toEqual({
      heads: [
        [1, 3],
        [0, 0],
      ],
      mode: 'mean',
    });
    expect(readAblationSetting({ ablate: '3.1', ablateMode: 'zero' }, shape).problem).toBe(
      'Head 3.1 does not exist: this model has layers 1 to 2.',
    );
    expect(readAblationSetting({ ablate: '1.1,1.1', ablateMode: 'zero' }, shape).problem).toMatch(/twice/);
    expect(readAblationSetting({ ablate: 'x', ablateMode: 'zero' }).problem).toMatch(/is not a head/);
    expect(toggledHeads('2.1', 0, 3)).toBe('1.4,2.1');
    expect(toggledHeads('1.4,2.1', 0, 3)).toBe('2.1');
  });

  it('round-trips through the URL and names the ablation in exports', () => {
    const settings = { ...DEFAULT_SETTINGS, ablate: '1.4', ablateMode: 'mean' as const };
    expect(settingsToSearch(settings)).toBe('ablate=1.4&ablatemode=mean');
    expect(searchToSettings('ablate=1.4&ablatemode=mean')).toEqual(settings);
    expect(searchToSettings('ablatemode=noise').ablateMode).toBe('zero');
    const ablation = { heads: [[0, 3]] as [number, number][], mode: 'mean' as const };
    expect(ablationSuffix(ablation)).toBe('-ablated-1.4-mean');
    const trace = { source: 'model', tokens: ['a'], layer: 0, shape: { nHead: 4 }, ablation } as AppTrace;
    expect(exportCaption(trace, { ...DEFAULT_SETTINGS, step: 1 }, 'M')).toMatch(
      /M · heads 1\.4 knocked out \(mean\)/,
    );
  });

  it('refuses to knock out every head; a model switch keeps heads that exist and drops others with a notice', () => {
    patchState({
      model: {
        label: 'a',
        source: '',
        untrained: true,
        parameters: 1,
        config: { ...UNTRAINED_CONFIG, nLayer: 1, nHead: 2 },
      },
    });
    const disconnect = connectAblation(createInProcessClient());
    toggleKnockOut(0, 0);
    expect(useAppStore.getState().settings.ablate).toBe('1.1');
    toggleKnockOut(0, 1);
    expect(useAppStore.getState().settings.ablate).toBe('1.1');
    expect(useAblationStore.getState().notice).toBe(
      'Head 1.2 stays in: Knocking out all 2 heads leaves no attention at all; keep at least one head.',
    );
    useAppStore.getState().set({ ablate: '1.2' });
    useAblationStore.setState({ notice: null });
    // A model that has head 1.2 keeps it; one that lacks it drops it and says why.
    const wider = { ...UNTRAINED_CONFIG, nLayer: 3, nHead: 6 };
    patchState({ model: { label: 'w', source: '', untrained: true, parameters: 1, config: wider } });
    expect(useAppStore.getState().settings.ablate).toBe('1.2');
    expect(useAblationStore.getState().notice).toBeNull();
    const smaller = { ...UNTRAINED_CONFIG, nLayer: 1, nHead: 1 };
    patchState({ model: { label: 'b', source: '', untrained: true, parameters: 1, config: smaller } });
    expect(useAppStore.getState().settings.ablate).toBe('');
    expect(useAblationStore.getState().notice).toBe(
      'The knocked-out heads (1.2) were dropped: Head 1.2 does not exist: this model has heads 1 to 1 in each layer.',
    );
    disconnect();
    useAblationStore.setState({ notice: null, comparison: null, comparisonError: null });
  });
});

describe('the head surgery panel', () => {
  it('knocks a head out from the all-heads grid, shows the comparison, and resets', async () => {
    useAppStore.getState().set({ text: TEXT, mode: 'trainable', step: 6, allHeads: true });
    const client = createInProcessClient();
    const bridge = connectBridge(client, 'http://127.0.0.1:9/explorer/');
    const disconnect = connectAblation(client);
    render(<App bridge={bridge} />);
    await waitFor(() => expect(screen.getByTestId('knock-out-1.4')).toBeTruthy(), { timeout: 20_000 });
    fireEvent.click(screen.getByTestId('knock-out-1.4'));
    expect(useAppStore.getState().settings.ablate).toBe('1.4');
    expect(screen.getByTestId('knock-out-1.4').getAttribute('aria-pressed')).toBe('true');
    const chips = within(screen.getByTestId('ablation-chips')).getAllByRole('button');
    expect(chips.map((c) => c.getAttribute('aria-label'))).toEqual(['Layer 1 head 4: bring it back']);
    await waitFor(() => expect(screen.getByTestId('ablation-heads')).toBeTruthy(), { timeout: 20_000 });
    const rows = within(screen.getByTestId('ablation-heads')).getAllByRole('row');
    expect(rows).toHaveLength(1 + 4); // the four heads of layer 2
    expect(screen.getByTestId('ablation-loss').querySelectorAll('li')).toHaveLength(ids.length - 1);
    fireEvent.click(screen.getByRole('button', { name: 'Reset: bring every head back' }));
    expect(useAppStore.getState().settings.ablate).toBe('');
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(screen.queryByTestId('ablation-chips')).toBeNull();
    disconnect();
    bridge.dispose();
  }, 60_000);
});
