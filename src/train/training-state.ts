// A training run's state after a finished step, so that an interrupted run resumes where it stopped and ends
// with the same bytes as an uninterrupted one: the parameters, AdamW's moments and step, the loss records and
// the seconds spent. The batch sampler needs no state: it is replayed from its seed.
// Layout: 4 bytes little-endian header length, a JSON header, then float32 values, m and v (P each). Bytes only:
// src/node/training-state-file.ts reads and writes the file.

import { quoteValue } from '../model/errors';
import { DEFAULT_TRAIN_OPTIONS, type StepRecord, type TrainOptions } from './run-options';
import type { InContextPoint } from './in-context';

const FORMAT = 'attention-explorer training state 1';

/** A saved state that cannot be resumed; the message says why and that deleting it restarts the run. */
export class TrainingStateError extends Error {
  override name = 'TrainingStateError';
}

export interface TrainingState {
  options: TrainOptions;
  /** Steps finished. */
  step: number;
  records: StepRecord[];
  validation: { step: number; loss: number }[];
  /** The in-context figures measured so far (absent from states saved before they were measured: none). */
  inContext: InContextPoint[];
  seconds: number;
  values: Float32Array; // (P)
  m: Float32Array; // (P)
  v: Float32Array; // (P)
}

/** The bytes of `state` in the layout above (decodeTrainingState reads them back). */
export function encodeTrainingState(state: TrainingState): Uint8Array {
  const { values, m, v, ...rest } = state;
  const header = new TextEncoder().encode(
    JSON.stringify({ format: FORMAT, parameters: values.length, ...rest }),
  );
  const headerLength = Math.ceil(header.length / 4) * 4; // keeps the floats 4-byte aligned
  const bytes = new Uint8Array(4 + headerLength + 12 * values.length);
  new DataView(bytes.buffer).setUint32(0, headerLength, true);
  bytes.fill(0x20, 4, 4 + headerLength); // JSON padded with spaces
  bytes.set(header, 4);
  const floats = new Float32Array(bytes.buffer, 4 + headerLength, 3 * values.length);
  floats.set(values, 0);
  floats.set(m, values.length);
  floats.set(v, 2 * values.length);
  return bytes;
}

type Header = Omit<TrainingState, 'values' | 'm' | 'v'>;
type Check = (why: string) => TrainingStateError;

const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);
const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;
const isFiniteNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** The options as saved: every field of TrainOptions, of the type the defaults have, and nothing else. */
function checkOptions(options: unknown, damaged: Check): TrainOptions {
  if (!isObject(options)) throw damaged('its options are not an object');
  const expected = Object.keys(DEFAULT_TRAIN_OPTIONS) as (keyof TrainOptions)[];
  for (const key of expected) {
    if (typeof options[key] !== typeof DEFAULT_TRAIN_OPTIONS[key])
      throw damaged(`its option "${key}" is ${quoteValue(options[key], 40)}`);
  }
  const extra = Object.keys(options).find((key) => !Object.hasOwn(DEFAULT_TRAIN_OPTIONS, key));
  if (extra !== undefined) throw damaged(`it has an unknown option ${quoteValue(extra, 40)}`);
  return options as unknown as TrainOptions;
}

/** Every field the run reads, checked before its first step, so a bad one cannot fail after hours of training. */
function checkHeader(header: Record<string, unknown>, damaged: Check): Header {
  const options = checkOptions(header.options, damaged);
  const { step, records, validation, seconds } = header;
  if (!isCount(step) || step > options.steps)
    throw damaged(`its step ${quoteValue(step, 40)} is not a step of the run`);
  if (!Array.isArray(records) || records.length !== step) throw damaged('step records missing');
  records.forEach((record: unknown, i) => {
    const ok =
      isObject(record) &&
      record.step === i &&
      isFiniteNumber(record.loss) &&
      isFiniteNumber(record.lr) &&
      isFiniteNumber(record.gradNorm);
    if (!ok) throw damaged(`its record of step ${i + 1} is not a step, loss, lr and gradNorm`);
  });
  if (!Array.isArray(validation)) throw damaged('its validation losses are not a list');
  validation.forEach((entry: unknown, i) => {
    if (!(isObject(entry) && isCount(entry.step) && entry.step <= step && isFiniteNumber(entry.loss)))
      throw damaged(`its validation entry ${i + 1} is not a step and a loss`);
  });
  const inContext = header.inContext ?? [];
  if (!Array.isArray(inContext)) throw damaged('its in-context figures are not a list');
  inContext.forEach((entry: unknown, i) => {
    if (!(isObject(entry) && isCount(entry.step) && entry.step <= step && isObject(entry.figures)))
      throw damaged(`its in-context entry ${i + 1} is not a step and figures`);
  });
  if (!isFiniteNumber(seconds) || seconds < 0)
    throw damaged(`its "seconds" is ${quoteValue(seconds, 40)}, not a number of seconds`);
  return {
    options,
    step,
    records: records as StepRecord[],
    validation: validation as Header['validation'],
    inContext: inContext as InContextPoint[],
    seconds,
  };
}

/** The state in `bytes` (the contents of `file`, named in messages); throws TrainingStateError when damaged. */
export function decodeTrainingState(bytes: Uint8Array, file: string): TrainingState {
  const damaged: Check = (why) =>
    new TrainingStateError(`the saved training state ${file} is damaged (${why}); delete it to restart`);
  if (bytes.length < 4) throw damaged('too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(0, true);
  if (4 + headerLength > bytes.length) throw damaged('header longer than the file');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + headerLength)));
  } catch {
    throw damaged('header is not JSON');
  }
  if (!isObject(json) || json.format !== FORMAT) throw damaged('not a training state of this version');
  const P = json.parameters;
  if (
    !(Number.isSafeInteger(P) && (P as number) > 0) ||
    bytes.length !== 4 + headerLength + 12 * (P as number)
  )
    throw damaged('its size does not match its parameter count');
  const header = checkHeader(json, damaged);
  const floats = new Float32Array(
    bytes.buffer.slice(bytes.byteOffset + 4 + headerLength, bytes.byteOffset + bytes.length),
  );
  const n = P as number;
  const bad = floats.findIndex((x, i) => !Number.isFinite(x) || (i >= 2 * n && x < 0));
  if (bad >= 0) {
    const part = ['parameters', 'first moments', 'second moments'][Math.floor(bad / n)];
    throw damaged(
      `its ${part} hold ${bad >= 2 * n ? 'a negative number, NaN or Infinity' : 'NaN or Infinity'}`,
    );
  }
  return {
    ...header,
    values: floats.subarray(0, n),
    m: floats.subarray(n, 2 * n),
    v: floats.subarray(2 * n, 3 * n),
  };
}
