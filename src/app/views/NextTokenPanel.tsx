// The ten most likely next tokens with their probabilities at the chosen temperature (the order is fixed by
// the logits; temperature only reshapes the probabilities), and the controls that sample and append tokens.
// While the first list is computed, blank rows of the same height hold its place.

import { useMemo } from 'react';
import { TOP_NEXT_COUNT } from '../data/types';
import { useAppStore } from '../store/store';
import { TEMPERATURE_MAX, TEMPERATURE_MIN } from '../store/url';
import { GenerateControls } from './GenerateControls';

/** Probabilities of `ids` under softmax(logits / temperature) over the whole vocabulary. */
export function probabilitiesAt(logits: Float32Array, ids: number[], temperature: number): number[] {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  let total = 0;
  for (let i = 0; i < logits.length; i++) total += Math.exp((logits[i] - max) / temperature);
  return ids.map((id) => Math.exp((logits[id] - max) / temperature) / total);
}

/** Bar widths (%) of the blank rows shown while the list is computed, shortening as a real list does. */
const PLACEHOLDER_WIDTHS = Array.from({ length: TOP_NEXT_COUNT }, (_, i) => Math.round(40 / (i + 1)) + 2);

/** 12.3%, or two significant digits for the tiny probabilities of an untrained model. */
const percent = (p: number) => (p >= 0.01 ? `${(p * 100).toFixed(1)}%` : `${(p * 100).toPrecision(2)}%`);

export function NextTokenPanel() {
  const trace = useAppStore((s) => s.trace);
  const temperature = useAppStore((s) => s.settings.temperature);
  const set = useAppStore((s) => s.set);
  const untrained = useAppStore((s) => s.model?.untrained ?? false);
  const next = useAppStore((s) => s.next);
  const nextError = useAppStore((s) => s.nextError);
  const inputError = useAppStore((s) => s.inputError);
  const top = next?.topNext;
  const logits = next?.logits;
  const probabilities = useMemo(
    () =>
      logits && top
        ? probabilitiesAt(
            logits,
            top.map((t) => t.id),
            temperature,
          )
        : [],
    [logits, top, temperature],
  );
  const error = nextError && trace && trace.source !== 'book' && (
    <p className="notice error" role="alert" data-testid="next-error">
      {nextError}
      {top ? ' The list below is from an earlier sentence.' : ''}
    </p>
  );
  const book = trace?.source === 'book';
  if (book || (!top && (error || (!trace && inputError)))) {
    return (
      <section className="next-token" aria-label="Next token">
        <h2>Next token</h2>
        {error || (
          <p className="hint">
            {book
              ? "The book's example has no vocabulary, so there is no next token to predict."
              : 'Nothing to predict yet: type a sentence first.'}
          </p>
        )}
      </section>
    );
  }
  // From here the list is shown or on its way. While it is computed, blank rows hold its place, so the panels
  // below do not jump under the pointer when it arrives (it comes last, after the trace and one more forward pass).
  const ready = trace && top;
  return (
    <section className="next-token" aria-label="Next token" aria-busy={!ready}>
      <h2>Next token</h2>
      {error}
      <p className="hint">
        {ready ? (
          <>
            What the model would write after “{trace.tokens[trace.tokens.length - 1]}”
            {untrained ? ' (random weights: expect nonsense)' : ''}.
          </>
        ) : (
          'Computing the next-token probabilities…'
        )}
      </p>
      {/* htmlFor: without it the label would name the <output>, its first labelable child, not the slider. */}
      <label className="slider" htmlFor="temperature">
        Temperature <output>{temperature.toFixed(2)}</output>
        <input
          id="temperature"
          type="range"
          min={TEMPERATURE_MIN}
          max={TEMPERATURE_MAX}
          step={0.05}
          value={temperature}
          onChange={(e) => set({ temperature: Number(e.target.value) })}
        />
      </label>
      {ready ? (
        // Until the new trace's logits arrive (a frame later), the previous ones stay, greyed.
        <ol
          className={`next-list${next.requestId === trace.requestId ? '' : ' stale'}`}
          data-testid="next-tokens"
          data-trace-id={next.requestId}
        >
          {top.map((t, i) => (
            <li key={t.id}>
              <span className="piece">{t.text}</span>
              <span className="bar" style={{ width: `${Math.max(1, probabilities[i] * 100)}%` }} />
              <span className="p">{percent(probabilities[i])}</span>
            </li>
          ))}
        </ol>
      ) : (
        // A no-break space gives each blank row a line of text's height, the height of a real row.
        <ol className="next-list placeholder" aria-hidden="true" data-testid="next-tokens-placeholder">
          {PLACEHOLDER_WIDTHS.map((width, i) => (
            <li key={i}>
              <span className="piece">{'\u00a0'}</span>
              <span className="bar" style={{ width: `${width}%` }} />
              <span className="p">{'\u00a0'}</span>
            </li>
          ))}
        </ol>
      )}
      <GenerateControls />
    </section>
  );
}
