// Damaged safetensors files for the loader's table-driven suite: one small GPT-2 written cleanly, then broken
// in every way the fuzz run of issue 13 found, each with what the loader must do (refuse, or load and say).

import { configToJson, type GPT2Config } from '../../src/model/config';
import { float32ToFloat16Bits, writeSafetensors, type Dtype } from '../../src/model/safetensors';
import { seededRandom } from '../../src/model/random';
import { layoutTensors, type Layout } from './model-files';
import { loudRandomWeights, testConfig } from './random-models';

export const SMALL_CONFIG: GPT2Config = testConfig({
  vocabSize: 64,
  nPositions: 8,
  nEmbd: 8,
  nLayer: 2,
  nHead: 2,
});
export const SMALL_CONFIG_TEXT = JSON.stringify(configToJson(SMALL_CONFIG));
const weights = loudRandomWeights(SMALL_CONFIG, 5, 0.1);

export type Expectation = { refuse: RegExp } | { load: true; notice?: RegExp };
export interface DamagedCase {
  kind: string;
  name: string;
  bytes: Uint8Array;
  expect: Expectation;
}

type Header = Record<string, { dtype: string; shape: number[]; data_offsets: number[] } | unknown>;
type Entry = { dtype: string; shape: number[]; data_offsets: [number, number] };

export const cleanFile = (layout: Layout = 'official', dtype: Dtype = 'F32') =>
  writeSafetensors(layoutTensors(weights, layout, dtype));

function split(bytes: Uint8Array): { header: Header; data: Uint8Array } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return {
    header: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))),
    data: bytes.slice(8 + n),
  };
}

/** A file from a header (any JSON text) and data, with the header length it really has. */
export function join(headerText: string, data: Uint8Array): Uint8Array {
  const text = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

/** A clean file with its header edited (the data stays where it was). */
function edited(
  edit: (h: Header, data: Uint8Array) => void,
  layout: Layout = 'official',
  dtype: Dtype = 'F32',
) {
  const { header, data } = split(cleanFile(layout, dtype));
  edit(header, data);
  return join(JSON.stringify(header), data);
}

const entry = (h: Header, name: string) => h[name] as Entry;

/** A clean file with one element of one tensor set to a non-finite value in that tensor's dtype. */
function withValue(name: string, index: number, value: number, dtype: Dtype) {
  const bytes = cleanFile('official', dtype);
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const { header } = split(bytes);
  const width = dtype === 'F32' ? 4 : 2;
  const at = 8 + n + entry(header, name).data_offsets[0] + index * width;
  const view = new DataView(bytes.buffer);
  if (dtype === 'F32') view.setFloat32(at, value, true);
  else if (dtype === 'F16') view.setUint16(at, float32ToFloat16Bits(value), true);
  else view.setUint16(at, new Uint32Array(new Float32Array([value]).buffer)[0] >>> 16, true);
  return bytes;
}

const text = (s: string) => new TextEncoder().encode(s);
const literal = (s: string) => new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
const refuse = (pattern: RegExp): Expectation => ({ refuse: pattern });

function notSafetensors(): DamagedCase[] {
  const random = seededRandom(3);
  const noise = Uint8Array.from({ length: 65536 }, () => Math.floor(random() * 256));
  const files: [string, Uint8Array][] = [
    ['an empty file', new Uint8Array(0)],
    ['one byte', new Uint8Array([1])],
    ['nine bytes', new Uint8Array(9)],
    ['a renamed text file', text('Once upon a time there was a cat that sat on a mat.\n'.repeat(50))],
    ['a renamed config.json', text(SMALL_CONFIG_TEXT)],
    ['an HTML 404 page', text('<!doctype html><html><body><h1>404 Not Found</h1></body></html>')],
    ['a megabyte of zeros', new Uint8Array(1 << 20)],
    ['random bytes', noise],
    ['a PNG header', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])],
    ['a zip file', Uint8Array.from([0x50, 0x4b, 0x03, 0x04, ...new Uint8Array(60)])],
    ['a header that is a JSON array', join('[1, 2, 3]', new Uint8Array(0))],
    ['a header that is not JSON', join('{"wte.weight": {"dtype": "F32", ', new Uint8Array(64))],
    ['a header length of 2^63', Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0x80, 0x7b, 0x7d])],
  ];
  return files.map(([name, bytes]) => ({
    kind: 'not a safetensors file',
    name,
    bytes,
    expect: refuse(/is not a safetensors file/),
  }));
}

