// The Train view's handle on its worker: a real Web Worker in the browser, or the same host in-process for
// component tests (jsdom has no workers). Closing it ends the worker, and with it the run.

import { createTrainHost } from './train-host';
import type { FromTrainer, ToTrainer } from './train-protocol';

export interface TrainClient {
  post(message: ToTrainer): void;
  subscribe(listener: (message: FromTrainer) => void): () => void;
  /** Stops training at once and frees the worker. */
  dispose(): void;
}

export type TrainClientFactory = () => TrainClient;

function listeners() {
  const set = new Set<(message: FromTrainer) => void>();
  return {
    emit: (message: FromTrainer) => set.forEach((l) => l(message)),
    subscribe(listener: (message: FromTrainer) => void) {
      set.add(listener);
      return () => void set.delete(listener);
    },
  };
}

export function createTrainWorkerClient(): TrainClient {
  const worker = new Worker(new URL('./train.worker.ts', import.meta.url), { type: 'module', name: 'train' });
  const { emit, subscribe } = listeners();
  worker.onmessage = (event: MessageEvent<FromTrainer>) => emit(event.data);
  worker.onerror = (event) => {
    event.preventDefault();
    emit({ type: 'error', message: `The training worker failed: ${event.message || 'unknown error'}.` });
  };
  return { post: (message) => worker.postMessage(message), subscribe, dispose: () => worker.terminate() };
}

export function createInProcessTrainClient(): TrainClient {
  const { emit, subscribe } = listeners();
  let open = true;
  const host = createTrainHost((message) => setTimeout(() => open && emit(message), 0));
  return {
    post: (message) => setTimeout(() => open && host.handle(message), 0),
    subscribe,
    dispose: () => {
      open = false;
      host.dispose();
    },
  };
}
