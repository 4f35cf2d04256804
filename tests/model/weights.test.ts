// The safetensors loader: every dtype and key layout of the fixture weights loads to the same numbers, and
// every kind of damaged file is refused with one clear sentence and no partial model.

import { describe, expect, it, beforeAll } from 'vitest';
import { readFileSync, writeFileSync, mkdtempSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bytesSource, decodeToFloat32, float32ToFloat16Bits } from '../../src/model/safetensors';
import { loadGPT2Weights, parameterCount, parameterSpecs, type GPT2Weights } from '../../src/model/weights';
import { parseConfig } from '../../src/model/config';
import { ModelFileError } from '../../src/model/errors';
import { loadModelFile } from '../../src/node/files';
import { TINY_CONFIG, TINY_MODEL, loadTinyModel } from '../helpers/fixtures';
import { writeModelFolder } from '../helpers/model-files';

let reference: GPT2Weights;
beforeAll(async () => {
  reference = await loadTinyModel();
});

const allArrays = (w: GPT2Weights) => [
  w.wte,
  w.wpe,
  w.lnFWeight,
  w.lnFBias,
  ...w.layers.flatMap((layer) => Object.values(layer) as Float32Array[]),
];

describe('weights loader', () => {
  it('reads the official F16 fixture with its config', () => {
    expect(reference.config).toMatchObject({
      vocabSize: 50257,
      nPositions: 32,
      nEmbd: 32,
      nLayer: 2,
      nHead: 4,
    });
    expect(reference.layers[0].qkvWeight.length).toBe(32 * 96);
  });

  it.each([
    ['F32', 'official'],
    ['BF16', 'official'],
    ['F16', 'prefixed'],
    ['F32', 'prefixed'],
  ] as const)('loads a %s copy in the %s layout', async (dtype, layout) => {
    const file = writeModelFolder(reference, layout, dtype);
    const loaded = await loadModelFile(file);
    const expected = allArrays(reference);
    // F16 values are exact in F32; BF16 keeps 8 bits of mantissa, so allow its rounding.
    const tolerance = dtype === 'BF16' ? 2 ** -8 : 0;
    allArrays(loaded).forEach((array, i) => {
      let worst = 0;
      for (let j = 0; j < array.length; j++) {
        worst = Math.max(worst, Math.abs(array[j] - expected[i][j]) - Math.abs(expected[i][j]) * tolerance);
      }
      expect(worst).toBeLessThanOrEqual(0);
    });
  });

  it('converts halves exactly, including subnormals, infinities and rounding', () => {
    const values = [0, -0, 1, -2.5, 65504, 6.1035156e-5, 5.9604645e-8, 1 / 3, Infinity, -Infinity];
    const halves = new Uint16Array(values.map(float32ToFloat16Bits));
    const back = decodeToFloat32(new Uint8Array(halves.buffer), 'F16');
    expect(Array.from(back)).toEqual([
      0,
      -0,
      1,
      -2.5,
      65504,
      6.103515625e-5,
      5.960464477539063e-8,
      0.333251953125,
      Infinity,
      -Infinity,
    ]);
  });

  it('reports progress up to the total', async () => {
    const seen: number[] = [];
    const config = parseConfig(readFileSync(TINY_CONFIG, 'utf8'));
    await loadGPT2Weights(bytesSource(new Uint8Array(readFileSync(TINY_MODEL))), config, {
      onProgress: (p) => seen.push(p.loadedBytes / p.totalBytes),
    });
    expect(seen.at(-1)).toBe(1);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const config = parseConfig(readFileSync(TINY_CONFIG, 'utf8'));
    await expect(
      loadGPT2Weights(bytesSource(new Uint8Array(readFileSync(TINY_MODEL))), config, {
        signal: controller.signal,
      }),
    ).rejects.toThrow(/cancelled/);
  });
});

describe('parameterCount', () => {
  it('counts from the sizes what the parameter list holds (GPT-2 small: 124 439 808)', () => {
    const small = parseConfig({ vocab_size: 50257, n_positions: 1024, n_embd: 768, n_layer: 12, n_head: 12 });
    for (const config of [small, { ...small, nLayer: 1, nEmbd: 8, nHead: 2, vocabSize: 5, nPositions: 3 }]) {
      const listed = parameterSpecs(config).reduce((sum, s) => sum + s.shape.reduce((a, b) => a * b, 1), 0);
      expect(parameterCount(config)).toBe(listed);
    }
    expect(parameterCount(small)).toBe(124_439_808);
  });
});