function headerAndEntries(): DamagedCase[] {
  const clean = cleanFile();
  const cases: [string, Uint8Array, RegExp][] = [
    ['a header cut short', clean.slice(0, 200), /truncated/],
    ['__metadata__ that is a number', edited((h) => (h.__metadata__ = 5)), /__metadata__/],
    ['__metadata__ with a number value', edited((h) => (h.__metadata__ = { format: 1 })), /__metadata__/],
    ['an empty header', join('{}', new Uint8Array(0)), /has no wte\.weight/],
    ['an unknown dtype', edited((h) => (entry(h, 'wpe.weight').dtype = 'F17')), /not a safetensors dtype/],
    ['a missing dtype', edited((h) => delete (h['ln_f.bias'] as Partial<Entry>).dtype), /tensor "ln_f\.bias" has no dtype\./],
    ['a negative dimension', edited((h) => (entry(h, 'ln_f.bias').shape = [-8])), /malformed/],
    ['a fractional dimension', edited((h) => (entry(h, 'ln_f.bias').shape = [8.5])), /malformed/],
    ['a shape that is a string', edited((h) => ((h['ln_f.bias'] as { shape: unknown }).shape = '8')), /malformed/],
    ['reversed data_offsets', edited((h) => entry(h, 'ln_f.bias').data_offsets.reverse()), /malformed/],
    ['three data_offsets', edited((h) => entry(h, 'ln_f.bias').data_offsets.push(0)), /malformed/],
    ['missing data_offsets', edited((h) => delete (h['ln_f.bias'] as Partial<Entry>).data_offsets), /malformed/],
    ['offsets past 2^53', edited((h) => (entry(h, 'ln_f.bias').data_offsets[1] = 2 ** 60)), /malformed/],
    ['more bytes than the shape', edited((h) => (entry(h, 'ln_f.bias').shape = [4])), /32 bytes for shape \[4\]/],
    ['an I8 weight', edited((h) => Object.assign(entry(h, 'ln_f.bias'), { dtype: 'I8', shape: [32] })), /dtype "I8"/],
    ['a missing tensor', edited((h) => { h['ln_f.bjas'] = h['ln_f.bias']; delete h['ln_f.bias']; }), /missing the tensor "ln_f\.bias"/],
    ['a layer too many', edited((h) => { h['h.2.ln_1.weight'] = h['h.1.ln_1.weight']; delete h['h.1.ln_1.weight']; }), /n_layer = 3/],
    ['mixed key prefixes', edited((h) => { h['transformer.wpe.weight'] = h['wpe.weight']; delete h['wpe.weight']; }), /mixes prefixed/],
  ]; // prettier-ignore
  return cases.map(([name, bytes, pattern]) => ({
    kind: 'broken header',
    name,
    bytes,
    expect: refuse(pattern),
  }));
}

function truncatedOrPadded(): DamagedCase[] {
  const clean = cleanFile();
  const cuts = [clean.length - 1, clean.length - 4, Math.floor(clean.length / 2), 600];
  return [
    ...cuts.map((at) => ({
      kind: 'truncated or padded',
      name: `cut to ${at} of ${clean.length} bytes`,
      bytes: clean.slice(0, at),
      expect: refuse(/truncated/),
    })),
    ...[1, 8, 4096].map((extra) => ({
      kind: 'truncated or padded',
      name: `${extra} bytes appended`,
      bytes: Uint8Array.from([...clean, ...new Uint8Array(extra)]),
      expect: refuse(/damaged: its tensors cover/),
    })),
  ];
}

