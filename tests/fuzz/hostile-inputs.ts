// fast-check generators of hostile inputs for the reliability fuzz run (issue 27): safetensors headers and
// config.json files edited with values chosen to hurt a parser, damaged training states, and command lines.

import fc from 'fast-check';
import { configToJson } from '../../src/model/config';
import { TRACE_OPTIONS } from '../../src/cli/trace-command';
import { TRAIN_CLI_OPTIONS } from '../../src/cli/train-args';
import { cleanFile, join, SMALL_CONFIG } from '../helpers/damaged-files';
import { stateBytes, stateParts, type StateHeader } from '../helpers/damaged-states';
import type { TrainingState } from '../../src/train/training-state';

/** A placeholder replaced by a list nested `depth` deep once the JSON is text (JSON.stringify cannot). */
const deepMarker = (depth: number) => `@deep:${depth}@`;
const expandDeep = (text: string) =>
  text.replace(/"@deep:(\d+)@"/g, (_, depth) => '['.repeat(Number(depth)) + ']'.repeat(Number(depth)));

/** Values that have hurt parsers: Object.prototype names, huge and fractional numbers, long and deep values. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    'toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf', 'F32', 'F16', 'BF16', 'I64', 'U8', '',
    'gelu_new', 'gpt2', '\ufeff', '\u0000',
  ),
  fc.constantFrom(0, -1, 0.5, 1, 2, 8, 64, 2 ** 31, 2 ** 53, 2 ** 60, 1e300, -1e300, 1e-50, 1e7, 1e8),
  fc.jsonValue({ maxDepth: 3 }),
  fc.array(fc.integer({ min: -10, max: 2 ** 40 }), { maxLength: 6 }),
  fc.integer({ min: 1000, max: 150_000 }).map((n) => new Array(n).fill(1)),
  fc.integer({ min: 100, max: 100_000 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 10, max: 150_000 }).map(deepMarker),
  fc.constantFrom(null, true, false, {}, []),
); // prettier-ignore

/** Tensor names, real and hostile. */
const tensorName = fc.oneof(
  fc.constantFrom(
    'wte.weight', 'wpe.weight', 'ln_f.weight', 'ln_f.bias', 'h.0.ln_1.weight', 'h.1.attn.c_attn.weight',
    'h.0.attn.bias', 'lm_head.weight', 'transformer.wte.weight', '__metadata__', '__proto__', 'constructor',
    'h.99999999.ln_1.weight', 'h.1e5.ln_1.weight', 'h.-1.ln_1.weight', '',
  ),
  fc.string({ maxLength: 40 }),
  fc.integer({ min: 100, max: 100_000 }).map((n) => 'h.0.' + 'n'.repeat(n)),
); // prettier-ignore

type Edit =
  | { kind: 'field'; name: string; field: string; value: unknown }
  | { kind: 'delete'; name: string }
  | { kind: 'rename'; name: string; to: string }
  | { kind: 'layers'; count: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('field' as const), name: tensorName, field: fc.constantFrom('dtype', 'shape', 'data_offsets', 'whole'), value: hostileValue }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), name: tensorName }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rename' as const), name: tensorName, to: tensorName }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('layers' as const), count: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 3, max: 100 }) }, { weight: 1, arbitrary: fc.constantFrom(130_000, 200_000) }) }) },
); // prettier-ignore

/** A change of the file's bytes after the header is written: none, a cut, a flipped byte or a new length. */
const byteEdit = fc.oneof(
  { weight: 4, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.record({ cut: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }) },
  { weight: 1, arbitrary: fc.record({ length: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) }) },
);

function applyBytes(
  bytes: Uint8Array,
  change: { cut?: number; at?: number; byte?: number; length?: bigint } | null,
) {
  if (!change) return bytes;
  if (change.cut !== undefined) return bytes.slice(0, change.cut % (bytes.length + 1));
  const out = bytes.slice();
  if (change.at !== undefined) out[change.at % out.length] = change.byte!;
  if (change.length !== undefined) new DataView(out.buffer).setBigUint64(0, change.length, true);
  return out;
}

function splitClean(): { header: Record<string, unknown>; data: Uint8Array } {
  const bytes = cleanFile();
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  return { header: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))), data: bytes.slice(8 + n) };
}

/** The clean small model file with 1 to 3 header edits and maybe one byte-level change. */
export const hostileSafetensors: fc.Arbitrary<Uint8Array> = fc
  .tuple(fc.array(edit, { minLength: 1, maxLength: 3 }), byteEdit, fc.option(hostileValue, { freq: 8 }))
  .map(([edits, change, wholeHeader]) => {
    const { header, data } = splitClean();
    for (const e of edits) {
      if (e.kind === 'delete') delete header[e.name];
      else if (e.kind === 'rename') {
        header[e.to] = header[e.name];
        delete header[e.name];
      } else if (e.kind === 'layers') {
        for (let i = 2; i < e.count; i++)
          header[`h.${i}.ln_1.weight`] = { dtype: 'F32', shape: [0], data_offsets: [0, 0] };
      } else if (e.field === 'whole' || typeof header[e.name] !== 'object' || header[e.name] === null) {
        header[e.name] = e.value;
      } else (header[e.name] as Record<string, unknown>)[e.field] = e.value;
    }
    const text = expandDeep(JSON.stringify(wholeHeader ?? header) ?? 'null');
    return applyBytes(join(text, data), change);
  });

