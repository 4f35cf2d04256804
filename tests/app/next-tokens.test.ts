// @vitest-environment jsdom
// The next-token request: the worker host answers it for the trace on screen only, and says so when the
// engine fails on it (the trace's own view stays), and the panel shows that message. While the list is computed
// the panel holds its place with blank rows.

import { describe, expect, it, vi } from 'vitest';
import { createElement } from 'react';
import { act, cleanup, render, screen, within } from '@testing-library/react';
import './setup-dom';
import type { Engine } from '../../src/model/engine';
import type { TraceRequest } from '../../src/model/trace';
import type { GPT2Weights } from '../../src/model/weights';
import { CpuEngine } from '../../src/model/cpu/forward';
import { NextTokenPanel } from '../../src/app/views/NextTokenPanel';
import { useAppStore } from '../../src/app/store/store';
import { TOP_NEXT_COUNT, type AppTrace } from '../../src/app/data/types';
import { createSyncKernels } from '../../src/model/wasm/select';
import { loadedEngineHost } from '../helpers/engine-host';

/** Set by a test: whether the engine fails on the logits (a full pass). */
let logitsFail = false;
/** The requests the engine was given, newest last. */
const requests: (TraceRequest | undefined)[] = [];

vi.mock('../../src/model/backend', () => ({
  createEngine: async (weights: GPT2Weights) => {
    const cpu = new CpuEngine(weights, createSyncKernels());
    const engine: Engine = {
      backend: 'cpu',
      config: weights.config,
      description: 'CPU',
      forward: async (ids, request) => {
        requests.push(request);
        if (logitsFail && request?.logits === 'last') throw new Error('out of memory (test)');
        return cpu.forward(ids, request);
      },
      dispose: () => undefined,
    };
    return { engine, fallbackReason: null };
  },
}));

async function loadedHost() {
  const { host, messages } = await loadedEngineHost();
  for (const [id, text] of [
    [2, 'the cat'],
    [3, 'the cat sat'],
  ] as const) {
    host.handle({ type: 'trace', id, text, layer: 0, allowSpecial: false });
    await vi.waitFor(() => expect(messages.some((m) => m.type === 'trace' && m.id === id)).toBe(true));
  }
  return { host, messages };
}

describe('next tokens', () => {
  it('answers for the newest trace only', async () => {
    logitsFail = false;
    const { host, messages } = await loadedHost();
    host.handle({ type: 'next', id: 2 }); // replaced by trace 3: dropped
    host.handle({ type: 'next', id: 3 });
    await vi.waitFor(() => expect(messages.some((m) => m.type === 'next')).toBe(true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const answers = messages.filter((m) => m.type === 'next');
    expect(answers.map((m) => m.id)).toEqual([3]);
    const answer = answers[0];
    expect(answer.type === 'next' && answer.topNext).toHaveLength(10);
  });

  it('come with the trace, without a second pass, when the layer on screen is the last', async () => {
    logitsFail = false;
    const { host, messages } = await loadedHost();
    host.handle({ type: 'trace', id: 4, text: 'the cat sat on', layer: 1, allowSpecial: false });
    await vi.waitFor(() => expect(messages.some((m) => m.type === 'trace' && m.id === 4)).toBe(true));
    const passes = requests.length;
    host.handle({ type: 'next', id: 4 });
    await vi.waitFor(() => expect(messages.some((m) => m.type === 'next' && m.id === 4)).toBe(true));
    expect(requests.length).toBe(passes);
    expect(requests.at(-1)?.logits).toBe('last');
    // The same numbers as a pass of their own.
    const answer = messages.find((m) => m.type === 'next' && m.id === 4);
    host.handle({ type: 'trace', id: 5, text: 'the cat sat on', layer: 0, allowSpecial: false });
    await vi.waitFor(() => expect(messages.some((m) => m.type === 'trace' && m.id === 5)).toBe(true));
    host.handle({ type: 'next', id: 5 });
    await vi.waitFor(() => expect(messages.some((m) => m.type === 'next' && m.id === 5)).toBe(true));
    expect(requests.length).toBe(passes + 2);
    const own = messages.find((m) => m.type === 'next' && m.id === 5);
    expect(own?.type === 'next' && Array.from(own.logits)).toEqual(
      answer?.type === 'next' && Array.from(answer.logits),
    );
  });

  it('says why when the engine fails on them, and the panel shows it', async () => {
    logitsFail = true;
    const { host, messages } = await loadedHost();
    host.handle({ type: 'next', id: 3 });
    await vi.waitFor(() => expect(messages.some((m) => m.type === 'next-error')).toBe(true));
    const failure = messages.find((m) => m.type === 'next-error');
    expect(failure?.type === 'next-error' && failure.message).toMatch(/out of memory \(test\)/);

    useAppStore.setState({ nextError: 'Something went wrong: out of memory (test)' });
    render(createElement(NextTokenPanel));
    expect(screen.queryByTestId('next-error')).toBeNull(); // no trace on screen yet, so nothing to explain
    useAppStore.setState({ trace: traceOnScreen(3) });
    expect((await screen.findByTestId('next-error')).textContent).toMatch(/out of memory \(test\)/);
    cleanup();
  });

  it('keep their place while they are computed: blank rows, then the list, with the same controls around them', () => {
    useAppStore.setState({ trace: traceOnScreen(7), next: null, nextError: null, inputError: null });
    render(createElement(NextTokenPanel));
    const panel = screen.getByRole('region', { name: 'Next token' });
    const controls = () =>
      [...panel.querySelectorAll('input, button, legend')].map((e) => e.getAttribute('id') ?? e.textContent);
    expect(panel.getAttribute('aria-busy')).toBe('true');
    expect(panel.textContent).toMatch(/Computing the next-token probabilities/);
    const blank = screen.getByTestId('next-tokens-placeholder');
    expect(blank.getAttribute('aria-hidden')).toBe('true'); // nothing for a screen reader to read out
    expect(blank.querySelectorAll('li')).toHaveLength(TOP_NEXT_COUNT);
    expect(blank.textContent!.trim()).toBe('');
    const whileComputing = controls();
    expect(whileComputing).toContain('temperature');
    expect(whileComputing).toContain('Append the sampled token');

    const logits = new Float32Array(50257);
    const topNext = Array.from({ length: TOP_NEXT_COUNT }, (_, i) => ({ id: i, text: `t${i}` }));
    act(() => useAppStore.setState({ next: { requestId: 7, logits, topNext } }));
    expect(panel.getAttribute('aria-busy')).toBe('false');
    expect(screen.queryByTestId('next-tokens-placeholder')).toBeNull();
    expect(within(screen.getByTestId('next-tokens')).getAllByRole('listitem')).toHaveLength(TOP_NEXT_COUNT);
    expect(controls()).toEqual(whileComputing);
    cleanup();
  });
});

/** A two-token trace as the page holds it once shown (the panel reads only its request id and tokens). */
function traceOnScreen(requestId: number): AppTrace {
  return {
    source: 'model',
    requestId,
    tokens: ['the', '␣cat'],
    ids: [1169, 3797],
    truncated: false,
    totalTokens: 2,
    shape: { nEmbd: 64, nHead: 4, nLayer: 2, nPositions: 128, headSize: 16 },
    layer: 0,
    tensors: {},
    computedBy: 'CPU',
  };
}