function badOffsets(): DamagedCase[] {
  const shift = (name: string, by: number) => (h: Header) => {
    const offsets = entry(h, name).data_offsets;
    offsets[0] += by;
    offsets[1] += by;
  };
  const point = (name: string, at: string) => (h: Header) => {
    entry(h, name).data_offsets = [...entry(h, at).data_offsets];
  };
  const onMask = (h: Header) => {
    const begin = entry(h, 'h.0.attn.bias').data_offsets[0];
    entry(h, 'h.1.ln_2.bias').data_offsets = [begin, begin + 32];
  };
  const duplicateKey = () => {
    // JSON.parse keeps the last of two equal keys: ln_f.bias then reads ln_f.weight's bytes.
    const { header, data } = split(cleanFile());
    const bias = `"ln_f.bias":${JSON.stringify(header['ln_f.bias'])}`;
    const copy = `"ln_f.bias":${JSON.stringify(header['ln_f.weight'])}`;
    return join(JSON.stringify(header).replace(bias, `${bias},${copy}`), data);
  };

  const cases: [string, Uint8Array][] = [
    ['two tensors on the same bytes', edited(point('ln_f.bias', 'ln_f.weight'))],
    ['a weight reading a mask buffer', edited(onMask)],
    ['a tensor shifted by 4 bytes', edited(shift('h.0.ln_1.bias', 4))],
    ['a tensor shifted back by 4 bytes', edited(shift('h.1.mlp.c_fc.bias', -4))],
    ['the last tensor shifted past a gap', edited(shift('h.1.attn.bias', 4), 'official')],
    ['the same key twice', duplicateKey()],
    ['F16 data offsets shifted by one byte', edited(shift('ln_f.weight', 1), 'official', 'F16')],
  ];
  return cases.map(([name, bytes]) => ({
    kind: 'overlapping or shifted offsets',
    name,
    bytes,
    expect: refuse(/damaged|truncated/),
  }));
}

function nonFinite(): DamagedCase[] {
  const cases: DamagedCase[] = [];
  const where: [string, number][] = [
    ['wte.weight', 17],
    ['wpe.weight', 0],
    ['h.0.attn.c_attn.weight', 100],
    ['h.1.mlp.c_proj.bias', 7],
    ['ln_f.weight', 3],
  ];
  for (const dtype of ['F32', 'F16', 'BF16'] as const)
    for (const [name, index] of where)
      for (const [label, value] of [
        ['NaN', NaN],
        ['+Infinity', Infinity],
        ['-Infinity', -Infinity],
      ] as const)
        cases.push({
          kind: 'NaN or ±Inf in a weight',
          name: `${label} in ${name} (${dtype})`,
          bytes: withValue(name, index, value, dtype),
          expect: refuse(literal(`"${name}" holds ${label} at index ${index};`)),
        });
  return cases;
}

function outputHeads(): DamagedCase[] {
  const cases: [string, Uint8Array, Expectation][] = [
    ['an lm_head equal to wte', cleanFile('prefixed'), { load: true }],
    ['an lm_head that differs from wte', (() => {
      const bytes = cleanFile('prefixed');
      bytes[bytes.length - 3] ^= 0x01; // lm_head.weight is the last tensor
      return bytes;
    })(), refuse(/lm_head\.weight differs from wte\.weight/)],
    ['an lm_head of another shape', edited((h) => (entry(h, 'lm_head.weight').shape = [32, 16]), 'prefixed'), refuse(/lm_head\.weight has shape \[32,16\]/)],
  ]; // prettier-ignore
  return cases.map(([name, bytes, expect]) => ({ kind: 'untied output head', name, bytes, expect }));
}

