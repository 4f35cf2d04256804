// The page's engine worker host, run in-process, with the built-in model loaded on the CPU: the start of every
// test of the jobs it answers. The engine it makes is whatever the test file's vi.mock of backend.ts returns.

import { expect, vi } from 'vitest';
import { createEngineHost } from '../../src/app/worker/engine-host';
import type { FromWorker } from '../../src/app/worker/protocol';

/** A host that has answered its load with a model; `messages` holds everything it posted, oldest first. */
export async function loadedEngineHost() {
  const messages: FromWorker[] = [];
  const host = createEngineHost((m) => messages.push(m));
  host.handle({
    type: 'load',
    id: 1,
    source: { kind: 'default', baseUrl: 'http://127.0.0.1:9/' },
    backend: 'cpu',
  });
  await vi.waitFor(() => expect(messages.some((m) => m.type === 'model')).toBe(true), { timeout: 20_000 });
  return { host, messages };
}
