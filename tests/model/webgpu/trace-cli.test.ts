// `npm run trace -- --backend webgpu` end to end, on GPT-2-layout models it has never seen: the JSON says
// "backend": "webgpu", names the adapter, and matches an independent float64 reference within 1e-4.

import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { encode } from '../../../src/tokenizer/gpt2';
import { relativeError } from '../../helpers/fixtures';
import { writeModelFolder } from '../../helpers/model-files';
import { loudRandomWeights, testConfig } from '../../helpers/random-models';
import { referenceTrace } from '../../helpers/reference-gpt2';
import { deviceForTests } from './gpu';

const ROOT = path.resolve(__dirname, '../../..');
/** Bundling the CLI and compiling every kernel on SwiftShader takes a minute or more on a busy machine. */
const CLI_TIMEOUT_MS = 400_000;

const probe = await deviceForTests();
probe?.device.destroy();

const unseenModels: [string, Parameters<typeof testConfig>[0]][] = [
  ['C=24, 3 heads of 8, 1 layer', { nEmbd: 24, nHead: 3, nLayer: 1 }],
  ['C=40, 5 heads of 8, 3 layers, T = 19 uncut', { nEmbd: 40, nHead: 5, nLayer: 3, nPositions: 24 }],
];

describe.skipIf(!probe)('npm run trace -- --backend webgpu', () => {
  it.each(unseenModels)(
    'matches the float64 reference: %s',
    (_, overrides) => {
      const config = testConfig(overrides);
      const weights = loudRandomWeights(config, config.nEmbd * 11 + config.nLayer);
      const model = writeModelFolder(weights, 'official', 'F32');
      const text = 'The cat sat on the mat because it was warm, and the dog slept on the rug.';
      const out = path.join(path.dirname(model), 'trace-webgpu.json');
      const args = [
        'scripts/run.mjs',
        'src/cli/trace.ts',
        '--backend',
        'webgpu',
        '--model',
        model,
        '--text',
        text,
      ];
      const result = spawnSync(process.execPath, [...args, '--out', out], { cwd: ROOT, encoding: 'utf8' });
      expect(result.status, result.stderr).toBe(0);
      const trace = JSON.parse(readFileSync(out, 'utf8'));
      expect(trace.backend).toBe('webgpu');
      expect(trace.adapter).toBe(probe!.adapterName);
      const ids = encode(text).slice(0, config.nPositions);
      expect(trace.ids).toEqual(ids);
      const reference = referenceTrace(weights, ids);
      for (const [name, expected] of Object.entries(reference)) {
        expect(trace.tensors[name], name).toBeDefined();
        expect(relativeError(trace.tensors[name].data, expected), name).toBeLessThan(1e-4);
      }
      expect(trace.tensors.logits.shape).toEqual([ids.length, config.vocabSize]);
    },
    CLI_TIMEOUT_MS,
  );
});
