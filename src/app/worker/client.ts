// The page's handle on the engine: the engine worker in the browser, or its host in-process for component tests
// (the generic client is src/app/worker-client.ts).

import { clientInProcess, clientOfWorker, type WorkerClient } from '../worker-client';
import { createEngineHost } from './engine-host';
import type { FromWorker, ToWorker } from './protocol';

export type EngineClient = WorkerClient<ToWorker, FromWorker>;

export function createWorkerClient(): EngineClient {
  const worker = new Worker(new URL('./engine.worker.ts', import.meta.url), {
    type: 'module',
    name: 'engine',
  });
  return clientOfWorker(worker, (detail) => ({
    type: 'load-error',
    id: -1,
    message: `The compute worker failed: ${detail}.`,
  }));
}

export function createInProcessClient(): EngineClient {
  return clientInProcess(createEngineHost);
}
