// The attention side of the Train view: a slider over the snapshots kept so far, the chosen head's attention
// weights on the sentence at that step, and the head-detector grid of the same moment.

import { useMemo, useState } from 'react';
import { matrix } from '../../model/attention';
import { headBlock } from '../../model/trace';
import { DETECTORS, type DetectorKind, type HeadGrid } from '../../model/head-detectors';
import type { MatrixView } from '../data/select';
import { ScoreGrid } from '../views/HeadDetectorPanel';
import { MatrixPanel } from '../views/MatrixPanel';
import type { Snapshot } from './train-protocol';

interface TrainAttentionProps {
  /** Snapshots so far, oldest first. */
  snapshots: Snapshot[];
  /** The one shown. */
  index: number;
  /** Shows snapshot i. */
  onShow: (i: number) => void;
  /** Heads per layer of the model being trained. */
  nHead: number;
}

const upper = (r: number, c: number) => c > r;

/** Head `head` of layer `layer` of a snapshot, as the explorer's heatmap reads a matrix. */
export function snapshotView(shot: Snapshot, layer: number, head: number): MatrixView {
  const T = shot.tokens.length;
  const weights = matrix(T, T, headBlock(shot.layers[layer], head, T, T));
  return {
    id: `train.h${layer}.attn_weights.head${head}.step${shot.step}`,
    title: `Layer ${layer + 1}, head ${head + 1}: attention weights at step ${shot.step}`,
    matrix: weights,
    rowLabels: shot.tokens,
    colLabels: shot.tokens,
    columns: 'tokens',
    kind: 'weights',
    masked: upper,
    explain: (i, j) =>
      j > i
        ? `“${shot.tokens[i]}” cannot see the later “${shot.tokens[j]}” (causal mask).`
        : `“${shot.tokens[i]}” gives ${weights.data[i * T + j].toFixed(3)} of its attention to “${shot.tokens[j]}” at step ${shot.step}.`,
  };
}

export function TrainAttention({ snapshots, index, onShow, nHead }: TrainAttentionProps) {
  const [layer, setLayer] = useState(0);
  const [head, setHead] = useState(0);
  const [kind, setKind] = useState<DetectorKind>('previousToken');
  const shot = snapshots[index] ?? null;
  const nLayer = shot?.layers.length ?? 1;
  const l = Math.min(layer, nLayer - 1);
  const h = Math.min(head, nHead - 1);
  const view = useMemo(() => (shot ? snapshotView(shot, l, h) : null), [shot, l, h]);
  const grid: HeadGrid | null = shot ? shot.scores[kind] : null;
  const detector = DETECTORS.find((d) => d.kind === kind)!;

  return (
    <div className="train-attention">
      <h3>Attention as it forms</h3>
      {!shot ? (
        <p className="hint">
          Start training: a snapshot of the sentence’s attention is kept every few steps.
        </p>
      ) : (
        <>
          <label htmlFor="train-snapshot">
            Snapshot: step {shot.step} ({index + 1} of {snapshots.length})
          </label>
          <input
            id="train-snapshot"
            type="range"
            min={0}
            max={snapshots.length - 1}
            value={index}
            onChange={(e) => onShow(Number(e.target.value))}
            data-testid="train-snapshot"
            data-step={shot.step}
          />
          <div className="train-head-pick">
            <label>
              Layer{' '}
              <select value={l} onChange={(e) => setLayer(Number(e.target.value))}>
                {Array.from({ length: nLayer }, (_, i) => (
                  <option key={i} value={i}>
                    {i + 1}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Head{' '}
              <select value={h} onChange={(e) => setHead(Number(e.target.value))}>
                {Array.from({ length: nHead }, (_, i) => (
                  <option key={i} value={i}>
                    {i + 1}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {view && <MatrixPanel view={view} traceId={shot.step} />}
          <fieldset className="detector-kinds">
            <legend>Head detectors</legend>
            {DETECTORS.map((d) => (
              <label key={d.kind} className={kind === d.kind ? 'on' : ''}>
                <input
                  type="radio"
                  name="train-detector"
                  value={d.kind}
                  checked={kind === d.kind}
                  onChange={() => setKind(d.kind)}
                />
                {d.name}
              </label>
            ))}
          </fieldset>
          <p className="hint">
            {detector.sentence}{' '}
            {kind === 'induction'
              ? 'Measured on the same random tokens repeated twice at every snapshot.'
              : 'Measured on the sentence above.'}
          </p>
          {grid ? (
            <div className="score-grid-scroll">
              <ScoreGrid
                scores={grid}
                kind={kind}
                onOpen={(ol, oh) => {
                  setLayer(ol);
                  setHead(oh);
                }}
              />
            </div>
          ) : (
            <p className="hint">
              {kind === 'duplicateToken'
                ? 'No token occurs twice in the sentence, so there is nothing to score.'
                : 'Not enough tokens to score.'}
            </p>
          )}
        </>
      )}
    </div>
  );
}