function extraTensors(): DamagedCase[] {
  const withExtras = (names: string[], dtype = 'F32', layout: Layout = 'official') => {
    const { header, data } = split(cleanFile(layout));
    const grown = Uint8Array.from([...data, ...new Uint8Array(16 * names.length)]);
    names.forEach((name, i) => {
      const begin = data.length + 16 * i;
      header[name] = { dtype, shape: dtype === 'I64' ? [2] : [4], data_offsets: [begin, begin + 16] };
    });
    return join(JSON.stringify(header), grown);
  };
  const many = Array.from({ length: 10 }, (_, i) => `adapter.${i}.weight`);
  const cases: [string, Uint8Array, RegExp][] = [
    ['one extra tensor', withExtras(['value_head.weight']), /1 tensor that GPT-2 does not use.*"value_head\.weight"/],
    ['an extra I64 tensor', withExtras(['position_ids'], 'I64'), /"position_ids"/],
    ['an extra tensor inside a block', withExtras(['h.0.attn.rotary.weight']), /"h\.0\.attn\.rotary\.weight"/],
    ['ten extra tensors', withExtras(many), /10 tensors .*and 2 more/],
    ['an extra prefixed tensor', withExtras(['transformer.score.weight'], 'F32', 'prefixed'), /"transformer\.score\.weight"/],
  ]; // prettier-ignore
  return cases.map(([name, bytes, notice]) => ({
    kind: 'unknown extra tensors',
    name,
    bytes,
    expect: { load: true, notice },
  }));
}

/** Headers written to hurt the reader: Object.prototype names as dtypes, 400 000 tensor names, a shape of
 * 100 000 dimensions, a name of 100 000 characters, a dtype nested 100 000 deep (issue 27). */
function hostileHeaders(): DamagedCase[] {
  const huge = 100_000;
  const deepDtype = () => {
    // Written as text: JSON.stringify itself overflows its stack on a value nested this deep.
    const { header, data } = split(cleanFile());
    entry(header, 'ln_f.bias').dtype = '@deep@';
    return join(JSON.stringify(header).replace('"@deep@"', '['.repeat(huge) + ']'.repeat(huge)), data);
  };
  const longName = 'x'.repeat(huge);
  const cases: [string, Uint8Array, RegExp][] = [
    ['the dtype "toString"', edited((h) => (entry(h, 'ln_f.bias').dtype = 'toString')), /dtype "toString", which is not a safetensors dtype/],
    ['the dtype "constructor"', edited((h) => (entry(h, 'ln_f.bias').dtype = 'constructor')), /dtype "constructor", which is not a safetensors dtype/],
    ['the dtype "__proto__"', edited((h) => (entry(h, 'ln_f.bias').dtype = '__proto__')), /dtype "__proto__", which is not a safetensors dtype/],
    ['400 000 tensor names', emptyLayers(400_000), /n_layer = 400000 but config\.json says 2/],
    ['a shape of 100 000 dimensions', edited((h) => (entry(h, 'ln_f.bias').shape = new Array(huge).fill(1))), /32 bytes for shape \[1,1,.*… \(100000 items\)\]/],
    ['a name of 100 000 characters', edited((h) => { h[longName] = { ...entry(h, 'ln_f.bias'), dtype: 'F99' }; delete h['ln_f.bias']; }), /tensor "x+… \(100000 characters\)" has dtype "F99"/],
    ['a dtype nested 100 000 deep', deepDtype(), /has dtype a deeply nested list, which is not/],
    ['a dtype of 100 000 characters', edited((h) => (entry(h, 'ln_f.bias').dtype = 'F'.repeat(huge))), /dtype "F+… \(100000 characters\)"/],
  ]; // prettier-ignore
  return cases.map(([name, bytes, pattern]) => ({
    kind: 'hostile header',
    name,
    bytes,
    expect: refuse(pattern),
  }));
}

/** A config.json beside the clean file, and what the loader must do with it. */
export interface DamagedConfigCase {
  name: string;
  text: string;
  expect: Expectation;
  /** The weight file beside it: the clean one unless given. */
  bytes: Uint8Array;
}

