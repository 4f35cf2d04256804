// Property tests for the safetensors reader with fast-check: random edits of a good file and random headers
// either load a whole, finite model or fail with a ModelFileError, and written tensors read back the same.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ModelFileError } from '../../src/model/errors';
import {
  bytesSource,
  decodeToFloat32,
  readHeader,
  readTensor,
  writeSafetensors,
  type Dtype,
} from '../../src/model/safetensors';
import { loadGPT2Weights, type GPT2Weights } from '../../src/model/weights';
import { cleanFile, join, SMALL_CONFIG } from '../helpers/damaged-files';

const options = { numRuns: 200, seed: 29, interruptAfterTimeLimit: 8_000 };

const allFinite = (w: GPT2Weights) =>
  [
    w.wte,
    w.wpe,
    w.lnFWeight,
    w.lnFBias,
    ...w.layers.flatMap((l) => Object.values(l) as Float32Array[]),
  ].every((a) => a.every(Number.isFinite));

/** Loads bytes; returns the weights, or null after a ModelFileError, and fails on any other error. */
async function loadOrRefuse(bytes: Uint8Array): Promise<GPT2Weights | null> {
  try {
    return await loadGPT2Weights(bytesSource(bytes), SMALL_CONFIG, { fileLabel: 'fuzzed.safetensors' });
  } catch (error) {
    if (error instanceof ModelFileError) return null;
    throw error;
  }
}

const edit = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
);

type Edit = { kind: 'set' | 'insert'; at: number; byte: number } | { kind: 'cut'; at: number };

function applyEdits(bytes: Uint8Array, edits: Edit[], headerOnly: boolean): Uint8Array {
  let out = bytes.slice();
  const span = headerOnly ? 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true)) : out.length;
  for (const e of edits) {
    const at = e.at % Math.max(1, Math.min(span, out.length));
    if (e.kind === 'set') out[at] = e.byte;
    else if (e.kind === 'cut') out = out.slice(0, at);
    else out = Uint8Array.from([...out.subarray(0, at), e.byte, ...out.subarray(at)]);
  }
  return out;
}

describe('safetensors reader properties', () => {
  const clean = cleanFile('official', 'F16');

  it.each([
    ['the header', true],
    ['anywhere', false],
  ])('loads a finite model or refuses after random edits of %s', async (_, headerOnly) => {
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 4 }), async (edits) => {
        const weights = await loadOrRefuse(applyEdits(clean, edits, headerOnly));
        if (weights) expect(allFinite(weights)).toBe(true);
      }),
      options,
    );
  });

  const dtypes = ['F32', 'F16', 'BF16', 'I64', 'U8', 'BOOL', 'F17', 3, null];
  const entry = fc.record(
    {
      dtype: fc.constantFrom(...dtypes),
      shape: fc.array(fc.oneof(fc.integer({ min: -2, max: 6 }), fc.constant(0.5)), { maxLength: 3 }),
      data_offsets: fc.array(fc.integer({ min: -4, max: 96 }), { minLength: 1, maxLength: 3 }),
    },
    { requiredKeys: [] },
  );
  const header = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'wte.weight', '__metadata__'), entry, {
    maxKeys: 4,
  });

  it('accepts a random header only when its tensors tile the data exactly', async () => {
    await fc.assert(
      fc.asyncProperty(header, fc.integer({ min: 0, max: 96 }), async (json, dataLength) => {
        const source = bytesSource(join(JSON.stringify(json), new Uint8Array(dataLength)));
        let parsed;
        try {
          parsed = await readHeader(source, 'fuzzed.safetensors');
        } catch (error) {
          expect(error).toBeInstanceOf(ModelFileError);
          return;
        }
        const ranges = [...parsed.tensors.values()]
          .map((t) => [t.begin, t.begin + t.byteLength])
          .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        let end = source.size - dataLength;
        for (const [begin, stop] of ranges) {
          expect(begin).toBe(end);
          end = stop;
        }
        expect(end).toBe(source.size);
      }),
      options,
    );
  });

  const tensor = fc.record({
    dtype: fc.constantFrom<Dtype>('F32', 'F16', 'BF16'),
    values: fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: -60000, max: 60000 }), {
      maxLength: 24,
    }),
  });

  it('reads back what it writes, to the precision of each dtype', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(tensor, { maxLength: 5 }), async (tensors) => {
        const named = tensors.map((t, i) => ({
          name: `t${i}`,
          shape: [t.values.length],
          data: Float32Array.from(t.values),
          dtype: t.dtype,
        }));
        const bytes = writeSafetensors(named);
        const source = bytesSource(bytes);
        const parsed = await readHeader(source);
        for (const t of named) {
          const back = await readTensor(source, parsed.tensors.get(t.name)!);
          // Writing rounds to the dtype; rounding the result again must change nothing.
          const again = writeSafetensors([{ ...t, data: back }]);
          const header = await readHeader(bytesSource(again));
          const entry = header.tensors.get(t.name)!;
          const reread = decodeToFloat32(
            again.subarray(entry.begin, entry.begin + entry.byteLength),
            t.dtype,
          );
          expect(Array.from(reread)).toEqual(Array.from(back));
          back.forEach((x, i) =>
            expect(Math.abs(x - t.data[i])).toBeLessThanOrEqual(Math.abs(t.data[i]) / 128 + 1e-7),
          );
        }
      }),
      options,
    );
  });
});
