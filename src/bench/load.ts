// Loading figures: a GPT-2 124M-shaped F32 safetensors file (about 500 MB) is written to a temporary folder,
// then loaded; the memory it takes is reported as a multiple of the file size (1.0× means no extra copies).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { configToJson } from '../model/config';
import { GPT2_124M, randomGPT2Weights } from '../model/random';
import { writeSafetensors } from '../model/safetensors';
import { parameterSpecs } from '../model/weights';
import { loadModelFile } from '../node/files';
import { fmt } from './timing';

export async function runLoadBench(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-load-'));
  const file = path.join(dir, 'model.safetensors');
  let fileBytes = 0;
  {
    const weights = randomGPT2Weights(GPT2_124M, 3);
    const byKey = new Map<string, Float32Array>();
    const flat = [weights.wte, weights.wpe];
    for (const layer of weights.layers) flat.push(...(Object.values(layer) as Float32Array[]));
    flat.push(weights.lnFWeight, weights.lnFBias);
    parameterSpecs(GPT2_124M).forEach((spec, i) => byKey.set(spec.key, flat[i]));
    const bytes = writeSafetensors(
      parameterSpecs(GPT2_124M).map(({ key, shape }) => ({
        name: key,
        shape,
        data: byKey.get(key)!,
        dtype: 'F32',
      })),
    );
    fileBytes = bytes.byteLength;
    writeFileSync(file, bytes);
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify(configToJson(GPT2_124M)));
  }
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage().arrayBuffers;
  const start = performance.now();
  let lastPercent = -1;
  const loaded = await loadModelFile(file, undefined, {
    onProgress: ({ loadedBytes, totalBytes }) => {
      lastPercent = Math.round((100 * loadedBytes) / totalBytes);
    },
  });
  const ms = performance.now() - start;
  const held = process.memoryUsage().arrayBuffers - before;
  console.log(
    `load 124M-shaped F32 file (${fmt(fileBytes / 1e6, 0)} MB): ${fmt(ms, 0)} ms, progress reached ${lastPercent}%, ` +
      `array memory held ${fmt(held / fileBytes)}× the file size (${loaded.layers.length} layers)`,
  );
  rmSync(dir, { recursive: true, force: true });
}
