// Head detectors: a layers × heads grid of one score at a time (previous token, duplicate token, induction,
// first token), each cell with its sentence; clicking a cell opens that head's attention weights (step 6), or,
// with "Knock out" chosen, knocks that head out (or brings it back) for every view.

import { useState } from 'react';
import { toggleKnockOut } from '../ablation/ablation-actions';
import { isKnockedOut } from '../ablation/ablation-settings';
import { useStore } from 'zustand';
import { DETECTORS, type DetectorKind, type HeadGrid } from '../../model/head-detectors';
import { useDetectors } from '../bridge-context';
import type { AppTrace } from '../data/types';
import { useAppStore } from '../store/store';
import type { DetectorState } from '../worker/detectors-bridge';
import { sequentialScale, textColorOn } from './scales';

/** Two decimals without the leading zero, so twelve heads fit the side panel: ".83", "1", "0". */
export function formatScore(score: number): string {
  const fixed = score.toFixed(2);
  if (fixed === '1.00') return '1';
  if (fixed === '0.00') return '0';
  return fixed.replace(/^0/, '');
}

const scale = sequentialScale(1);

export interface ScoreGridProps {
  /** scores[layer][head], from 0 to 1. */
  scores: HeadGrid;
  /** Which score, for the labels. */
  kind: DetectorKind;
  /** Opens head `head` of layer `layer`. */
  onOpen: (layer: number, head: number) => void;
  /** When set, a click knocks the head out or brings it back (instead of opening it); the setting says which
   * heads are out ("2.4,1.1", from 1). */
  knockOut?: { ablate: string; toggle: (layer: number, head: number) => void };
}

