// The page's side of the ablation: drops a head list the model cannot run (a link's, or after a model
// switch) with a notice, and asks the worker for the before/after comparison of an ablated trace once it has
// stayed on screen a moment, so typing never pays for the intact model's second pass.

import type { AppTrace } from '../data/types';
import { useAppStore } from '../store/store';
import type { EngineClient } from '../worker/client';
import type { FromWorker } from '../worker/protocol';
import { readAblationSetting } from './ablation-settings';
import { useAblationStore } from './ablation-store';

/** How long an ablated trace must stay on screen before its comparison is asked for: a pause in typing, not
 * the gap between two keys. The comparison runs the text six times (the engine runs one request at a time);
 * the worker stops it between passes when a key comes anyway. */
export const COMPARE_IDLE_MS = 400;

/** Drops the setting's heads if the model on screen (or, before one loads, their spelling) rules them out. */
export function dropUnusableAblation(): void {
  const { settings, model, set } = useAppStore.getState();
  const { problem } = readAblationSetting(settings, model?.config);
  if (!problem) return;
  useAblationStore.setState({
    notice: `The knocked-out heads (${settings.ablate}) were dropped: ${problem}`,
    comparison: null,
  });
  set({ ablate: '' });
}

export function connectAblation(client: EngineClient): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let askedFor: AppTrace | null = null;

  const schedule = (trace: AppTrace | null) => {
    clearTimeout(timer);
    if (!trace?.ablation) {
      useAblationStore.setState({ comparison: null, comparisonError: null });
      return;
    }
    timer = setTimeout(() => {
      if (useAppStore.getState().trace !== trace) return; // a newer trace schedules itself
      askedFor = trace;
      client.post({ type: 'ablation-compare', id: trace.requestId });
    }, COMPARE_IDLE_MS);
  };

  const onMessage = (message: FromWorker) => {
    if (message.type === 'ablation-compare' && askedFor?.requestId === message.id)
      useAblationStore.setState({ comparison: { trace: askedFor, result: message }, comparisonError: null });
    else if (message.type === 'ablation-compare-error' && askedFor?.requestId === message.id)
      useAblationStore.setState({ comparisonError: message.message });
    else if (message.type === 'model') useAblationStore.setState({ comparison: null, comparisonError: null });
  };
  const unsubscribeClient = client.subscribe(onMessage);
  const unsubscribeStore = useAppStore.subscribe((state, previous) => {
    if (state.model !== previous.model || state.settings.ablate !== previous.settings.ablate)
      dropUnusableAblation();
    if (state.trace !== previous.trace) schedule(state.trace);
  });
  dropUnusableAblation();

  return () => {
    clearTimeout(timer);
    unsubscribeClient();
    unsubscribeStore();
  };
}