const configKey = fc.constantFrom(
  ...Object.keys(configToJson(SMALL_CONFIG)),
  'n_ctx', 'hidden_size', 'num_hidden_layers', 'num_attention_heads', '__proto__', 'constructor', 'toString',
); // prettier-ignore

/** config.json text: the small model's with edited, deleted or hostile fields, a BOM, or any text at all. */
export const hostileConfig: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(
        fc.array(fc.tuple(configKey, fc.option(hostileValue, { freq: 6 })), { minLength: 1, maxLength: 3 }),
        fc.boolean(),
      )
      .map(([edits, bom]) => {
        const config: Record<string, unknown> = configToJson(SMALL_CONFIG);
        for (const [key, value] of edits) {
          if (value === null) delete config[key];
          else config[key] = value;
        }
        return (bom ? '\ufeff' : '') + expandDeep(JSON.stringify(config));
      }),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: hostileValue.map((v) => expandDeep(JSON.stringify(v) ?? '')) },
);

/** Where in a state's header an edit lands. */
const statePath = fc.oneof(
  fc.constantFrom('format', 'parameters', 'options', 'step', 'records', 'validation', 'seconds', 'extra').map((k) => [k]),
  fc.constantFrom('lr', 'steps', 'seed', 'corpus', 'batch', 'nLayer', 'windowStarts', 'unknown').map((k) => ['options', k]),
  fc.tuple(fc.nat({ max: 3 }), fc.constantFrom('step', 'loss', 'lr', 'gradNorm')).map(([i, k]) => ['records', i, k]),
  fc.tuple(fc.nat({ max: 1 }), fc.constantFrom('step', 'loss')).map(([i, k]) => ['validation', i, k]),
); // prettier-ignore

/** A saved state with header edits (a field set to a hostile value, or deleted), bad floats or cut bytes. */
export function hostileState(state: TrainingState): fc.Arbitrary<Uint8Array> {
  const { header, floats } = stateParts(state);
  const P = floats.length / 3;
  return fc
    .tuple(
      fc.array(fc.tuple(statePath, fc.option(hostileValue, { freq: 6 })), { maxLength: 3 }),
      fc.option(fc.tuple(fc.nat({ max: 3 * P - 1 }), fc.constantFrom(NaN, Infinity, -Infinity, -1, 3e38))),
      fc.option(fc.oneof(fc.record({ cut: fc.nat() }), fc.record({ headerLength: fc.nat() }))),
    )
    .map(([edits, floatEdit, byteChange]) => {
      const copy = JSON.parse(JSON.stringify(header)) as StateHeader;
      for (const [path, value] of edits) {
        let parent: Record<string | number, unknown> | null = copy;
        for (const key of path.slice(0, -1)) {
          const next: unknown = parent?.[key];
          parent = typeof next === 'object' && next !== null ? (next as Record<string, unknown>) : null;
        }
        if (!parent) continue;
        const last = path[path.length - 1];
        if (value === null) delete parent[last];
        else parent[last] = value;
      }
      const values = floats.slice();
      if (floatEdit) values[floatEdit[0]] = floatEdit[1];
      let bytes = stateBytes(null, values, expandDeep(JSON.stringify(copy)));
      if (byteChange && 'cut' in byteChange) bytes = bytes.slice(0, byteChange.cut % (bytes.length + 1));
      else if (byteChange) new DataView(bytes.buffer).setUint32(0, byteChange.headerLength, true);
      return bytes;
    });
}

const optionNames = [...new Set([...Object.keys(TRACE_OPTIONS), ...Object.keys(TRAIN_CLI_OPTIONS)])];
const optionValue = fc.oneof(
  fc.constantFrom(
    '0x10', '0o17', '0b11', '1e400', 'NaN', 'Infinity', '-1', '', ' ', '1_0', '1e9', '10000000', '3', '0.5', '.5',
    '1e-3', '-0', 'cpu', 'webgpu', 'stories', 'english', 'true', 'false', '0', '1', 'sinusoidal', 'any',
  ),
  fc.string({ maxLength: 30 }),
  fc.integer({ min: 100, max: 50_000 }).map((n) => '9'.repeat(n)),
); // prettier-ignore
const argToken = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...optionNames).map((name) => `--${name}`) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...optionNames), optionValue).map(([n, v]) => `--${n}=${v}`) },
  { weight: 4, arbitrary: optionValue },
  { weight: 1, arbitrary: fc.constantFrom('--', '-', '-h', '-abc', '--constructor', '--__proto__', '--x', '---steps') },
); // prettier-ignore

/** A command line of up to 10 words: option names, values and anything else. */
export const hostileArgv = fc.array(argToken, { maxLength: 10 });
