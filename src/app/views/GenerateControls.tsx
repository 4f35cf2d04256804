// "Append the sampled token" and "generate N tokens" under the next-token list: each token is drawn from the
// logits on screen (temperature, top-k, top-p, a seed, all in the URL), appended to the text, and the page
// computes the longer text as if it had been typed, so every step shows the new token.

import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { sampleToken, samplingUniform } from '../data/sampling';
import { useAppStore } from '../store/store';
import { GENERATE_MAX } from '../store/url';

/** GPT-2's end-of-text token: drawing it means the model would stop here. */
const END_OF_TEXT_ID = 50256;

interface PageTokenizer {
  decode: (ids: number[]) => string;
  /** Whether a token is whole characters (half an emoji cannot be typed into the sentence box). */
  whole: (id: number) => boolean;
}

let tokenizer: Promise<PageTokenizer> | null = null;

/** The tokenizer, fetched with the first draw: the page itself never needs its ranks (the worker has them). */
function loadTokenizer(): Promise<PageTokenizer> {
  tokenizer ??= import('../../tokenizer/gpt2').then(({ decode, tokenBytes }) => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    const known = new Map<number, boolean>();
    const whole = (id: number) => {
      let ok = known.get(id);
      if (ok === undefined) {
        try {
          ok = id === END_OF_TEXT_ID || strict.decode(tokenBytes(id)).length > 0;
        } catch {
          ok = false; // part of a character, or an id past GPT-2's vocabulary
        }
        known.set(id, ok);
      }
      return ok;
    };
    return { decode, whole };
  });
  return tokenizer;
}

/** A whole number from a number box, or null while the box holds something else. */
const wholeIn = (raw: string, min: number, max: number): number | null => {
  const n = Number(raw);
  return raw !== '' && Number.isInteger(n) && n >= min && n <= max ? n : null;
};

export function GenerateControls() {
  const s = useAppStore(
    useShallow((state) => ({
      temperature: state.settings.temperature,
      topK: state.settings.topK,
      topP: state.settings.topP,
      seed: state.settings.seed,
      count: state.settings.generateCount,
      trace: state.trace,
      next: state.next,
      latestRequest: state.latestRequest,
      failed: state.nextError ?? state.inputError,
    })),
  );
  const set = useAppStore((state) => state.set);
  /** Tokens still to append; each waits for the logits of the text so far. */
  const [remaining, setRemaining] = useState(0);
  const [note, setNote] = useState<string | null>(null);
  const { trace, next } = s;
  const full = trace && (trace.truncated || trace.ids.length >= trace.shape.nPositions);
  const blocked =
    s.failed ?? (full ? `the text fills the model's context of ${trace.shape.nPositions} tokens.` : null);
  // Stopping is decided while rendering (React's pattern for state that follows other state), not in an effect.
  if (remaining > 0 && blocked) {
    setRemaining(0);
    setNote(`Stopped: ${blocked}`);
  }

  useEffect(() => {
    if (remaining <= 0 || !trace || !next || blocked) return;
    // Only the logits of the text now in the box: older ones would continue a sentence that is gone.
    if (next.requestId !== trace.requestId || trace.requestId !== s.latestRequest) return;
    let cancelled = false;
    void loadTokenizer().then(({ decode, whole }) => {
      const state = useAppStore.getState();
      if (cancelled || state.latestRequest !== trace.requestId) return;
      const sampling = { temperature: s.temperature, topK: s.topK, topP: s.topP };
      const id = sampleToken(next.logits, sampling, samplingUniform(s.seed, trace.ids), whole);
      if (id === END_OF_TEXT_ID) {
        setRemaining(0);
        setNote('Stopped: the model drew <|endoftext|>, its way of ending a text.');
        return;
      }
      const piece = decode([id]);
      setRemaining((left) => left - 1);
      setNote(`Appended “${piece.replace(/ /g, '␣')}” (token ${id}).`);
      state.set({ text: state.settings.text + piece });
    });
    return () => {
      cancelled = true;
    };
  }, [remaining, trace, next, s, blocked]);

  const start = (tokens: number) => {
    setNote(null);
    setRemaining(tokens);
  };
  return (
    <fieldset className="generate">
      <legend>Sample and append</legend>
      <div className="generate-settings">
        <label>
          Top-k
          <input
            type="number"
            min={0}
            step={1}
            value={s.topK}
            title="Draw only from the k likeliest tokens; 0 keeps them all"
            onChange={(e) => {
              const topK = wholeIn(e.target.value, 0, 100_000);
              if (topK !== null) set({ topK });
            }}
          />
        </label>
        <label>
          Top-p
          <input
            type="number"
            min={0.05}
            max={1}
            step={0.05}
            value={s.topP}
            title="Draw only from the likeliest tokens that together hold this much probability; 1 keeps them all"
            onChange={(e) => {
              const topP = Number(e.target.value);
              if (e.target.value !== '' && topP >= 0.01 && topP <= 1) set({ topP });
            }}
          />
        </label>
        <label>
          Seed
          <input
            type="number"
            min={0}
            step={1}
            value={s.seed}
            title="The same seed, text and settings always draw the same tokens"
            onChange={(e) => {
              const seed = wholeIn(e.target.value, 0, 2 ** 31 - 1);
              if (seed !== null) set({ seed });
            }}
          />
        </label>
      </div>
      <div className="button-row">
        <button type="button" disabled={remaining > 0} onClick={() => start(1)}>
          Append the sampled token
        </button>
        <button type="button" disabled={remaining > 0} onClick={() => start(s.count)}>
          Generate {s.count} tokens
        </button>
        {remaining > 0 && (
          <button type="button" onClick={() => setRemaining(0)}>
            Stop ({remaining} left)
          </button>
        )}
      </div>
      <label className="generate-count">
        Tokens to generate
        <input
          type="number"
          min={1}
          max={GENERATE_MAX}
          step={1}
          value={s.count}
          onChange={(e) => {
            const generateCount = wholeIn(e.target.value, 1, GENERATE_MAX);
            if (generateCount !== null) set({ generateCount });
          }}
        />
      </label>
      {note && (
        <p className="hint" role="status" data-testid="generate-note">
          {note}
        </p>
      )}
    </fieldset>
  );
}
