// The app state in one zustand store made of three slices: settings (mirrored to the URL), the model and
// backend status reported by the worker, and the latest good trace with the notices about the input.

import { create } from 'zustand';
import { DEFAULT_SETTINGS, type AppTrace, type NextTokens, type Settings } from '../data/types';
import type { BackendState, ModelInfo } from '../worker/protocol';

export interface LoadState {
  active: boolean;
  /** 0..1, or null while the size is unknown. */
  fraction: number | null;
  what: string;
}

export interface SettingsSlice {
  settings: Settings;
  set: (patch: Partial<Settings>) => void;
  /** Why the link's layer or head was not used (it names none), until another one is picked. */
  linkNotice: string | null;
}

export interface ModelSlice {
  model: ModelInfo | null;
  load: LoadState;
  loadError: string | null;
  modelNotice: string | null;
  backend: BackendState;
}

export interface TraceSlice {
  /** The last good result; it stays on screen while a bad input is shown a notice. */
  trace: AppTrace | null;
  /** Next-token logits, which arrive just after their trace. */
  next: NextTokens | null;
  /** Why the next tokens of the trace on screen could not be computed, if they could not. */
  nextError: string | null;
  /** A problem with the current text (empty, …): shown, while `trace` keeps the last good view. */
  inputError: string | null;
  /** Remarks about a good result (text cut to the context, special tokens, split characters). */
  notices: string[];
  /** The id of the newest request sent; results for older ones are dropped. */
  latestRequest: number;
}

export type AppState = SettingsSlice & ModelSlice & TraceSlice;

export const useAppStore = create<AppState>()((set) => ({
  settings: DEFAULT_SETTINGS,
  set: (patch) => set((s) => ({ settings: { ...s.settings, ...patch } })),
  linkNotice: null,
  model: null,
  load: { active: false, fraction: null, what: '' },
  loadError: null,
  modelNotice: null,
  backend: { description: '…', name: null, fallbackReason: null },
  trace: null,
  next: null,
  nextError: null,
  inputError: null,
  notices: [],
  latestRequest: 0,
}));

/** Shorthand for a partial update from outside React (the worker bridge). */
export const patchState = (patch: Partial<AppState>) => useAppStore.setState(patch);
