// Saved training states broken in the ways a crash, a disk or a hand edit breaks them, for the resume
// validator's tests and its fuzz run: the header's fields of the wrong type, missing or null, and bad floats.

import { trainModel } from '../../src/node/train-run';
import type { TrainingState } from '../../src/train/training-state';
import { cpuBackend, TINY_STORY_TRAINING } from './tiny-training';

export type StateHeader = Record<string, unknown>;

/** A real state after 3 steps of the tiny run (kept once: training it takes a moment). */
let saved: TrainingState | null = null;
export async function savedTinyState(): Promise<TrainingState> {
  if (!saved) {
    await trainModel(
      { ...TINY_STORY_TRAINING, steps: 3 },
      { checkpoint: { every: 3, save: (state) => (saved = state) } },
      cpuBackend(),
    );
  }
  return saved!;
}

/** The file bytes of a state whose header is `header` (any JSON value, or raw text) over `floats`. */
export function stateBytes(header: unknown, floats: Float32Array, rawText?: string): Uint8Array {
  const text = new TextEncoder().encode(rawText ?? JSON.stringify(header));
  const headerLength = Math.ceil(text.length / 4) * 4;
  const out = new Uint8Array(4 + headerLength + floats.byteLength);
  new DataView(out.buffer).setUint32(0, headerLength, true);
  out.fill(0x20, 4, 4 + headerLength);
  out.set(text, 4);
  out.set(new Uint8Array(floats.buffer, floats.byteOffset, floats.byteLength), 4 + headerLength);
  return out;
}

/** The header and floats of `state`, as writeTrainingState lays them out, for editing. */
export function stateParts(state: TrainingState): { header: StateHeader; floats: Float32Array } {
  const { values, m, v, ...rest } = state;
  const header = JSON.parse(
    JSON.stringify({ format: 'attention-explorer training state 1', parameters: values.length, ...rest }),
  ) as StateHeader;
  const floats = new Float32Array(3 * values.length);
  floats.set(values, 0);
  floats.set(m, values.length);
  floats.set(v, 2 * values.length);
  return { header, floats };
}

/** Named edits of a good state's header or floats, each of which the validator must refuse. */
export function damagedStates(state: TrainingState): [string, Uint8Array][] {
  const { header, floats } = stateParts(state);
  const edit = (change: (h: StateHeader) => void) => {
    const copy = JSON.parse(JSON.stringify(header)) as StateHeader;
    change(copy);
    return stateBytes(copy, floats);
  };
  const options = (h: StateHeader) => h.options as Record<string, unknown>;
  const withFloat = (index: number, value: number) => {
    const copy = floats.slice();
    copy[index] = value;
    return stateBytes(header, copy);
  };
  const P = floats.length / 3;
  return [
    ['a header that is null', stateBytes(null, floats)],
    ['a header that is a list', stateBytes([1, 2], floats)],
    ['no format', edit((h) => delete h.format)],
    ['options null', edit((h) => (h.options = null))],
    ['options missing "lr"', edit((h) => delete options(h).lr)],
    ['an unknown option', edit((h) => (options(h).colour = 'red'))],
    ['"lr" as a string', edit((h) => (options(h).lr = '0.003'))],
    ['seconds as a string', edit((h) => (h.seconds = '12'))],
    ['seconds null', edit((h) => (h.seconds = null))],
    ['seconds negative', edit((h) => (h.seconds = -1))],
    ['records as a number', edit((h) => (h.records = 3))],
    ['records of nulls', edit((h) => (h.records = [null, null, null]))],
    ['a record without a loss', edit((h) => delete (h.records as Record<string, unknown>[])[1].loss)],
    ['step as a string', edit((h) => (h.step = '3'))],
    ['step past the run', edit((h) => (h.step = 10 ** 9))],
    ['validation null', edit((h) => (h.validation = null))],
    ['validation of strings', edit((h) => (h.validation = ['x']))],
    ['parameters as a string', edit((h) => (h.parameters = String(h.parameters)))],
    ['a NaN parameter', withFloat(5, NaN)],
    ['an infinite first moment', withFloat(P + 1, Infinity)],
    ['a negative second moment', withFloat(2 * P + 2, -1)],
    ['a header that is not JSON', stateBytes(null, floats, '{"format": ')],
  ];
}