describe('damaged files', () => {
  const original = () => new Uint8Array(readFileSync(TINY_MODEL));
  const headerLength = (bytes: Uint8Array) => Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const withHeader = (bytes: Uint8Array, edit: (h: Record<string, unknown>) => void) => {
    const n = headerLength(bytes);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    edit(header);
    const text = new TextEncoder().encode(JSON.stringify(header).padEnd(n, ' '));
    if (text.length !== n) throw new Error('edited header must keep its length');
    const out = bytes.slice();
    out.set(text, 8);
    return out;
  };

  const cases: [string, () => Uint8Array, RegExp, string?][] = [
    ['a truncated file', () => original().subarray(0, 100_000), /truncated/],
    [
      'a header longer than the file',
      () => {
        const b = original().slice(0, 4096);
        new DataView(b.buffer).setBigUint64(0, 1_000_000n, true);
        return b;
      },
      /header is 1000000 bytes long/,
    ],
    [
      'invalid header JSON',
      () => {
        const b = original();
        b[8] = 0x7a; // 'z' where '{' was
        return b;
      },
      /not a safetensors file/,
    ],
    [
      'an unsupported dtype',
      () =>
        withHeader(original(), (h) => {
          const wpe = h['wpe.weight'] as { dtype: string; shape: number[] };
          wpe.dtype = 'I8';
          wpe.shape = [32, 64]; // the same bytes as [32, 32] in F16
        }),
      /dtype "I8"/,
    ],
    [
      'a missing tensor',
      () =>
        withHeader(original(), (h) => {
          h['ln_f.bjas'] = h['ln_f.bias'];
          delete h['ln_f.bias'];
        }),
      /missing the tensor "ln_f\.bias"/,
    ],
    [
      'a shape that disagrees with the config',
      () => original(),
      /n_embd = 32 but config.json says 48/,
      'wide',
    ],
    [
      'a non-finite value in an embedding',
      () => {
        const b = original();
        const n = headerLength(b);
        const header = JSON.parse(new TextDecoder().decode(b.subarray(8, 8 + n)));
        const at = 8 + n + header['wpe.weight'].data_offsets[0] + 2 * 5;
        b[at] = 0x00;
        b[at + 1] = 0x7c; // F16 +Infinity
        return b;
      },
      /"wpe\.weight" holds \+Infinity at index 5/,
    ],
  ];

  it.each(cases)('refuses %s with one clear sentence', async (_, makeBytes, message, configVariant) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bad-'));
    const file = path.join(dir, 'model.safetensors');
    writeFileSync(file, makeBytes());
    const config = JSON.parse(readFileSync(TINY_CONFIG, 'utf8'));
    if (configVariant === 'wide') config.n_embd = 48;
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
    const error = await loadModelFile(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelFileError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message.split(/\.\s/).length).toBe(1); // one sentence
  });

  it('refuses a config whose head count does not divide the width', () => {
    const config = JSON.parse(readFileSync(TINY_CONFIG, 'utf8'));
    expect(() => parseConfig({ ...config, n_head: 5 })).toThrow(/not divisible/);
  });

  it('skips mask buffers by their whole name but keeps attn.c_attn.bias', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mask-'));
    copyFileSync(TINY_MODEL, path.join(dir, 'model.safetensors'));
    copyFileSync(TINY_CONFIG, path.join(dir, 'config.json'));
    const loaded = await loadModelFile(path.join(dir, 'model.safetensors'));
    expect(loaded.layers[0].qkvBias.length).toBe(96);
    expect(Array.from(loaded.layers[0].qkvBias)).toEqual(Array.from(reference.layers[0].qkvBias));
  });
});

describe('memory use on large files', () => {
  it('reads one tensor at a time, never the whole file', async () => {
    const bytes = new Uint8Array(readFileSync(TINY_MODEL));
    const reads: number[] = [];
    const source = {
      size: bytes.byteLength,
      read: async (offset: number, length: number) => {
        reads.push(length);
        return bytes.subarray(offset, offset + length);
      },
    };
    await loadGPT2Weights(source, reference.config);
    const wteBytes = 50257 * 32 * 2;
    expect(Math.max(...reads)).toBe(wteBytes); // the largest single tensor
    expect(reads.filter((n) => n > 100_000).length).toBe(1);
  });
});
