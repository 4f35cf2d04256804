// "Head surgery": the knocked-out heads as removable chips, the mode, Reset, and what changed, side by side
// (next tokens, each token's loss, later heads). The comparison arrives a moment after the ablated trace.

import { memo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../store/store';
import { headLabel, type Ablation } from '../../model/ablation';
import { resetAblation, setAblationMode, toggleKnockOut } from './ablation-actions';
import { readAblationSetting } from './ablation-settings';
import { useAblationStore, type AblationState } from './ablation-store';
import { AttentionBeforeAfter } from './AttentionBeforeAfter';
import { LaterHeadsTable, LossStrip, NextTokenComparison } from './ComparisonViews';
import './ablation.css';

function Chips({ ablation }: { ablation: Ablation }) {
  return (
    <ul className="ablation-chips" aria-label="Knocked-out heads" data-testid="ablation-chips">
      {ablation.heads.map(([layer, head]) => (
        <li key={headLabel([layer, head])}>
          <button
            type="button"
            className="chip"
            aria-label={`Layer ${layer + 1} head ${head + 1}: bring it back`}
            onClick={() => toggleKnockOut(layer, head)}
          >
            Layer {layer + 1} head {head + 1} <span aria-hidden="true">×</span>
          </button>
        </li>
      ))}
    </ul>
  );
}

function ModeChoice() {
  const mode = useAppStore((s) => s.settings.ablateMode);
  const options = [
    ['zero', 'Zero', 'its context is 0 at every position'],
    ['mean', 'Mean', 'its context is its mean over the text'],
  ] as const;
  return (
    <fieldset className="ablation-mode">
      <legend>Knock out by</legend>
      {options.map(([value, name, what]) => (
        <label key={value} title={what}>
          <input
            type="radio"
            name="ablation-mode"
            value={value}
            checked={mode === value}
            onChange={() => setAblationMode(value)}
          />
          {name}
        </label>
      ))}
    </fieldset>
  );
}

/** What changed, for one comparison: memoised, so the keystrokes that replace the trace while it is being
 * recomputed re-render none of it (only the stale mark around it changes). */
const ComparisonBody = memo(function ComparisonBody({
  comparison,
  head,
  firstLayer,
}: {
  comparison: NonNullable<AblationState['comparison']>;
  head: number;
  firstLayer: number;
}) {
  return (
    <>
      <NextTokenComparison result={comparison.result} />
      <LossStrip tokens={comparison.trace.tokens} result={comparison.result} />
      <LaterHeadsTable result={comparison.result} firstLayer={firstLayer} />
      <AttentionBeforeAfter
        trace={comparison.trace}
        result={comparison.result}
        head={head}
        firstLayer={firstLayer}
      />
    </>
  );
});

function Comparison({ ablation }: { ablation: Ablation }) {
  const trace = useAppStore((s) => s.trace);
  const head = useAppStore((s) => s.settings.head);
  const comparison = useAblationStore((s) => s.comparison);
  const comparisonError = useAblationStore((s) => s.comparisonError);
  if (comparisonError) return <p className="notice warn">{comparisonError}</p>;
  if (!comparison || !trace) return <p className="hint">Comparing with the intact model…</p>;
  const stale = comparison.trace !== trace;
  const firstLayer = Math.min(...ablation.heads.map(([l]) => l));
  return (
    <div
      className={`ablation-compare${stale ? ' stale' : ''}`}
      data-testid="ablation-compare"
      aria-busy={stale}
    >
      {stale && <p className="hint">Updating for the new text…</p>}
      <ComparisonBody comparison={comparison} head={head} firstLayer={firstLayer} />
    </div>
  );
}

export function AblationPanel() {
  const setting = useAppStore(
    useShallow((s) => ({ ablate: s.settings.ablate, ablateMode: s.settings.ablateMode })),
  );
  const shape = useAppStore((s) => s.model?.config);
  const book = useAppStore((s) => s.settings.preset === 'book');
  const notice = useAblationStore((s) => s.notice);
  const { ablation } = readAblationSetting(setting, shape);
  return (
    <section className="ablation-panel" aria-labelledby="ablation-title" data-testid="ablation-panel">
      <h2 id="ablation-title">Head surgery</h2>
      {notice && (
        <p className="notice warn" role="status" data-testid="ablation-notice">
          {notice}
        </p>
      )}
      {book && (
        <p className="hint">The book’s example is not a model run: there are no heads to knock out.</p>
      )}
      {!book && !ablation && (
        <>
          <p className="hint">
            Knock out heads to see what they are for: press “Knock out” under a head in the all-heads grid, or
            choose “Knock out” in the head detectors and click a cell.
          </p>
          <ModeChoice />
        </>
      )}
      {!book && ablation && (
        <>
          <p className="hint">
            {ablation.heads.length === 1 ? 'This head is' : 'These heads are'} knocked out
            {ablation.mode === 'zero' ? ' (context set to 0)' : ' (context set to its mean over the text)'}:
            every view shows the model without {ablation.heads.length === 1 ? 'it' : 'them'}.
          </p>
          <Chips ablation={ablation} />
          <ModeChoice />
          <button type="button" onClick={resetAblation} aria-label="Reset: bring every head back">
            Reset
          </button>
          <Comparison ablation={ablation} />
        </>
      )}
    </section>
  );
}
