// Connects the engine client to the store: settings changes become requests, worker messages become state.
// Results older than the newest request are dropped, and a failed request keeps the last good view on screen.

import { ablationForRequest } from '../ablation/ablation-settings';
import { bookTrace } from '../data/book-trace';
import type { AppTrace, Settings } from '../data/types';
import { patchState, useAppStore } from '../store/store';
import type { EngineClient } from './client';
import type { FromWorker, ModelSource, TraceResult } from './protocol';

let nextId = 1;

/** The worker's trace message as the store keeps it. */
export function toAppTrace(result: TraceResult): AppTrace {
  return {
    source: 'model',
    requestId: result.id,
    tokens: result.tokens,
    ids: result.ids,
    truncated: result.truncated,
    totalTokens: result.totalTokens,
    shape: result.shape,
    layer: result.layer,
    tensors: result.tensors,
    computedBy: result.computedBy,
    ...(result.ablation ? { ablation: result.ablation } : {}),
  };
}

/** How long typing must pause before the next-token logits are asked for. They need a full forward pass
 * and a vocabulary-wide product (on a big model or a software GPU, longer than a keystroke's budget), and
 * the engine runs one request at a time, so they must not hold up the next keystroke's heatmap. */
const NEXT_TOKENS_IDLE_MS = 120;

/**
 * Applies a compute result (trace, next tokens, error, backend change); false for other messages. A trace
 * that is shown asks for its next-token logits once typing pauses.
 */
function applyResult(message: FromWorker, askNext: (id: number) => void): boolean {
  const state = useAppStore.getState();
  switch (message.type) {
    case 'trace':
      if (message.id >= state.latestRequest && state.settings.preset !== 'book') {
        patchState({
          trace: toAppTrace(message),
          inputError: null,
          nextError: null,
          notices: message.notices,
        });
        askNext(message.id);
      }
      return true;
    case 'next':
      if (message.id === state.trace?.requestId) {
        patchState({
          next: { requestId: message.id, logits: message.logits, topNext: message.topNext },
          nextError: null,
        });
      }
      return true;
    case 'next-error':
      if (message.id === state.trace?.requestId) patchState({ nextError: message.message });
      return true;
    case 'trace-error':
      if (message.id === state.latestRequest) patchState({ inputError: message.message });
      return true;
    case 'backend':
      patchState({ backend: message.backend });
      return true;
    default:
      return false;
  }
}

export interface Bridge {
  /** Loads a model from a URL or files; the current one stays until the new one is ready. */
  loadModel(source: ModelSource): void;
  cancelLoad(): void;
  /** The whole trace (every tensor, all logits) as JSON, computed in the worker. */
  exportTrace(): Promise<string>;
  /** The worker connection itself, for a panel that asks its own questions (the "why" panel's attribution). */
  client: EngineClient;
  dispose(): void;
}

