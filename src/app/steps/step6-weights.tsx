// Step 6: attention weights, the row softmax of the scores (book §3.3.1, §3.4.1, §3.5.1), with the row bar
// chart and, in trainable mode, the grid of all heads of the layer.

import { useMemo } from 'react';
import { causalApplies, weightsView } from '../data/select';
import { useAppStore } from '../store/store';
import { AllHeadsGrid } from '../views/AllHeadsGrid';
import { MatrixPanel } from '../views/MatrixPanel';
import { RepeatCallout } from '../views/RepeatCallout';
import { AttributionPanel } from '../views/attribution/AttributionPanel';
import { useAttributionUi } from '../views/attribution/use-attribution';
import type { StepContext, StepDef } from './types';

function WeightsBody({ trace, settings }: StepContext) {
  const view = useMemo(() => weightsView(trace, settings), [trace, settings]);
  // The views take everything as props; the step reads the store. The charted row lives in the settings, so a
  // shared link opens with the same bar chart.
  const set = useAppStore((s) => s.set);
  // Read here, not from the view settings, which leave the row out so that charting a row recomputes no view.
  const row = useAppStore((s) => s.settings.row);
  const { setCell, cell, open } = useAttributionUi();
  // The "why" panel splits the model's scores; the book's single head has no residual stream to split.
  const why = settings.mode === 'trainable' && trace.source === 'model';
  return (
    <>
      {settings.mode === 'naive' && <RepeatCallout trace={trace} settings={settings} />}
      <MatrixPanel
        view={view}
        traceId={trace.requestId}
        selectedRow={row}
        onSelectRow={(charted) => set({ row: charted })}
        onSelectCell={why ? setCell : undefined}
        selectedCell={why && open ? cell : null}
        primary
      />
      {why && <AttributionPanel trace={trace} head={Math.min(settings.head, trace.shape.nHead - 1)} />}
      {settings.mode === 'trainable' && settings.allHeads && trace.shape.nHead > 1 && (
        <AllHeadsGrid trace={trace} settings={settings} onSelectHead={(head) => set({ head })} />
      )}
    </>
  );
}

export const step6: StepDef = {
  number: 6,
  title: 'Attention weights',
  heading: ({ trace, settings }) =>
    causalApplies(trace, settings) ? 'Masked attention weights' : 'Attention weights',
  section: ({ trace, settings }) =>
    settings.mode !== 'naive'
      ? '§3.4.1, §3.5.1 Softmax and the causal mask'
      : causalApplies(trace, settings)
        ? '§3.3.1 Normalising with softmax, §3.5.1 Applying a causal attention mask'
        : '§3.3.1 Normalising with softmax',
  sentences: ({ settings }) => [
    'Softmax turns each row of scores into weights that are positive and add up to 1: bigger scores get exponentially more weight.',
    'Row i now says how much token i attends to each token. Click a row to see it as a bar chart.',
    settings.causal || settings.mode === 'trainable'
      ? 'With the causal mask, the future gets weight exactly 0, so each row spreads its attention over earlier tokens only.'
      : 'Without a mask every token can look at every other one, even later ones: fine for reading, not for predicting the next word.',
  ],
  formula: ({ trace, settings }) =>
    settings.mode !== 'naive'
      ? 'αᵢⱼ = softmaxⱼ(ωᵢⱼ / √dₖ),  ωᵢⱼ = −∞ for j > i'
      : causalApplies(trace, settings)
        ? 'αᵢⱼ = softmaxⱼ(ωᵢⱼ),  ωᵢⱼ = −∞ for j > i     so αᵢⱼ = exp(ωᵢⱼ) / Σ_{k≤i} exp(ωᵢₖ) for j ≤ i, and 0 for j > i'
        : 'αᵢⱼ = exp(ωᵢⱼ) / Σₖ exp(ωᵢₖ)',
  Body: WeightsBody,
};
