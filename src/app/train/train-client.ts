// The Train view's handle on its worker: the training worker in the browser, or its host in-process for
// component tests (the generic client is src/app/worker-client.ts). Closing it ends the worker, and the run.

import { clientInProcess, clientOfWorker, type WorkerClient } from '../worker-client';
import { createTrainHost } from './train-host';
import type { FromTrainer, ToTrainer } from './train-protocol';

export type TrainClient = WorkerClient<ToTrainer, FromTrainer>;

export type TrainClientFactory = () => TrainClient;

export function createTrainWorkerClient(): TrainClient {
  const worker = new Worker(new URL('./train.worker.ts', import.meta.url), { type: 'module', name: 'train' });
  return clientOfWorker(worker, (detail) => ({
    type: 'error',
    message: `The training worker failed: ${detail}.`,
  }));
}

export function createInProcessTrainClient(): TrainClient {
  return clientInProcess((post) => createTrainHost(post));
}
