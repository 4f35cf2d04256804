// The settings a view depends on, without the text: typing changes the text on every key, and the steps
// should redraw when the new trace arrives, not once more for the keystroke itself.

import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { DEFAULT_SETTINGS, type Settings } from '../data/types';
import { useAppStore } from './store';

/** Settings for drawing; `text`, `temperature`, the sampling settings and the charted row are left at fixed
 * values so they never trigger a redraw (the panels that use them read the store themselves). */
export function useViewSettings(): Settings {
  const picked = useAppStore(
    useShallow((s) => ({
      mode: s.settings.mode,
      positions: s.settings.positions,
      causal: s.settings.causal,
      layer: s.settings.layer,
      head: s.settings.head,
      step: s.settings.step,
      allHeads: s.settings.allHeads,
      preset: s.settings.preset,
      model: s.settings.model,
      backend: s.settings.backend,
    })),
  );
  return useMemo(() => ({ ...DEFAULT_SETTINGS, ...picked, text: '', special: false }), [picked]);
}