export function ScoreGrid({ scores, kind, onOpen, knockOut }: ScoreGridProps) {
  const { name, sentence } = DETECTORS.find((d) => d.kind === kind)!;
  const nHead = scores[0]?.length ?? 0;
  return (
    <table className="score-grid" data-testid="head-scores" data-kind={kind}>
      <caption className="visually-hidden">
        {name} score of every head: a row per layer, a column per head
      </caption>
      <thead>
        <tr>
          <th scope="col">
            <abbr title="Layer">L</abbr>
            <span aria-hidden="true"> \ </span>
            <abbr title="Head">H</abbr>
          </th>
          {Array.from({ length: nHead }, (_, h) => (
            <th key={h} scope="col">
              {h + 1}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {scores.map((row, l) => (
          <tr key={l}>
            <th scope="row">{l + 1}</th>
            {row.map((score, h) => {
              const background = scale(Math.min(1, Math.max(0, score)));
              const shown = formatScore(score);
              const out = knockOut ? isKnockedOut(knockOut.ablate, l, h) : false;
              const action = !knockOut
                ? 'Opens this head’s attention weights.'
                : out
                  ? 'Knocked out; brings this head back.'
                  : 'Knocks this head out.';
              return (
                <td key={h}>
                  <button
                    type="button"
                    className={out ? 'knocked-out' : undefined}
                    style={out ? undefined : { background, color: textColorOn(background) }}
                    aria-label={`${shown}: ${name.toLowerCase()} score of layer ${l + 1}, head ${h + 1}. ${sentence} ${action}`}
                    aria-pressed={knockOut ? out : undefined}
                    title={`Layer ${l + 1}, head ${h + 1}: ${score.toFixed(3)}. ${sentence} ${action}`}
                    onClick={() => (knockOut ? knockOut.toggle(l, h) : onOpen(l, h))}
                  >
                    {shown}
                  </button>
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** What the chosen text score has to say: the grid, why there is none, or that it is being computed. */
function textScores(kind: Exclude<DetectorKind, 'induction'>, state: DetectorState, trace: AppTrace | null) {
  if (trace?.source === 'book') {
    return { note: 'The book’s example is not a model run: there are no heads to score.' };
  }
  if (state.textError) return { note: state.textError };
  if (!state.text) return { note: 'Scoring every head on your text…' };
  const { scores, trace: scored } = state.text;
  const stale = scored !== trace;
  const grid = scores[kind];
  const count = scores.counts[kind];
  if (!grid) {
    return {
      stale,
      note:
        kind === 'duplicateToken'
          ? 'No token occurs twice in your text, so there is nothing to score (a word at the very start has no space before it, so it is another token than its later copies). Try “the cat saw the cat”.'
          : 'Your text has one token: there is no earlier token to attend to.',
    };
  }
  const over =
    kind === 'duplicateToken' ? `${count} repeated token${count === 1 ? '' : 's'}` : `${count} tokens`;
  return { grid, stale, note: `Averaged over ${over} of your text.` };
}

/** Why the induction score falls back to the probe. */
const PROBE_FALLBACK =
  'Your text repeats no run of two or more tokens, so induction is measured on a probe instead.';

/** The induction score on the visitor's own text, when a run of tokens in it repeats; null otherwise. */
function textInduction(state: DetectorState, trace: AppTrace | null) {
  if (trace?.source === 'book' || !state.text?.scores.textInduction) return null;
  const count = state.text.scores.counts.textInduction;
  return {
    grid: state.text.scores.textInduction,
    stale: state.text.trace !== trace,
    note: `On your text: ${count} tokens continue a run of tokens that appeared earlier in it; each counts the attention to the token that followed the earlier copy.`,
  };
}

export function HeadDetectorPanel() {
  const detectors = useDetectors();
  const state = useStore(detectors.store);
  const trace = useAppStore((s) => s.trace);
  const set = useAppStore((s) => s.set);
  const [kind, setKind] = useState<DetectorKind>('previousToken');
  const [clickKnocksOut, setClickKnocksOut] = useState(false);
  const ablate = useAppStore((s) => s.settings.ablate);
  const { sentence } = DETECTORS.find((d) => d.kind === kind)!;

  const open = (layer: number, head: number) => {
    set({ mode: 'trainable', layer, head, step: 6, allHeads: false });
    // On a phone the step is far above this panel; the focus goes there too, so a keyboard user reads on
    // from the opened head's heading instead of staying in the side panel.
    const title = document.getElementById('step-title');
    title?.scrollIntoView?.({ block: 'start' });
    title?.focus({ preventScroll: true });
  };

  let shown: { grid?: HeadGrid; stale?: boolean; note: string };
  const onText = textInduction(state, trace);
  if (kind !== 'induction') shown = textScores(kind, state, trace);
  else if (onText) shown = onText;
  else if (state.induction)
    shown = {
      grid: state.induction.scores,
      note: `${PROBE_FALLBACK} On ${state.induction.repeatLength} random tokens repeated twice (seed ${state.induction.seed}).`,
    };
  else shown = { note: `${PROBE_FALLBACK} The probe runs the model on its own random text, not on yours.` };

  return (
    <section className="head-detectors" aria-labelledby="head-detectors-title">
      <h2 id="head-detectors-title">Head detectors</h2>
      <details onToggle={(e) => detectors.setOpen(e.currentTarget.open)} open={state.open}>
        <summary>Score every head</summary>
        <fieldset className="detector-kinds">
          <legend>Score</legend>
          {DETECTORS.map((d) => (
            <label key={d.kind} className={kind === d.kind ? 'on' : ''}>
              <input
                type="radio"
                name="detector"
                value={d.kind}
                checked={kind === d.kind}
                onChange={() => setKind(d.kind)}
              />
              {d.name}
            </label>
          ))}
        </fieldset>
        <fieldset className="detector-kinds" data-testid="detector-click">
          <legend>A click on a head</legend>
          {[false, true].map((knocks) => (
            <label key={String(knocks)} className={clickKnocksOut === knocks ? 'on' : ''}>
              <input
                type="radio"
                name="detector-click"
                checked={clickKnocksOut === knocks}
                onChange={() => setClickKnocksOut(knocks)}
              />
              {knocks ? 'Knock out' : 'Open'}
            </label>
          ))}
        </fieldset>
        <p className="detector-sentence" data-testid="detector-sentence">
          {sentence}
        </p>
        {kind === 'induction' && trace?.source !== 'book' && !onText && (
          <div className="probe-row">
            <button type="button" disabled={state.inductionRunning} onClick={detectors.runInductionProbe}>
              {state.induction ? 'Run again on new tokens' : 'Run the induction probe'}
            </button>
            {state.inductionRunning && (
              <span role="status" className="hint">
                Running the probe…
              </span>
            )}
          </div>
        )}
        {kind === 'induction' && state.inductionError && (
          <p className="notice error" role="alert">
            {state.inductionError}
          </p>
        )}
        <p className="hint" data-testid="detector-note">
          {shown.note}
          {shown.stale ? ' Updating for the new text…' : ''}
        </p>
        {shown.grid && (
          <div className={`score-grid-wrap${shown.stale ? ' stale' : ''}`}>
            <div className="score-grid-scroll">
              <ScoreGrid
                scores={shown.grid}
                kind={kind}
                onOpen={open}
                knockOut={clickKnocksOut ? { ablate, toggle: toggleKnockOut } : undefined}
              />
            </div>
            <p className="hint">
              Rows are layers, columns heads; 0 is pale, 1 dark.{' '}
              {clickKnocksOut
                ? 'Click a cell to knock its head out or back in.'
                : 'Click a cell to open its head.'}
              {/* Past eight heads the 24 px cells (WCAG target size) no longer fit the 320 px panel. */}
              {shown.grid[0].length > 8 ? ' Scroll the grid sideways to see every head.' : ''}
            </p>
          </div>
        )}
      </details>
    </section>
  );
}
