// The Train view's state and its controller: worker messages become state (losses, snapshots, tokens/s), and
// start, pause, resume, reset and save become messages. One controller per open view; closing it ends the run.

import type { BackendPreference } from '../../model/trace';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { StepRecord } from '../../train/browser-training';
import type { TrainClient, TrainClientFactory } from './train-client';
import type {
  CorpusSource,
  FromTrainer,
  RepeatPoint,
  Snapshot,
  ToTrainer,
  TrainInfo,
} from './train-protocol';

export type TrainStatus = 'idle' | 'preparing' | 'running' | 'paused' | 'done' | 'error';

export interface TrainState {
  status: TrainStatus;
  /** What the worker is doing before the first step. */
  preparing: string;
  info: TrainInfo | null;
  /** The preset the run was started with. */
  preset: string | null;
  losses: { step: number; loss: number }[];
  validation: { step: number; loss: number }[];
  /** The Induction preset's measures on held-out text read twice (empty for other presets). */
  repeats: RepeatPoint[];
  /** Seconds spent training so far, as the worker measured them (steps only). */
  trainingSeconds: number;
  tokensPerSecond: number;
  snapshots: Snapshot[];
  /** The snapshot shown (an index into snapshots), or null to follow the newest. */
  shown: number | null;
  error: string | null;
  saveError: string | null;
  /** A note on why training stopped that is not an error (another model was loaded). */
  note: string | null;
}

/** Snapshots kept; past this, every other older one is dropped, so the slider still spans the whole run. */
export const MAX_SNAPSHOTS = 200;
/** Bytes of attention the snapshots may hold: a 128-token sentence on the Small model is 1 MB a snapshot. */
export const SNAPSHOT_BYTES = 64 * 1024 * 1024;

const initialState = (): TrainState => ({
  status: 'idle',
  preparing: '',
  info: null,
  preset: null,
  losses: [],
  validation: [],
  repeats: [],
  trainingSeconds: 0,
  tokensPerSecond: 0,
  snapshots: [],
  shown: null,
  error: null,
  saveError: null,
  note: null,
});

/** Adds a snapshot: one at the same step (a new sentence) replaces it; the list is thinned when too long. */
export function addSnapshot(list: Snapshot[], shot: Snapshot): Snapshot[] {
  const last = list[list.length - 1];
  let next = last?.step === shot.step ? [...list.slice(0, -1), shot] : [...list, shot];
  const bytes = shot.layers.reduce((sum, layer) => sum + layer.byteLength, 0);
  const limit = Math.max(8, Math.min(MAX_SNAPSHOTS, Math.floor(SNAPSHOT_BYTES / Math.max(1, bytes))));
  while (next.length > limit) next = next.filter((_, i) => i % 2 === 0 || i === next.length - 1);
  return next;
}

export interface SavedModel {
  step: number;
  weights: Uint8Array;
  config: string;
}

export interface StartOptions {
  preset: string;
  corpus: CorpusSource;
  sentence: string;
  seed: number;
  /** The explorer's backend preference (WebGPU where the page has it, unless 'cpu'). */
  backend?: BackendPreference;
}

export class TrainController {
  readonly store: StoreApi<TrainState> = createStore<TrainState>()(initialState);
  /** The worker, made on first use (and again after dispose, as React's strict mode remounts views). */
  private client: TrainClient | null = null;
  private unsubscribe: () => void = () => {};
  private saves = new Map<number, { resolve: (m: SavedModel) => void; reject: (e: Error) => void }>();
  private nextSave = 1;

  constructor(private readonly createClient: TrainClientFactory) {}

  private post(message: ToTrainer) {
    if (!this.client) {
      this.client = this.createClient();
      this.unsubscribe = this.client.subscribe((m) => this.onMessage(m));
    }
    this.client.post(message);
  }

  private patch(patch: Partial<TrainState>) {
    this.store.setState(patch);
  }

  private onMessage(message: FromTrainer) {
    const s = this.store.getState();
    switch (message.type) {
      case 'preparing':
        return this.patch({ status: 'preparing', preparing: message.what });
      case 'ready':
        return this.patch({ info: message.info });
      case 'backend':
        return this.patch({
          info: s.info && {
            ...s.info,
            backend: message.backend,
            backendNote: null,
            fallback: message.fallback,
          },
        });
      case 'steps':
        return this.patch({
          losses: [
            ...s.losses,
            ...message.records.map((r: StepRecord) => ({ step: r.step + 1, loss: r.loss })),
          ],
          tokensPerSecond: message.tokensPerSecond,
          trainingSeconds: message.seconds,
        });
      case 'repeats':
        return this.patch({ repeats: [...s.repeats, message.point] });
      case 'validation':
        return this.patch({ validation: [...s.validation, { step: message.step, loss: message.loss }] });
      case 'snapshot':
        return this.patch({ snapshots: addSnapshot(s.snapshots, message.snapshot) });
      case 'state':
        return this.patch({ status: message.state });
      case 'error':
        return this.patch({ status: 'error', error: message.message });
      case 'saved':
      case 'save-error': {
        const waiting = this.saves.get(message.id);
        this.saves.delete(message.id);
        if (message.type === 'saved') {
          this.patch({ saveError: null });
          waiting?.resolve({ step: message.step, weights: message.weights, config: message.config });
        } else {
          this.patch({ saveError: message.message });
          waiting?.reject(new Error(message.message));
        }
      }
    }
  }

  start(options: StartOptions): void {
    this.store.setState({
      ...initialState(),
      status: 'preparing',
      preparing: 'Starting…',
      preset: options.preset,
    });
    this.post({ type: 'start', ...options });
  }

  pause(note: string | null = null): void {
    const { status } = this.store.getState();
    if (status === 'running') this.post({ type: 'pause' });
    if (note && (status === 'running' || status === 'preparing')) this.patch({ note });
  }

  resume(): void {
    this.patch({ note: null });
    this.post({ type: 'resume' });
  }

  /** Ends the run and forgets it: a fresh worker waits for the next start. */
  reset(): void {
    this.closeClient();
    this.store.setState(initialState());
  }

  setSentence(text: string): void {
    this.post({ type: 'sentence', text });
  }

  /** Shows snapshot `index`, or the newest (and follows it) with null. */
  show(index: number | null): void {
    this.patch({ shown: index });
  }

  save(): Promise<SavedModel> {
    const id = this.nextSave++;
    return new Promise((resolve, reject) => {
      this.saves.set(id, { resolve, reject });
      this.post({ type: 'save', id });
    });
  }

  private closeClient() {
    this.unsubscribe();
    this.client?.dispose();
    this.client = null;
    for (const { reject } of this.saves.values()) reject(new Error('Training was closed.'));
    this.saves.clear();
  }

  /** The view closed: training stops at once and the worker ends. */
  dispose(): void {
    this.closeClient();
  }
}
