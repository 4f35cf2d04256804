// The sentence box, the book preset switch, the notices about the input and the token strip. Typing updates
// the store at once; the worker computes in the background and the last good view stays until it answers.

import { useAppStore } from '../store/store';
import { DEFAULT_TEXT } from '../data/types';
import { EXAMPLES } from '../data/examples';
import { MathText } from './MathText';

export function InputPanel() {
  const settings = useAppStore((s) => s.settings);
  const set = useAppStore((s) => s.set);
  const trace = useAppStore((s) => s.trace);
  const inputError = useAppStore((s) => s.inputError);
  const notices = useAppStore((s) => s.notices);
  const book = settings.preset === 'book';
  return (
    <section className="input-panel" aria-label="Your sentence">
      <label htmlFor="sentence">Type a sentence</label>
      <div className="input-row">
        <input
          id="sentence"
          type="text"
          value={book ? 'Your journey starts with one step' : settings.text}
          disabled={book}
          spellCheck={false}
          autoComplete="off"
          onChange={(event) => set({ text: event.target.value })}
        />
        <button
          type="button"
          className={book ? 'active' : ''}
          aria-pressed={book}
          onClick={() => set({ preset: book ? 'none' : 'book' })}
        >
          {book ? 'Leave the book example' : 'Book example (ch. 3)'}
        </button>
        {!book && settings.text !== DEFAULT_TEXT && (
          <button type="button" className="quiet" onClick={() => set({ text: DEFAULT_TEXT })}>
            Reset
          </button>
        )}
      </div>
      {!book && (
        <p className="try-row">
          Try:
          {EXAMPLES.map((example) => (
            <button
              type="button"
              key={example.text}
              title={example.why}
              onClick={() => set({ text: example.text })}
            >
              {example.text}
            </button>
          ))}
        </p>
      )}
      {!book && (
        <label className="special-toggle">
          <input
            type="checkbox"
            checked={settings.special}
            onChange={(event) => set({ special: event.target.checked })}
          />
          Special tokens: read a typed {'<|endoftext|>'} as GPT-2’s end-of-text token
        </label>
      )}
      {book && (
        <p className="notice info">
          The book preset runs “Your journey starts with one step” with the book’s own 3-d inputs and its
          <MathText text="W_query, W_key and W_value" />, so every number matches the printed page (4
          decimals).
        </p>
      )}
      {inputError && (
        <p className="notice error" role="alert" data-testid="input-error">
          {inputError}
          {trace ? ' The view below still shows the last sentence that worked.' : ''}
        </p>
      )}
      {notices.map((notice) => (
        <p className="notice warn" role="status" key={notice} data-testid="input-notice">
          {notice}
        </p>
      ))}
      {trace && (
        <ol
          className="token-chips"
          aria-label={`${trace.tokens.length} tokens`}
          data-testid="token-strip"
          data-trace-id={trace.requestId}
        >
          {trace.tokens.map((token, i) => (
            <li
              key={i}
              title={trace.source === 'model' ? `token ${i + 1}, id ${trace.ids[i]}` : `token ${i + 1}`}
            >
              <span className="piece">{token}</span>
              {trace.source === 'model' && <span className="id">{trace.ids[i]}</span>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