/** The clean file with empty tensors named for layers 2 to `layers` - 1, so its names say `layers` layers. */
function emptyLayers(layers: number): Uint8Array {
  const { header, data } = split(cleanFile());
  for (let i = 2; i < layers; i++)
    header[`h.${i}.ln_1.weight`] = { dtype: 'F32', shape: [0], data_offsets: [0, 0] };
  return join(JSON.stringify(header), data);
}

/** config.json files that claim sizes the file cannot hold, values float32 cannot hold, or other damage. */
export function damagedConfigs(): DamagedConfigCase[] {
  const base = configToJson(SMALL_CONFIG);
  const withField = (field: string, value: unknown) => JSON.stringify({ ...base, [field]: value });
  const cases: [string, string, Expectation, Uint8Array?][] = [
    ['n_layer 1e7', withField('n_layer', 1e7), refuse(/model\.safetensors has n_layer = 2 but config\.json says 10000000\./)],
    ['n_layer 1e8', withField('n_layer', 1e8), refuse(/model\.safetensors has n_layer = 2 but config\.json says 100000000\./)],
    ['n_layer 1e300', withField('n_layer', 1e300), refuse(/"n_layer" must be a whole number from 1 to 2147483647, not 1e\+300/)],
    ['n_layer 2^31', withField('n_layer', 2 ** 31), refuse(/"n_layer" must be a whole number from 1 to 2147483647/)],
    ['vocab_size 1e9', withField('vocab_size', 1e9), refuse(/vocab_size = 64 but config\.json says 1000000000\./)],
    ['n_positions 1e9', withField('n_positions', 1e9), refuse(/n_positions = 8 but config\.json says 1000000000\./)],
    ['n_layer 200 000 beside a header of 200 000 empty layers', withField('n_layer', 200_000), refuse(/config\.json describes a GPT-2 of 200000 layers and \d+ parameters, at least \d+ bytes, but model\.safetensors has only \d+ bytes\./), emptyLayers(200_000)],
    ['n_layer as a string', withField('n_layer', '2'), refuse(/"n_layer" must be a whole number from 1 to 2147483647, not "2"/)],
    ['layer_norm_epsilon 1e300 (Infinity in float32)', withField('layer_norm_epsilon', 1e300), refuse(/"layer_norm_epsilon" must be a number above 0 and at most 1 that float32 holds, not 1e\+300/)],
    ['layer_norm_epsilon 1e-50 (0 in float32)', withField('layer_norm_epsilon', 1e-50), refuse(/"layer_norm_epsilon" must be .* not 1e-50/)],
    ['layer_norm_epsilon 2', withField('layer_norm_epsilon', 2), refuse(/"layer_norm_epsilon" must be a number above 0 and at most 1/)],
    ['a model_type of 100 000 characters', withField('model_type', 'g'.repeat(100_000)), refuse(/describes a "g+… \(100000 characters\)" model/)],
    ['an activation of 100 000 characters', withField('activation_function', 'r'.repeat(100_000)), refuse(/activation "r+… \(100000 characters\)"/)],
    ['n_head as a list of 100 000 numbers', withField('n_head', new Array(100_000).fill(2)), refuse(/"n_head" must be .*, not \[2,2,.*… \(\d+ characters\)/)],
    ['a UTF-8 byte order mark', `\uFEFF${JSON.stringify(base)}`, { load: true }],
  ]; // prettier-ignore
  return cases.map(([name, text, expect, bytes]) => ({ name, text, expect, bytes: bytes ?? cleanFile() }));
}

/** Every damaged file of the suite, grouped by kind. */
export function damagedCases(): DamagedCase[] {
  return [
    ...notSafetensors(),
    ...headerAndEntries(),
    ...truncatedOrPadded(),
    ...badOffsets(),
    ...nonFinite(),
    ...outputHeads(),
    ...extraTensors(),
    ...hostileHeaders(),
  ];
}
