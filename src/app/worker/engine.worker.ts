// The Web Worker entry: the engine runs here, off the main thread, so typing never waits for a forward pass.
// Everything it does lives in engine-host.ts, which tests run in-process.

import { createEngineHost } from './engine-host';
import type { ToWorker } from './protocol';

const host = createEngineHost((message, transfer = []) => self.postMessage(message, { transfer }));
self.onmessage = (event: MessageEvent<ToWorker>) => host.handle(event.data);
