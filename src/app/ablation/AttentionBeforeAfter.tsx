// One head's attention weights on the intact model and with the heads knocked out, side by side, for the
// layer and head on screen: where a later head stops looking (a previous-token pattern that fades) shows here.

import { useMemo } from 'react';
import { matrix } from '../../model/attention';
import { headBlock } from '../../model/trace';
import type { MatrixView } from '../data/select';
import type { AppTrace } from '../data/types';
import { Heatmap } from '../views/Heatmap';
import { sequentialScale } from '../views/scales';
import type { AblationCompareResult } from '../worker/protocol';

/** A (T, T) block of one head's weights as a compact heatmap's view. */
function headView(weights: Float32Array, h: number, tokens: string[], side: string): MatrixView {
  const T = tokens.length;
  const m = matrix(T, T, headBlock(weights, h, T, T));
  return {
    id: `ablation-${side}.head${h}`,
    title: `Weights, ${side}`,
    matrix: m,
    rowLabels: tokens,
    colLabels: tokens,
    columns: 'tokens',
    kind: 'weights',
    masked: (row, col) => col > row,
    explain: (i, j) => `${side}: ${tokens[i]} attends to ${tokens[j]} with ${m.data[i * T + j].toFixed(3)}`,
  };
}

interface AttentionBeforeAfterProps {
  /** The ablated trace the comparison was made for (its weights are the "after"). */
  trace: AppTrace;
  result: AblationCompareResult;
  /** The head on screen, from 0. */
  head: number;
  /** The first layer (from 0) with a knocked-out head. */
  firstLayer: number;
}

export function AttentionBeforeAfter({ trace, result, head, firstLayer }: AttentionBeforeAfterProps) {
  const { layer, weights } = result.layerBefore;
  const h = Math.min(head, trace.shape.nHead - 1);
  const after = trace.tensors[`h${layer}.attn_weights`]?.data;
  const views = useMemo(
    () =>
      after ? [headView(weights, h, trace.tokens, 'before'), headView(after, h, trace.tokens, 'after')] : [],
    [weights, after, h, trace.tokens],
  );
  const scale = useMemo(() => sequentialScale(1), []);
  if (views.length === 0) return null;
  return (
    <div className="attention-before-after" data-testid="ablation-attention">
      <h3>
        Layer {layer + 1}, head {h + 1}: attention before and after
      </h3>
      {layer <= firstLayer && (
        <p className="hint">
          This layer is not after a knocked-out head, so its attention cannot change: choose a later layer to
          see the effect.
        </p>
      )}
      <div className="pair">
        {views.map((view, i) => (
          <figure key={view.id}>
            <figcaption>{i === 0 ? 'Before' : 'After'}</figcaption>
            <Heatmap view={view} scale={scale} traceId={trace.requestId} maxCell={10} compact />
          </figure>
        ))}
      </div>
    </div>
  );
}
