// The ten most likely next tokens with their probabilities at the chosen temperature (the order is fixed by
// the logits; temperature only reshapes the probabilities), and the controls that sample and append tokens.

import { useMemo } from 'react';
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
  if (!trace || trace.source === 'book' || !top) {
    return (
      <section className="next-token" aria-label="Next token">
        <h2>Next token</h2>
        {error || (
          <p className="hint">
            {trace?.source === 'book'
              ? "The book's example has no vocabulary, so there is no next token to predict."
              : !trace && inputError
                ? 'Nothing to predict yet: type a sentence first.'
                : 'Computing the next-token probabilities…'}
          </p>
        )}
      </section>
    );
  }
  return (
    <section className="next-token" aria-label="Next token">
      <h2>Next token</h2>
      {error}
      <p className="hint">
        What the model would write after “{trace.tokens[trace.tokens.length - 1]}”
        {untrained ? ' (random weights: expect nonsense)' : ''}.
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
      {/* Until the new trace's logits arrive (a frame later), the previous ones stay, greyed. */}
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
      <GenerateControls />
    </section>
  );
}
