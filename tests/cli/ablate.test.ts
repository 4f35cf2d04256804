// `npm run trace -- --ablate L.H[,L.H…] [--ablate-mode zero|mean]` end to end, on both backends, on a random
// model it has never seen: the JSON names the ablation and matches the float64 reference of the ablated model
// within 1e-4 per tensor; bad heads or modes end with one line on stderr before anything runs.

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Ablation } from '../../src/model/ablation';
import { encode } from '../../src/tokenizer/gpt2';
import { relativeError } from '../helpers/fixtures';
import { writeModelFolder } from '../helpers/model-files';
import { loudRandomWeights, testConfig } from '../helpers/random-models';
import { referenceTrace } from '../helpers/reference-gpt2';
import { deviceForTests } from '../model/webgpu/gpu';

const ROOT = path.resolve(__dirname, '../..');
/** Bundling the CLI and, for WebGPU, compiling every kernel on SwiftShader take a minute on a busy machine. */
const CLI_TIMEOUT_MS = 400_000;
const runTrace = (args: string[]) =>
  spawnSync(process.execPath, ['scripts/run.mjs', 'src/cli/trace.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });

const config = testConfig({ nEmbd: 40, nHead: 5, nLayer: 3 });
const weights = loudRandomWeights(config, 4242);
const model = writeModelFolder(weights, 'official', 'F32');
const text = 'The cat sat on the mat because it was warm.';
const ids = encode(text).slice(0, config.nPositions);

const probe = await deviceForTests();
probe?.device.destroy();
const backends = probe ? ['cpu', 'webgpu'] : ['cpu'];

describe('npm run trace -- --ablate', () => {
  const runs: [string, string, string[], Ablation][] = backends.flatMap((backend) => [
    [
      backend,
      'zero by default',
      ['--ablate', '2.1,3.5'],
      {
        heads: [
          [1, 0],
          [2, 4],
        ],
        mode: 'zero',
      },
    ],
    [backend, 'mean', ['--ablate', '1.3', '--ablate-mode', 'mean'], { heads: [[0, 2]], mode: 'mean' }],
  ]);
  it.each(runs)(
    '%s, %s: matches the float64 reference of the ablated model and names the ablation',
    (backend, _, ablateArgs, ablation) => {
      const out = path.join(path.dirname(model), `ablated-${backend}-${ablation.mode}.json`);
      const result = runTrace([
        '--backend',
        backend,
        '--model',
        model,
        '--text',
        text,
        '--out',
        out,
        ...ablateArgs,
      ]);
      expect(result.status, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/knocked out/);
      const trace = JSON.parse(readFileSync(out, 'utf8'));
      expect(trace.backend).toBe(backend);
      expect(trace.ablation).toEqual({ heads: ablateArgs[1].split(','), mode: ablation.mode });
      const reference = referenceTrace(weights, ids, ablation);
      for (const [name, expected] of Object.entries(reference))
        expect(relativeError(trace.tensors[name].data, expected), name).toBeLessThan(1e-4);
      const plain = referenceTrace(weights, ids);
      expect(relativeError(plain.logits, reference.logits)).toBeGreaterThan(1e-2);
    },
    CLI_TIMEOUT_MS,
  );

  it.each([
    ['an unknown layer', ['--ablate', '4.1'], /Head 4\.1 does not exist: this model has layers 1 to 3/],
    ['an unknown head', ['--ablate', '1.6'], /Head 1\.6 does not exist: this model has heads 1 to 5/],
    ['a duplicate', ['--ablate', '2.2,2.2'], /Head 2\.2 is named twice/],
    [
      'every head at once',
      ['--ablate', Array.from({ length: 15 }, (_, i) => `${Math.floor(i / 5) + 1}.${(i % 5) + 1}`).join(',')],
      /all 15 heads/,
    ],
    ['a malformed head', ['--ablate', '2-1'], /--ablate: "2-1" is not a head/],
    ['a head counted from 0', ['--ablate', '0.1'], /Head 0\.1 does not exist/],
    ['an unknown mode', ['--ablate', '1.1', '--ablate-mode', 'noise'], /--ablate-mode must be zero or mean/],
    ['a mode alone', ['--ablate-mode', 'mean'], /--ablate-mode needs --ablate/],
  ])(
    'fails with one line for %s',
    (_, args, message) => {
      const result = runTrace(['--model', model, '--text', text, ...args]);
      expect(result.status).not.toBe(0);
      const lines = result.stderr.trim().split('\n');
      expect(lines.length, result.stderr).toBe(1);
      expect(lines[0]).toMatch(message);
    },
    CLI_TIMEOUT_MS,
  );
});
