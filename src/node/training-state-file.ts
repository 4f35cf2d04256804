// The training state's file beside a run's output (training-state.bin): written atomically after each held-out
// measurement, read back by --resume, removed once the model is written. The layout is src/train/training-state.ts.

import { existsSync, readFileSync, rmSync } from 'node:fs';
import {
  decodeTrainingState,
  encodeTrainingState,
  TrainingStateError,
  type TrainingState,
} from '../train/training-state';
import { fileErrorMessage } from './files';
import { writeFileAtomically } from './output-file';

export function writeTrainingState(file: string, state: TrainingState): void {
  writeFileAtomically(file, encodeTrainingState(state));
}

/** The state in `file`, or null when there is none; throws TrainingStateError when it is damaged or unreadable. */
export function readTrainingState(file: string): TrainingState | null {
  if (!existsSync(file)) return null;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new TrainingStateError(fileErrorMessage(error, file, 'saved training state'));
  }
  return decodeTrainingState(bytes, file);
}

export function removeTrainingState(file: string): void {
  rmSync(file, { force: true });
}
