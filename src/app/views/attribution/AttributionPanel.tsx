// "Why does this head look there?": the head's scaled score split over the residual stream's components, query
// side × key side, computed in the worker only while this panel is open. It shows the head average until a cell
// of the scores or weights heatmap is clicked, then that one score; the largest terms are named in words.

import { useState } from 'react';
import type { AppTrace } from '../../data/types';
import type { AttributionResult } from '../../worker/protocol';
import { AttributionGrid } from './AttributionGrid';
import { layerOf, signed, topTerms } from './attribution-groups';
import { useAttribution, useAttributionUi } from './use-attribution';
import './attribution.css';

export interface AttributionPanelProps {
  /** The trace on screen (from the model, not the book). */
  trace: AppTrace;
  /** The head on screen, from 0. */
  head: number;
}

export function AttributionPanel({ trace, head }: AttributionPanelProps) {
  const { open, setOpen } = useAttributionUi();
  return (
    <section
      className="attribution-panel"
      aria-labelledby="attribution-title"
      data-testid="attribution-panel"
    >
      <div className="attribution-head">
        <h3 id="attribution-title">Why does this head look there?</h3>
        <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? 'Hide the split' : 'Split the score'}
        </button>
      </div>
      {open ? (
        <AttributionBody trace={trace} head={head} />
      ) : (
        <p className="hint">
          Split this head’s score into what each part of the input adds: the token and position embeddings,
          every earlier head, attention bias and MLP, on the query side and on the key side.
        </p>
      )}
    </section>
  );
}

function AttributionBody({ trace, head }: AttributionPanelProps) {
  const { cell, setCell } = useAttributionUi();
  const T = trace.tokens.length;
  const shownCell = cell && cell[0] < T && cell[1] <= cell[0] ? cell : null;
  const { result, error, busy } = useAttribution(true, trace.requestId, trace.layer, head, shownCell);
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(new Set());
  if (!result) return error ? <p className="error">{error}</p> : <p aria-busy="true">Splitting the score…</p>;
  const grid = result.terms ?? result.mean;
  const layers = [...new Set(result.components.map(layerOf).filter((l): l is number => l !== null))];
  const toggle = (layer: number) => {
    const next = new Set(expanded);
    if (next.has(layer)) next.delete(layer);
    else next.add(layer);
    setExpanded(next);
  };
  return (
    <div className="attribution-body" aria-busy={busy} data-busy={busy ? 1 : undefined}>
      {error && <p className="error">{error}</p>}
      {/* The last answer stays readable (not dimmed) while the next is computed; this line says it is old. */}
      <p className="attribution-status" role="status">
        {busy ? 'Splitting the new score… (the numbers below are the previous ones)' : ''}
      </p>
      <Summary result={result} trace={trace} onHeadAverage={() => setCell(null)} />
      <ul className="attribution-top" data-testid="attribution-top">
        {topTerms(grid, result.components, result.previousToken).map((term) => (
          <li key={`${term.query}:${term.key}`}>{term.sentence}</li>
        ))}
      </ul>
      {layers.length > 0 && (
        <div className="attribution-layers" role="group" aria-label="Show a layer head by head">
          <span>Show head by head:</span>
          {layers.map((layer) => (
            <button
              key={layer}
              type="button"
              aria-pressed={expanded.has(layer)}
              onClick={() => toggle(layer)}
            >
              L{layer}
            </button>
          ))}
        </div>
      )}
      <AttributionGrid
        components={result.components}
        grid={grid}
        expanded={expanded}
        caption={result.cell ? 'This score, split' : 'The head average, split'}
      />
      <p className="hint">
        {result.components.length} components on each side, {result.components.length ** 2} terms; computed in
        the worker in {Math.max(1, Math.round(result.millis))} ms.
      </p>
    </div>
  );
}

function Summary({
  result,
  trace,
  onHeadAverage,
}: {
  result: AttributionResult;
  trace: AppTrace;
  onHeadAverage: () => void;
}) {
  if (result.cell) {
    const [i, j] = result.cell;
    return (
      <p className="attribution-summary" data-testid="attribution-summary">
        Query {i + 1} “{trace.tokens[i]}” looking at key {j + 1} “{trace.tokens[j]}”: scaled score{' '}
        {signed(result.score!)} (weight {result.weight!.toFixed(2)}). The terms below add up to it exactly.{' '}
        <button type="button" onClick={onHeadAverage}>
          Show the head average
        </button>
      </p>
    );
  }
  return (
    <p className="attribution-summary" data-testid="attribution-summary">
      The whole head: each query’s terms weighted by where it attends, averaged over the queries (they add up
      to the head’s average score, {signed(result.meanScore)}). Click a cell of the scores or weights above to
      split that one score.
    </p>
  );
}
