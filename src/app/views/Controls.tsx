// The toggles: naive or trainable attention, position embeddings and the causal mask (naive mode), the layer
// and head pickers and the all-heads grid (trainable mode).

import { useAppStore } from '../store/store';
import { useViewSettings } from '../store/view-settings';

export function Controls() {
  const settings = useViewSettings();
  const set = useAppStore((s) => s.set);
  const trace = useAppStore((s) => s.trace);
  const nLayer = trace?.shape.nLayer ?? 1;
  const nHead = trace?.shape.nHead ?? 1;
  const book = settings.preset === 'book';
  const naive = settings.mode === 'naive';
  return (
    <section className="controls" aria-label="Attention settings">
      <h2>Attention</h2>
      <fieldset className="segmented">
        <legend>Kind</legend>
        {(['naive', 'trainable'] as const).map((mode) => (
          <label key={mode} className={settings.mode === mode ? 'on' : ''}>
            <input
              type="radio"
              name="mode"
              value={mode}
              checked={settings.mode === mode}
              onChange={() => set({ mode })}
            />
            {mode === 'naive' ? 'Naive (X·Xᵀ)' : 'Trainable (Q, K, V)'}
          </label>
        ))}
      </fieldset>
      <label className="toggle">
        {/* Greyed, it shows what is true: the book's example has no positions, a GPT-2's heads always get them. */}
        <input
          type="checkbox"
          checked={book ? false : naive ? settings.positions : true}
          disabled={!naive || book}
          onChange={(e) => set({ positions: e.target.checked })}
        />
        Position embeddings {book ? '(none in the book’s example)' : naive ? '' : '(always on in the model)'}
      </label>
      <label className="toggle">
        <input
          type="checkbox"
          checked={!naive && !book ? true : settings.causal}
          disabled={!naive && !book}
          onChange={(e) => set({ causal: e.target.checked })}
        />
        Causal mask {!naive && !book ? '(GPT-2 always masks)' : '(hide later tokens)'}
      </label>
      {!naive && !book && (
        <div className="pickers">
          <label>
            Layer
            <select
              aria-label="Layer"
              value={Math.min(settings.layer, nLayer - 1)}
              onChange={(e) => set({ layer: Number(e.target.value) })}
            >
              {Array.from({ length: nLayer }, (_, l) => (
                <option key={l} value={l}>
                  {l + 1} of {nLayer}
                </option>
              ))}
            </select>
          </label>
          <label>
            Head
            <select
              aria-label="Head"
              value={Math.min(settings.head, nHead - 1)}
              onChange={(e) => set({ head: Number(e.target.value) })}
            >
              {Array.from({ length: nHead }, (_, h) => (
                <option key={h} value={h}>
                  {h + 1} of {nHead}
                </option>
              ))}
            </select>
          </label>
          <label className="toggle">
            <input
              type="checkbox"
              checked={settings.allHeads}
              onChange={(e) => set({ allHeads: e.target.checked })}
            />
            All heads grid (step 6)
          </label>
        </div>
      )}
    </section>
  );
}
