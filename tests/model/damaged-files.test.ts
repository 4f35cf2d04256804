// Every damaged file of tests/helpers/damaged-files.ts through the three load paths (a Node file, a browser
// Blob, bytes in memory): the same outcome on each, no crash, no hang and no silent accept.

import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ModelFileError } from '../../src/model/errors';
import { parseConfig } from '../../src/model/config';
import { bytesSource } from '../../src/model/safetensors';
import { loadGPT2Weights, type GPT2Weights } from '../../src/model/weights';
import { loadModelFile } from '../../src/node/files';
import { weightsFromBlobs } from '../../src/app/worker/model-loader';
import { runTrace } from '../../src/app/worker/run-trace';
import { CpuEngine } from '../../src/model/cpu/forward';
import {
  damagedCases,
  damagedConfigs,
  SMALL_CONFIG,
  SMALL_CONFIG_TEXT,
  type Expectation,
} from '../helpers/damaged-files';
import { createSyncKernels } from '../../src/model/wasm/select';

const LABEL = 'model.safetensors';
const HANG_MS = 10_000;
/** Phrases of JavaScript's own errors: none may reach a user. */
const INTERNAL =
  /Cannot read properties|is not a function|is not iterable|Maximum call stack|Invalid typed array length|\n\s+at /;
const MAX_MESSAGE = 300;

type LoadPath = (bytes: Uint8Array, configText?: string) => Promise<GPT2Weights>;
const paths: Record<string, LoadPath> = {
  'Node file': (bytes, configText = SMALL_CONFIG_TEXT) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'damaged-'));
    writeFileSync(path.join(dir, LABEL), bytes);
    writeFileSync(path.join(dir, 'config.json'), configText);
    return loadModelFile(path.join(dir, LABEL));
  },
  Blob: (bytes, configText = SMALL_CONFIG_TEXT) =>
    weightsFromBlobs(
      new Blob([bytes as BlobPart]),
      configText,
      LABEL,
      new AbortController().signal,
      () => {},
    ),
  bytes: async (bytes, configText) =>
    loadGPT2Weights(bytesSource(bytes), configText ? parseConfig(configText) : SMALL_CONFIG, {
      fileLabel: LABEL,
    }),
};

type Outcome = { loaded: GPT2Weights } | { error: unknown } | { hung: true };

async function attempt(load: () => Promise<GPT2Weights>): Promise<Outcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<Outcome>(
    (resolve) => (timer = setTimeout(() => resolve({ hung: true }), HANG_MS)),
  );
  try {
    return await Promise.race([
      load().then(
        (loaded) => ({ loaded }),
        (error: unknown) => ({ error }),
      ),
      hang,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const allFinite = (w: GPT2Weights) =>
  [
    w.wte,
    w.wpe,
    w.lnFWeight,
    w.lnFBias,
    ...w.layers.flatMap((l) => Object.values(l) as Float32Array[]),
  ].every((a) => a.every(Number.isFinite));

function check(c: { expect: Expectation }, outcome: Outcome, names = LABEL) {
  expect(outcome, 'hang').not.toHaveProperty('hung');
  if ('refuse' in c.expect) {
    expect(outcome, 'silent accept').toHaveProperty('error');
    const { error } = outcome as { error: Error };
    expect(error, `crash: ${String(error).slice(0, 300)}`).toBeInstanceOf(ModelFileError);
    expect(error.message).not.toMatch(INTERNAL);
    expect(error.message.length, error.message.slice(0, 400)).toBeLessThanOrEqual(MAX_MESSAGE);
    expect(error.message).toMatch(c.expect.refuse);
    expect(error.message).toContain(names);
    expect(error.message.split(/\.\s/)).toHaveLength(1); // one sentence
  } else {
    if ('error' in outcome) throw outcome.error;
    const { loaded } = outcome as { loaded: GPT2Weights };
    expect(allFinite(loaded)).toBe(true);
    if (c.expect.notice) expect(loaded.notices?.join(' ')).toMatch(c.expect.notice);
    else expect(loaded.notices ?? []).toEqual([]);
  }
}

const cases = damagedCases();

describe('damaged safetensors files', () => {
  it('cover every class the fuzz run found', () => {
    const perKind = new Map<string, number>();
    for (const c of cases) perKind.set(c.kind, (perKind.get(c.kind) ?? 0) + 1);
    expect([...perKind.keys()]).toEqual([
      'not a safetensors file',
      'broken header',
      'truncated or padded',
      'overlapping or shifted offsets',
      'NaN or ±Inf in a weight',
      'untied output head',
      'unknown extra tensors',
      'hostile header',
    ]);
  });

  it.each(cases.map((c) => [c.kind, c.name, c] as const))('%s: %s', async (_, __, c) => {
    for (const [pathName, load] of Object.entries(paths)) {
      const outcome = await attempt(() => load(c.bytes));
      try {
        check(c, outcome);
      } catch (failure) {
        (failure as Error).message = `${pathName}: ${(failure as Error).message}`;
        throw failure;
      }
    }
  });

  it.each(damagedConfigs().map((c) => [c.name, c] as const))('config.json with %s', async (_, c) => {
    for (const [pathName, load] of Object.entries(paths)) {
      const outcome = await attempt(() => load(c.bytes, c.text));
      try {
        check(c, outcome, 'config.json');
      } catch (failure) {
        (failure as Error).message = `${pathName}: ${(failure as Error).message}`;
        throw failure;
      }
    }
  });

  it('shows the notice about unused tensors above the page’s tokens', async () => {
    const extra = cases.find((c) => c.name === 'one extra tensor')!;
    const weights = await paths.bytes(extra.bytes);
    const engine = new CpuEngine(weights, createSyncKernels());
    const request = { type: 'trace', id: 1, text: 'A', layer: 0, allowSpecial: false } as const;
    const result = await runTrace(engine, weights, request);
    expect(result.notices[0]).toMatch(/does not use, left out: "value_head\.weight"/);
    engine.dispose();
  });
});
