// Small multiples: every head of the chosen layer as a small weights heatmap, each with the same colour scale,
// so heads can be compared at a glance; clicking one selects that head, and the switch under it knocks it out.

import { useMemo } from 'react';
import { KnockOutButton } from '../ablation/KnockOutButton';
import { weightsView } from '../data/select';
import type { AppTrace, Settings } from '../data/types';
import { Heatmap } from './Heatmap';
import { sequentialScale } from './scales';

interface AllHeadsGridProps {
  /** The trace holding the layer's per-head weights. */
  trace: AppTrace;
  /** Current settings (mode, causal, head). */
  settings: Settings;
  /** Called with the head whose tile was clicked. */
  onSelectHead: (head: number) => void;
}

export function AllHeadsGrid({ trace, settings, onSelectHead }: AllHeadsGridProps) {
  const views = useMemo(
    () => Array.from({ length: trace.shape.nHead }, (_, h) => weightsView(trace, settings, h)),
    [trace, settings],
  );
  const scale = useMemo(() => sequentialScale(1), []);
  return (
    <section className="all-heads" aria-label={`All ${views.length} heads of layer ${trace.layer + 1}`}>
      <h3>All heads of layer {trace.layer + 1}</h3>
      <p className="hint">
        Each head learns its own pattern. Same colour scale for all (0 to 1); click a head to study it.
      </p>
      <div className="heads-grid">
        {views.map((view, h) => (
          <div key={h} className="head-cell">
            <button
              type="button"
              className={`head-tile${h === settings.head ? ' active' : ''}`}
              onClick={() => onSelectHead(h)}
              aria-pressed={h === settings.head}
              aria-label={`Head ${h + 1}`}
            >
              <span>head {h + 1}</span>
              <Heatmap view={view} scale={scale} traceId={trace.requestId} maxCell={10} compact />
            </button>
            {trace.source === 'model' && <KnockOutButton layer={trace.layer} head={h} />}
          </div>
        ))}
      </div>
    </section>
  );
}
