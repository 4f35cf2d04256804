// Activations that overflow float32 on finite weights: the page's trace and next tokens, the export and
// `npm run trace` each refuse with one sentence that names the first tensor, instead of drawing NaN.

import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { traceCommand } from '../../src/cli/trace-command';
import { nextTokens, runTrace, userMessage } from '../../src/app/worker/run-trace';
import { CpuEngine } from '../../src/model/cpu/forward';
import { traceText } from '../../src/model/engine';
import { checkFinite, firstNonFinite, NonFiniteError } from '../../src/model/finite';
import { traceToJson } from '../../src/model/trace-json';
import { writeModelFolder } from '../helpers/model-files';
import { loudRandomWeights, testConfig } from '../helpers/random-models';
import { createSyncKernels } from '../../src/model/wasm/select';

/** Finite weights whose token and position embeddings add up past float32's largest number. */
function overflowingWeights() {
  const weights = loudRandomWeights(testConfig({ nEmbd: 8, nHead: 2, nPositions: 8 }), 11);
  weights.wte.fill(3e38);
  weights.wpe.fill(3e38);
  return weights;
}

describe('non-finite activations', () => {
  it('finds the first non-finite value and its position', () => {
    const tensors = {
      a: { shape: [2, 3], data: Float32Array.from([0, 1, 2, 3, 4, 5]) },
      b: { shape: [2, 3], data: Float32Array.from([0, 1, 2, 3, -Infinity, NaN]) },
    };
    expect(firstNonFinite(tensors)).toEqual({ name: 'b', at: [1, 1], value: -Infinity });
    expect(() => checkFinite(tensors, 'nothing is drawn')).toThrow(
      'The model computed -Infinity in b at [1, 1]: its numbers overflow float32 on this text, so nothing is drawn.',
    );
    expect(firstNonFinite({ a: tensors.a })).toBeNull();
  });

  it('makes the page say so for the trace and the next tokens, instead of drawing NaN', async () => {
    const weights = overflowingWeights();
    const engine = new CpuEngine(weights, createSyncKernels());
    const request = { type: 'trace', id: 1, text: 'the cat', layer: 0, allowSpecial: false } as const;
    const error = await runTrace(engine, weights, request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteError);
    expect(userMessage(error)).toMatch(
      /^The model computed \+Infinity in input_emb at \[0, 0\].*nothing new is drawn\.$/,
    );
    await expect(nextTokens(engine, 1, [1169, 3797])).rejects.toThrow(/no next-token probabilities/);
    await expect(traceText(engine, 'the cat').then((t) => traceToJson(t, 'CPU'))).rejects.toThrow(
      /cannot be exported/,
    );
    engine.dispose();
  });

  it('makes npm run trace fail with one sentence and write nothing', async () => {
    const model = writeModelFolder(overflowingWeights(), 'official', 'F32');
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'nan-')), 'trace.json');
    const lines: string[] = [];
    await expect(
      traceCommand(['--model', model, '--text', 'the cat', '--out', out], (l) => lines.push(l)),
    ).rejects.toThrow(/^The model computed \+Infinity in input_emb.*no trace was written\.$/);
    expect(existsSync(out)).toBe(false);
    expect(lines).toEqual([]);
  });
});
