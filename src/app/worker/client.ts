// The page's handle on the engine: a real Web Worker in the browser, or the same host code in-process for
// component tests (jsdom has no workers). Both deliver messages asynchronously, like a worker would.

import { createEngineHost } from './engine-host';
import type { FromWorker, ToWorker } from './protocol';

export interface EngineClient {
  post(message: ToWorker): void;
  subscribe(listener: (message: FromWorker) => void): () => void;
  dispose(): void;
}

function listenerSet() {
  const listeners = new Set<(message: FromWorker) => void>();
  return {
    emit: (message: FromWorker) => listeners.forEach((l) => l(message)),
    subscribe(listener: (message: FromWorker) => void) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}

export function createWorkerClient(): EngineClient {
  const worker = new Worker(new URL('./engine.worker.ts', import.meta.url), {
    type: 'module',
    name: 'engine',
  });
  const { emit, subscribe } = listenerSet();
  worker.onmessage = (event: MessageEvent<FromWorker>) => emit(event.data);
  worker.onerror = (event) => {
    event.preventDefault();
    emit({
      type: 'load-error',
      id: -1,
      message: `The compute worker failed: ${event.message || 'unknown error'}.`,
    });
  };
  return { post: (message) => worker.postMessage(message), subscribe, dispose: () => worker.terminate() };
}

export function createInProcessClient(): EngineClient {
  const { emit, subscribe } = listenerSet();
  const host = createEngineHost((message) => setTimeout(() => emit(message), 0));
  return {
    post: (message) => setTimeout(() => host.handle(message), 0),
    subscribe,
    dispose: () => undefined,
  };
}
