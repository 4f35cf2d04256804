// A safetensors reader: an 8-byte little-endian header length, a JSON header naming each tensor's dtype,
// shape and byte range, then the raw data. Tensors are read one at a time from a ByteSource (a file, a Blob,
// or bytes in memory) and widened to Float32Array, so a 548 MB GPT-2 never sits in memory twice.

import { ModelFileError, quoteValue, shortList, shortText } from './errors';

/** Random access to the bytes of a file without loading it whole. */
export interface ByteSource {
  /** Total size in bytes. */
  readonly size: number;
  /** Reads `length` bytes at `offset`; the result may be a view that is only valid until the next read. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A ByteSource over bytes already in memory. */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return { size: bytes.byteLength, read: async (offset, length) => bytes.subarray(offset, offset + length) };
}

/** A ByteSource over a Blob or File, as the browser gives for an upload or a downloaded body. */
export function blobSource(blob: Blob): ByteSource {
  return {
    size: blob.size,
    read: async (offset, length) => new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer()),
  };
}

export type Dtype = 'F32' | 'F16' | 'BF16';
const BYTES_PER_ELEMENT: Record<Dtype, number> = { F32: 4, F16: 2, BF16: 2 };
/** The other dtypes of the format: a tensor of these can sit in a file among the weights, unread. */
const OTHER_DTYPE_BYTES: Record<string, number> = {
  F64: 8, I64: 8, U64: 8, I32: 4, U32: 4, I16: 2, U16: 2, I8: 1, U8: 1, BOOL: 1, F8_E4M3: 1, F8_E5M2: 1,
}; // prettier-ignore

/** Own keys only: `in` would also find Object.prototype's members, so a dtype "toString" passed as a float. */
export const isFloatDtype = (dtype: string): dtype is Dtype => Object.hasOwn(BYTES_PER_ELEMENT, dtype);

/** One entry of the header: where a tensor's bytes are and how to read them. */
export interface TensorEntry {
  name: string;
  /** F32, F16 or BF16 for anything that is read; other dtypes are kept only to check the layout. */
  dtype: Dtype | (string & {});
  shape: number[];
  /** Absolute byte offset of the data in the file. */
  begin: number;
  byteLength: number;
}

export interface SafetensorsHeader {
  tensors: Map<string, TensorEntry>;
  metadata: Record<string, string>;
}

const MAX_HEADER_BYTES = 100 * 1024 * 1024;
const OPEN_BRACE = 0x7b;

/** Reads and validates the header; every tensor's range is checked against the file size here. */
export async function readHeader(
  source: ByteSource,
  fileLabel = 'the model file',
): Promise<SafetensorsHeader> {
  const notSafetensors = (why: string) =>
    new ModelFileError(`${fileLabel} is not a safetensors file (${why}).`);
  if (source.size < 10) throw notSafetensors(`it has only ${source.size} bytes`);
  const start = await source.read(0, 9);
  const headerLength = Number(new DataView(start.buffer, start.byteOffset, 8).getBigUint64(0, true));
  // The header is a JSON object right after its 8-byte length: a renamed text file, a web page or zeros
  // fail here, instead of quoting a header length of quintillions of bytes.
  if (start[8] !== OPEN_BRACE || headerLength < 2 || headerLength > MAX_HEADER_BYTES)
    throw notSafetensors('it does not start with a header length and a JSON header');
  if (headerLength > source.size - 8) {
    throw new ModelFileError(
      `${fileLabel} is truncated: its header is ${headerLength} bytes long, but the file has only ${source.size} bytes.`,
    );
  }
  const headerText = new TextDecoder().decode(await source.read(8, headerLength));
  let json: unknown;
  try {
    json = JSON.parse(headerText);
  } catch {
    throw notSafetensors('its header is not valid JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw notSafetensors('its header is not a JSON object');
  }
  const dataStart = 8 + headerLength;
  const dataLength = source.size - dataStart;
  const tensors = new Map<string, TensorEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = parseMetadata(value, fileLabel);
      continue;
    }
    tensors.set(name, parseEntry(name, value, dataStart, dataLength, fileLabel));
  }
  checkContiguous([...tensors.values()], dataStart, dataLength, fileLabel);
  return { tensors, metadata };
}

function parseMetadata(value: unknown, fileLabel: string): Record<string, string> {
  const isStringMap =
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string');
  if (!isStringMap) throw new ModelFileError(`${fileLabel} has __metadata__ that is not a map of strings.`);
  return value as Record<string, string>;
}

/**
 * The format requires the data to be one block with no holes: sorted by offset, each tensor starts where
 * the previous one ends and the last ends at the end of the file. Two tensors sharing bytes, or a weight
 * whose offsets were shifted onto a mask buffer, would otherwise load as wrong numbers without a word.
 */
function checkContiguous(entries: TensorEntry[], dataStart: number, dataLength: number, fileLabel: string) {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.byteLength - b.byteLength);
  let expected = dataStart;
  let previous: TensorEntry | null = null;
  for (const entry of sorted) {
    if (entry.begin !== expected) {
      const where =
        entry.begin < expected ? `overlaps "${shortText(previous!.name)}"` : `leaves a gap before it`;
      throw new ModelFileError(
        `${fileLabel} is damaged: the data of tensor "${shortText(entry.name)}" ${where} (data_offsets must be contiguous).`,
      );
    }
    expected += entry.byteLength;
    previous = entry;
  }
  if (expected !== dataStart + dataLength) {
    throw new ModelFileError(
      `${fileLabel} is damaged: its tensors cover ${expected - dataStart} bytes of data, but the file has ${dataLength}.`,
    );
  }
}

