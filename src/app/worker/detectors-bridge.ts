// The page's side of the head detectors: asks the worker for the scores of the trace on screen only while the
// panel is open and typing has paused, runs the induction probe on request, and keeps the answers in a store.

import { createStore, type StoreApi } from 'zustand/vanilla';
import type { HeadGrid, TextHeadScores } from '../../model/head-detectors';
import type { AppTrace } from '../data/types';
import { useAppStore } from '../store/store';
import type { EngineClient } from './client';
import type { FromWorker } from './protocol';

export interface DetectorState {
  /** Whether the panel is open; while it is closed no scores are computed. */
  open: boolean;
  /** The scores of a trace (the one on screen, or the previous one until the new ones arrive). */
  text: { trace: AppTrace; scores: TextHeadScores } | null;
  textError: string | null;
  induction: { scores: HeadGrid; repeatLength: number; seed: number } | null;
  inductionRunning: boolean;
  inductionError: string | null;
}

export interface DetectorsBridge {
  store: StoreApi<DetectorState>;
  /** Opening asks for the scores of the trace on screen at once; closing stops asking. */
  setOpen(open: boolean): void;
  /** Runs the probe with the next seed (1 first, so the first result is the same on every machine). */
  runInductionProbe(): void;
  dispose(): void;
}

/** How long a new trace must stay on screen before its scores are asked for: a pass over every layer would
 * hold up the next keystroke's heatmap (the engine runs one request at a time). */
export const DETECTOR_IDLE_MS = 250;

export function connectDetectors(client: EngineClient): DetectorsBridge {
  const store = createStore<DetectorState>()(() => ({
    open: false,
    text: null,
    textError: null,
    induction: null,
    inductionRunning: false,
    inductionError: null,
  }));
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** The trace whose scores were asked for last, so one trace is not scored twice. */
  let askedFor: AppTrace | null = null;
  let probeId = 0;
  let seed = 0;

  const scorable = (trace: AppTrace | null): trace is AppTrace => trace?.source === 'model';

  const ask = (trace: AppTrace) => {
    askedFor = trace;
    client.post({ type: 'head-scores', id: trace.requestId });
  };

  const schedule = (delay: number) => {
    clearTimeout(timer);
    const trace = useAppStore.getState().trace;
    if (!store.getState().open || !scorable(trace) || trace === askedFor) return;
    timer = setTimeout(() => {
      // Only the trace still on screen is worth scoring; a newer one schedules itself.
      if (useAppStore.getState().trace === trace && store.getState().open) ask(trace);
    }, delay);
  };

  const onMessage = (message: FromWorker) => {
    const trace = useAppStore.getState().trace;
    switch (message.type) {
      case 'head-scores':
        if (askedFor && message.id === askedFor.requestId)
          store.setState({ text: { trace: askedFor, scores: message.scores }, textError: null });
        return;
      case 'induction':
        if (message.id === probeId)
          store.setState({
            induction: { scores: message.scores, repeatLength: message.repeatLength, seed: message.seed },
            inductionRunning: false,
            inductionError: null,
          });
        return;
      case 'detector-error':
        if (message.job === 'induction' && message.id === probeId)
          store.setState({ inductionRunning: false, inductionError: message.message });
        if (message.job === 'head-scores' && message.id === trace?.requestId)
          store.setState({ textError: message.message });
        return;
      case 'model':
        // Another model: every score was about the old one. The trace of the same text follows.
        askedFor = null;
        store.setState({ text: null, textError: null, induction: null, inductionError: null });
        return;
    }
  };
  const unsubscribeClient = client.subscribe(onMessage);
  const unsubscribeTrace = useAppStore.subscribe((state, previous) => {
    if (state.trace !== previous.trace) schedule(DETECTOR_IDLE_MS);
  });

  return {
    store,
    setOpen(open) {
      store.setState({ open });
      if (open) schedule(0);
      else {
        clearTimeout(timer);
        askedFor = null; // reopening asks again, though the text may be the same
      }
    },
    runInductionProbe() {
      probeId++;
      seed++;
      store.setState({ inductionRunning: true, inductionError: null });
      client.post({ type: 'induction', id: probeId, seed });
    },
    dispose() {
      clearTimeout(timer);
      unsubscribeClient();
      unsubscribeTrace();
    },
  };
}
