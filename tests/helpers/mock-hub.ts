// A stand-in for the Hugging Face Hub on two local ports, for the preset tests: the hub answers config.json
// itself and redirects model.safetensors (302) to a "CDN" on another port, both with the Hub's CORS headers.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { configToJson, type GPT2Config } from '../../src/model/config';
import { randomGPT2Weights } from '../../src/model/random';
import { writeSafetensors } from '../../src/model/safetensors';
import { layoutTensors } from './model-files';

/** A tiny GPT-2 over the full vocabulary (the tokenizer's ids reach 50256): 1.6 MB in F16. */
export const HUB_TEST_CONFIG: GPT2Config = {
  vocabSize: 50257,
  nPositions: 64,
  nEmbd: 16,
  nLayer: 2,
  nHead: 2,
  layerNormEpsilon: 1e-5,
  activation: 'gelu_new',
};

/** config.json as the Hub serves GPT-2's: the fields transformers writes, around the tiny shape. */
function hubConfigJson(config: GPT2Config): string {
  return JSON.stringify({
    activation_function: 'gelu_new',
    architectures: ['GPT2LMHeadModel'],
    attn_pdrop: 0.1,
    bos_token_id: 50256,
    embd_pdrop: 0.1,
    eos_token_id: 50256,
    initializer_range: 0.02,
    ...configToJson(config),
    model_type: 'gpt2',
    n_ctx: config.nPositions,
    resid_pdrop: 0.1,
    task_specific_params: { 'text-generation': { do_sample: true, max_length: 50 } },
  });
}

/** The two repositories with the key layout each has on the Hub: bare "h.0…" keys, or "transformer.h.0…". */
export function hubFiles(config: GPT2Config = HUB_TEST_CONFIG): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  const repos = [
    ['openai-community/gpt2', 'official', 1],
    ['distilbert/distilgpt2', 'prefixed', 2],
  ] as const;
  for (const [repo, layout, seed] of repos) {
    const weights = randomGPT2Weights(config, seed);
    files[`/${repo}/resolve/main/model.safetensors`] = writeSafetensors(
      layoutTensors(weights, layout, 'F16'),
    );
    files[`/${repo}/resolve/main/config.json`] = new TextEncoder().encode(hubConfigJson(config));
  }
  return files;
}

/** How the CDN answers the next downloads: whole, slowly (to cancel), cut off midway, or without CORS. */
export type CdnMode = 'ok' | 'slow' | 'cut' | 'no-cors';

export interface MockHub {
  /** The hub's base URL, for the page's ?hub= (http://127.0.0.1:PORT). */
  hub: string;
  cdn: string;
  /** Every request both servers got: "hub GET /path" or "cdn GET /path", with the request's Origin and mode. */
  log: { server: 'hub' | 'cdn'; path: string; origin?: string; mode?: string }[];
  setMode(mode: CdnMode): void;
  close(): Promise<void>;
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'content-length, etag, x-repo-commit, x-linked-size',
};

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Server> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
const originOf = (server: Server) => {
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
};

/** Sends `body` in 16 KB pieces every 100 ms, or stops halfway and breaks the connection. */
function send(res: ServerResponse, body: Uint8Array, mode: CdnMode): void {
  const headers = {
    'content-type': 'application/octet-stream',
    'content-length': String(body.byteLength),
    ...(mode === 'no-cors' ? {} : CORS),
  };
  res.writeHead(200, headers);
  if (mode === 'ok' || mode === 'no-cors') {
    res.end(body);
    return;
  }
  if (mode === 'cut') {
    res.write(body.subarray(0, body.byteLength >> 1), () => setTimeout(() => res.destroy(), 50));
    return;
  }
  let offset = 0;
  const next = () => {
    if (res.destroyed) return;
    if (offset >= body.byteLength) return void res.end();
    res.write(body.subarray(offset, (offset += 16_384)));
    setTimeout(next, 100);
  };
  next();
}

export async function startMockHub(files: Record<string, Uint8Array> = hubFiles()): Promise<MockHub> {
  let mode: CdnMode = 'ok';
  const log: MockHub['log'] = [];
  const record = (server: 'hub' | 'cdn', req: IncomingMessage) =>
    log.push({
      server,
      path: new URL(req.url ?? '/', 'http://x').pathname,
      origin: req.headers.origin,
      mode: req.headers['sec-fetch-mode'] as string | undefined,
    });
  const cdnServer = await listen((req, res) => {
    record('cdn', req);
    const body = files[new URL(req.url ?? '/', 'http://x').pathname.replace(/^\/cdn/, '')];
    if (!body) return void res.writeHead(404, CORS).end('not found');
    send(res, body, mode);
  });
  const cdn = originOf(cdnServer);
  const hubServer = await listen((req, res) => {
    record('hub', req);
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    const body = files[pathname];
    if (!body)
      return void res.writeHead(404, { ...CORS, 'content-type': 'text/plain' }).end('Entry not found');
    // As the Hub does for LFS files: the weights live on a CDN on another origin.
    if (pathname.endsWith('.safetensors')) {
      return void res.writeHead(302, { ...CORS, location: `${cdn}/cdn${pathname}` }).end();
    }
    res.writeHead(200, { ...CORS, 'content-type': 'application/json', 'content-length': body.byteLength });
    res.end(body);
  });
  return {
    hub: originOf(hubServer),
    cdn,
    log,
    setMode: (next) => void (mode = next),
    close: async () => {
      for (const server of [hubServer, cdnServer]) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    },
  };
}