export function connectBridge(client: EngineClient, pageUrl: string): Bridge {
  const absolute = (url: string) => {
    try {
      return new URL(url.trim(), pageUrl).href;
    } catch {
      return url; // the loader refuses it with a sentence
    }
  };
  const exports = new Map<number, { resolve: (json: string) => void; reject: (e: Error) => void }>();
  let loadId = 0;
  let nextTimer: ReturnType<typeof setTimeout> | undefined;

  const requestTrace = (settings: Settings) => {
    clearTimeout(nextTimer); // typing goes on: the logits of the previous trace can wait for the pause
    const id = nextId++;
    patchState({ latestRequest: id });
    if (settings.preset === 'book') {
      patchState({ trace: bookTrace(id), inputError: null, notices: [] });
      return;
    }
    client.post({
      type: 'trace',
      id,
      text: settings.text,
      layer: settings.layer,
      allowSpecial: settings.special,
      ablate: ablationForRequest(settings, useAppStore.getState().model?.config),
    });
  };

  // The built-in model standing in for a link's model that failed: the reason stays on screen, and the
  // link's model= stays in the address bar, so what the link asked for is not lost.
  let fallback: { id: number; url: string; reason: string } | null = null;

  const loadModel = (source: ModelSource) => {
    // The worker would resolve a relative address against its own script, under /assets/.
    if (source.kind === 'url' && !source.url.startsWith('local:'))
      source = { ...source, url: absolute(source.url) };
    loadId = nextId++;
    patchState({ load: { active: true, fraction: null, what: 'Starting…' }, loadError: null });
    client.post({ type: 'load', id: loadId, source, backend: useAppStore.getState().settings.backend });
  };

  const askNext = (id: number) => {
    clearTimeout(nextTimer);
    nextTimer = setTimeout(() => {
      // Only the trace still on screen is worth its logits; a newer one will ask for its own.
      if (useAppStore.getState().trace?.requestId === id) client.post({ type: 'next', id });
    }, NEXT_TOKENS_IDLE_MS);
  };
  const onMessage = (message: FromWorker) => {
    if (applyResult(message, askNext)) return;
    const state = useAppStore.getState();
    switch (message.type) {
      case 'progress':
        if (message.id === loadId)
          patchState({ load: { active: true, fraction: message.fraction, what: message.what } });
        return;
      case 'model': {
        const standIn = fallback?.id === message.id ? fallback : null;
        patchState({
          model: message.info,
          backend: message.backend,
          modelNotice: message.notice,
          loadError: standIn
            ? `The model in this link (${standIn.url}) did not load, so the built-in model (${message.info.label}) runs instead. ${standIn.reason}`
            : null,
        });
        patchState({ load: { active: false, fraction: null, what: '' } });
        if (!standIn && message.cacheKey !== state.settings.model) state.set({ model: message.cacheKey });
        return;
      }
      case 'load-error':
        patchState({ loadError: message.message, load: { active: false, fraction: null, what: '' } });
        // A broken model link on first open: show the message and fall back to the built-in model.
        if (!state.model && message.id === loadId) {
          const url = state.settings.model;
          loadModel({ kind: 'default', baseUrl: pageUrl });
          fallback = { id: loadId, url, reason: message.message };
        }
        return;
      case 'export-trace':
      case 'export-error': {
        const waiting = exports.get(message.id);
        exports.delete(message.id);
        if (message.type === 'export-trace') waiting?.resolve(message.json);
        else waiting?.reject(new Error(message.message));
        return;
      }
    }
  };
  const unsubscribeClient = client.subscribe(onMessage);

  const unsubscribeStore = useAppStore.subscribe((state, previous) => {
    const s = state.settings;
    const p = previous.settings;
    if (s.backend !== p.backend) client.post({ type: 'backend', backend: s.backend });
    const ablationChanged = s.ablate !== p.ablate || s.ablateMode !== p.ablateMode;
    if (
      s.text !== p.text ||
      s.layer !== p.layer ||
      s.preset !== p.preset ||
      s.special !== p.special ||
      ablationChanged
    ) {
      requestTrace(s);
    }
  });

  const initial = useAppStore.getState().settings;
  const saved = initial.model;
  loadModel(saved ? { kind: 'url', url: saved } : { kind: 'default', baseUrl: pageUrl });
  requestTrace(initial);

  return {
    loadModel,
    client,
    cancelLoad: () => client.post({ type: 'cancel-load' }),
    exportTrace: () =>
      new Promise<string>((resolve, reject) => {
        const id = nextId++;
        exports.set(id, { resolve, reject });
        const { settings, model } = useAppStore.getState();
        const ablate = ablationForRequest(settings, model?.config);
        client.post({
          type: 'export-trace',
          id,
          text: settings.text,
          allowSpecial: settings.special,
          ablate,
        });
      }),
    dispose() {
      clearTimeout(nextTimer);
      unsubscribeClient();
      unsubscribeStore();
    },
  };
}
