// The page's handle on a Web Worker that hosts a job (the engine, the trainer), written once for both: a real
// worker in the browser, or the same host code in-process for component tests (jsdom has no workers). Both
// deliver messages asynchronously, as a worker would, and nothing arrives after dispose().

/** Messages to the host of type `In`, answers of type `Out`. */
export interface WorkerClient<In, Out> {
  post(message: In): void;
  subscribe(listener: (message: Out) => void): () => void;
  /** Ends the worker (and with it any job it runs). */
  dispose(): void;
}

/** What a worker's module exports for in-process use: a host fed messages, answering through `post`. */
export interface WorkerHost<In> {
  handle(message: In): void;
  dispose?(): void;
}

function listenerSet<Out>() {
  const listeners = new Set<(message: Out) => void>();
  return {
    emit: (message: Out) => listeners.forEach((listener) => listener(message)),
    subscribe(listener: (message: Out) => void) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}

/**
 * A client on `worker` (made by the caller, as `new Worker(new URL('./x.worker.ts', import.meta.url))` must
 * stand in the module Vite bundles it from). A worker that fails to load or throws outside a message answers
 * with `failure(detail)`, the host's own error message.
 */
export function clientOfWorker<In, Out>(
  worker: Worker,
  failure: (detail: string) => Out,
): WorkerClient<In, Out> {
  const { emit, subscribe } = listenerSet<Out>();
  worker.onmessage = (event: MessageEvent<Out>) => emit(event.data);
  worker.onerror = (event) => {
    event.preventDefault();
    emit(failure(event.message || 'unknown error'));
  };
  return { post: (message) => worker.postMessage(message), subscribe, dispose: () => worker.terminate() };
}

/** A client on a host running in this thread (tests), with a worker's asynchronous delivery both ways. */
export function clientInProcess<In, Out>(
  createHost: (post: (message: Out) => void) => WorkerHost<In>,
): WorkerClient<In, Out> {
  const { emit, subscribe } = listenerSet<Out>();
  let open = true;
  const host = createHost((message) => setTimeout(() => open && emit(message), 0));
  return {
    post: (message) => setTimeout(() => open && host.handle(message), 0),
    subscribe,
    dispose: () => {
      open = false;
      host.dispose?.();
    },
  };
}
