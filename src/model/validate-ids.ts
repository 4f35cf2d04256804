// The check every engine runs on token ids before a forward pass, shared so the CPU and WebGPU engines refuse
// the same ids with the same sentence (and the WebGPU engine needs nothing from the CPU one).

import { InputError } from './errors';

/** Checks ids against the model: non-empty, within the context and the vocabulary. */
export function validateIds(ids: number[], vocabSize: number, nPositions: number): void {
  if (ids.length === 0) throw new InputError('There are no tokens to run.');
  if (ids.length > nPositions)
    throw new InputError(`${ids.length} tokens exceed the context of ${nPositions}.`);
  const bad = ids.find((id) => !Number.isInteger(id) || id < 0 || id >= vocabSize);
  if (bad !== undefined) throw new InputError(`Token id ${bad} is outside the vocabulary of ${vocabSize}.`);
}
