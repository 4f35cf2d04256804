// The messages between the Train view and its training worker. Plain data only (typed arrays are transferred),
// so the same host code runs in-process in component tests.

import type { BackendPreference } from '../../model/trace';
import type { SnapshotScores, StepRecord } from '../../train/browser-training';
import type { RepeatMeasure } from '../../train/repeat-windows';

/** Where the training text comes from. */
export type CorpusSource =
  { kind: 'english'; url: string } | { kind: 'stories' } | { kind: 'text'; text: string; name: string };

export type ToTrainer =
  | {
      type: 'start';
      preset: string;
      corpus: CorpusSource;
      /** The sentence whose attention is drawn. */
      sentence: string;
      seed: number;
      /** The explorer's backend preference: 'auto' and 'webgpu' train on WebGPU where the page has it. */
      backend?: BackendPreference;
    }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'sentence'; text: string }
  | { type: 'save'; id: number };

/** The attention of the chosen sentence at one step, and every head's detector scores. */
export interface Snapshot {
  step: number;
  tokens: string[];
  ids: number[];
  /** layers[l]: (NH, T, T) attention weights. */
  layers: Float32Array[];
  scores: SnapshotScores;
}

/** The held-out repeated text at one step: the in-context gain and every head's scores (see measureRepeats). */
export interface RepeatPoint extends RepeatMeasure {
  step: number;
  /** Training tokens read so far: step · B · T. */
  tokensSeen: number;
}

export interface TrainInfo {
  trainTokens: number;
  heldOutTokens: number;
  /** Where training windows start: at sentences, or anywhere when those would leave much of the text unread. */
  windowStarts: 'sentences' | 'any';
  /** Embedding rows the model trains (tokens seen often enough, plus the shared row). */
  vocabRows: number;
  parameters: number;
  /** "WebGPU · <adapter>" or "CPU · WASM SIMD · 2 threads". */
  backend: string;
  /** Why the CPU runs with less than it could, if it does. */
  backendNote: string | null;
  /** Why training runs on the CPU although WebGPU was asked for (missing, or its device lost), if it does. */
  fallback: string | null;
  steps: number;
  tokensPerStep: number;
  corpus: string;
}

export type FromTrainer =
  | { type: 'preparing'; what: string }
  | { type: 'ready'; info: TrainInfo }
  /** `seconds`: the run's wall-clock time so far, pauses left out. */
  | { type: 'steps'; records: StepRecord[]; tokensPerSecond: number; seconds: number }
  | { type: 'backend'; backend: string; fallback: string }
  | { type: 'validation'; step: number; loss: number }
  | { type: 'repeats'; point: RepeatPoint }
  | { type: 'snapshot'; snapshot: Snapshot }
  | { type: 'state'; state: 'running' | 'paused' | 'done' }
  | { type: 'error'; message: string }
  | { type: 'saved'; id: number; step: number; weights: Uint8Array; config: string }
  | { type: 'save-error'; id: number; message: string };