function parseEntry(
  fullName: string,
  value: unknown,
  dataStart: number,
  dataLength: number,
  fileLabel: string,
) {
  const name = shortText(fullName); // as messages quote it
  const entry = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  const dtype = entry?.dtype;
  const elementBytes =
    typeof dtype === 'string' && Object.hasOwn(OTHER_DTYPE_BYTES, dtype)
      ? OTHER_DTYPE_BYTES[dtype]
      : typeof dtype === 'string' && isFloatDtype(dtype)
        ? BYTES_PER_ELEMENT[dtype]
        : 0;
  if (!elementBytes) {
    throw new ModelFileError(
      `${fileLabel}: tensor "${name}" ${dtype === undefined ? 'has no dtype' : `has dtype ${quoteValue(dtype)}, which is not a safetensors dtype`}.`,
    );
  }
  const shape = entry.shape;
  const offsets = entry.data_offsets;
  const isIntList = (x: unknown, n?: number): x is number[] =>
    Array.isArray(x) &&
    (n === undefined || x.length === n) &&
    x.every((d) => Number.isSafeInteger(d) && d >= 0);
  if (!isIntList(shape) || !isIntList(offsets, 2) || offsets[1] < offsets[0]) {
    throw new ModelFileError(`${fileLabel}: tensor "${name}" has a malformed shape or data_offsets.`);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const byteLength = offsets[1] - offsets[0];
  if (byteLength !== count * elementBytes) {
    throw new ModelFileError(
      `${fileLabel}: tensor "${name}" has ${byteLength} bytes for shape [${shortList(shape)}].`,
    );
  }
  if (offsets[1] > dataLength) {
    throw new ModelFileError(
      `${fileLabel} is truncated: tensor "${name}" ends at byte ${dataStart + offsets[1]} of a ${dataStart + dataLength}-byte file.`,
    );
  }
  return {
    name: fullName,
    dtype: dtype as string,
    shape,
    begin: dataStart + offsets[0],
    byteLength,
  } satisfies TensorEntry;
}

/** Reads one tensor and widens it to float32. */
export async function readTensor(source: ByteSource, entry: TensorEntry): Promise<Float32Array> {
  if (!isFloatDtype(entry.dtype)) {
    throw new ModelFileError(
      `Tensor "${shortText(entry.name)}" has dtype "${shortText(entry.dtype)}"; only F32, F16 and BF16 are supported.`,
    );
  }
  const bytes = await source.read(entry.begin, entry.byteLength);
  return decodeToFloat32(bytes, entry.dtype);
}

/** Widens little-endian F32, F16 or BF16 bytes into a new Float32Array. */
export function decodeToFloat32(bytes: Uint8Array, dtype: Dtype): Float32Array {
  if (dtype === 'F32') {
    const out = new Float32Array(bytes.byteLength / 4);
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const count = bytes.byteLength / 2;
  // Copy into an aligned buffer first: the data of a tensor may start at an odd offset.
  const halves = new Uint16Array(count);
  new Uint8Array(halves.buffer).set(bytes);
  const out = new Float32Array(count);
  if (dtype === 'BF16') {
    // bfloat16 is the top half of a float32, so shifting the bits left by 16 is exact.
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < count; i++) bits[i] = halves[i] << 16;
  } else {
    for (let i = 0; i < count; i++) out[i] = float16ToFloat32(halves[i]);
  }
  return out;
}

const F16_TABLE_SIZE = 1 << 16;
let f16Table: Float32Array | null = null;

/** IEEE half to float, via a 256 KB table built once (a 124M model has 124M halves to convert). */
export function float16ToFloat32(half: number): number {
  if (!f16Table) {
    f16Table = new Float32Array(F16_TABLE_SIZE);
    for (let h = 0; h < F16_TABLE_SIZE; h++) f16Table[h] = halfBitsToNumber(h);
  }
  return f16Table[half];
}

function halfBitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** Rounds a float32 to the nearest half (ties to even), for writing F16 files. */
export function float32ToFloat16Bits(value: number): number {
  const f32 = new Float32Array([value]);
  const x = new Uint32Array(f32.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    let half = mantissa >> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    if (rest > midpoint || (rest === midpoint && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mantissa >> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++; // a carry into the exponent is still right
  return sign | half;
}

/** Serialises tensors into safetensors bytes (used by training and by the tests to write layouts). */
export function writeSafetensors(
  tensors: { name: string; shape: number[]; data: Float32Array; dtype: Dtype }[],
  metadata: Record<string, string> = { format: 'pt' },
): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    const byteLength = t.data.length * BYTES_PER_ELEMENT[t.dtype];
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + byteLength] };
    offset += byteLength;
  }
  let headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(headerBytes.length / 8) * 8; // keeps the data 8-byte aligned, as the spec suggests
  headerBytes = Uint8Array.from({ length: padded }, (_, i) =>
    i < headerBytes.length ? headerBytes[i] : 0x20,
  );
  const out = new Uint8Array(8 + padded + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(headerBytes, 8);
  let at = 8 + padded;
  for (const t of tensors) {
    out.set(encodeFromFloat32(t.data, t.dtype), at);
    at += t.data.length * BYTES_PER_ELEMENT[t.dtype];
  }
  return out;
}

function encodeFromFloat32(data: Float32Array, dtype: Dtype): Uint8Array {
  if (dtype === 'F32') return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const halves = new Uint16Array(data.length);
  if (dtype === 'BF16') {
    const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
    for (let i = 0; i < data.length; i++) {
      const x = bits[i];
      halves[i] = (x + 0x7fff + ((x >>> 16) & 1)) >>> 16; // round to nearest even
    }
  } else {
    for (let i = 0; i < data.length; i++) halves[i] = float32ToFloat16Bits(data[i]);
  }
  return new Uint8Array(halves.buffer);
}
