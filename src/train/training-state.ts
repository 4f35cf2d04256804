// A training run's state after a finished step, so that an interrupted run resumes where it stopped and ends
// with the same bytes as an uninterrupted one: the parameters, AdamW's moments and step, the loss records and
// the seconds spent. The batch sampler needs no state: it is replayed from its seed.
// Layout: 4 bytes little-endian header length, a JSON header, then float32 values, m and v (P each).

import { existsSync, readFileSync, rmSync } from 'node:fs';
import { writeFileAtomically } from '../node/output-file';
import type { StepRecord, TrainOptions } from './run-options';

const FORMAT = 'attention-explorer training state 1';

export interface TrainingState {
  options: TrainOptions;
  /** Steps finished. */
  step: number;
  records: StepRecord[];
  validation: { step: number; loss: number }[];
  seconds: number;
  values: Float32Array; // (P)
  m: Float32Array; // (P)
  v: Float32Array; // (P)
}

export function writeTrainingState(file: string, state: TrainingState): void {
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
  writeFileAtomically(file, bytes);
}

/** The state in `file`, or null when there is none; throws with a clear message when it is damaged. */
export function readTrainingState(file: string): TrainingState | null {
  if (!existsSync(file)) return null;
  const bytes = readFileSync(file);
  const damaged = (why: string) =>
    new Error(`the saved training state ${file} is damaged (${why}); delete it to restart`);
  if (bytes.length < 4) throw damaged('too short');
  const headerLength = bytes.readUInt32LE(0);
  if (4 + headerLength > bytes.length) throw damaged('header longer than the file');
  let header: Omit<TrainingState, 'values' | 'm' | 'v'> & { format?: string; parameters?: number };
  try {
    header = JSON.parse(bytes.subarray(4, 4 + headerLength).toString('utf8'));
  } catch {
    throw damaged('header is not JSON');
  }
  if (header.format !== FORMAT) throw damaged('not a training state of this version');
  const P = header.parameters ?? -1;
  if (!(Number.isSafeInteger(P) && P > 0) || bytes.length !== 4 + headerLength + 12 * P)
    throw damaged('its size does not match its parameter count');
  if (header.records.length !== header.step) throw damaged('step records missing');
  const floats = new Float32Array(
    bytes.buffer.slice(bytes.byteOffset + 4 + headerLength, bytes.byteOffset + bytes.length),
  );
  return {
    options: header.options,
    step: header.step,
    records: header.records,
    validation: header.validation,
    seconds: header.seconds,
    values: floats.subarray(0, P),
    m: floats.subarray(P, 2 * P),
    v: floats.subarray(2 * P, 3 * P),
  };
}

export function removeTrainingState(file: string): void {
  rmSync(file, { force: true });
}
