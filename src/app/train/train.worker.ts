// The training worker's entry: the run lives here, off the main thread, so the page stays responsive while it
// trains. Everything it does lives in train-host.ts, which tests run in-process.

import { createTrainHost } from './train-host';
import type { ToTrainer } from './train-protocol';

const host = createTrainHost((message, transfer = []) => self.postMessage(message, { transfer }));
self.onmessage = (event: MessageEvent<ToTrainer>) => host.handle(event.data);
