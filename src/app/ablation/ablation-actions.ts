// What the ablation controls do to the settings: knock a head out or bring it back, change the mode, reset.
// A change that cannot run (every head out) is refused with a notice; the settings then stay as they were.

import { headLabel, type AblationMode } from '../../model/ablation';
import { useAppStore } from '../store/store';
import { readAblationSetting, toggledHeads } from './ablation-settings';
import { useAblationStore } from './ablation-store';

/** Knocks head [layer, head] (0-based) out, or brings it back. */
export function toggleKnockOut(layer: number, head: number): void {
  const { settings, model, set } = useAppStore.getState();
  const ablate = toggledHeads(settings.ablate, layer, head);
  const { problem } = readAblationSetting({ ...settings, ablate }, model?.config);
  if (problem) {
    useAblationStore.setState({ notice: `Head ${headLabel([layer, head])} stays in: ${problem}` });
    return;
  }
  useAblationStore.setState({ notice: null });
  set({ ablate });
}

export function setAblationMode(mode: AblationMode): void {
  useAppStore.getState().set({ ablateMode: mode });
}

/** Brings every head back (the mode stays, for the next knock-out). */
export function resetAblation(): void {
  useAblationStore.setState({ notice: null, comparison: null, comparisonError: null });
  useAppStore.getState().set({ ablate: '' });
}
