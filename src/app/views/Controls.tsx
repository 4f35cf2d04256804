// The toggles: naive or trainable attention, position embeddings and the causal mask (naive mode), the layer
// and head pickers and the all-heads grid (trainable mode), with a sentence when the link's layer or head is
// not one this model has.

import type { TraceShape } from '../../model/config';
import type { Settings } from '../data/types';
import { useAppStore } from '../store/store';
import { useViewSettings } from '../store/view-settings';

/**
 * The sentence for a layer or head past the model's (from a link, or kept from a bigger model), or null. The
 * views show the last one instead; this says so, rather than change the view silently.
 */
export function missingLayerHeadNotice(
  settings: Pick<Settings, 'layer' | 'head'>,
  shape: Pick<TraceShape, 'nLayer' | 'nHead'>,
): string | null {
  const missing = [
    { what: 'layer', asked: settings.layer, count: shape.nLayer },
    { what: 'head', asked: settings.head, count: shape.nHead },
  ].filter((m) => m.asked >= m.count);
  if (missing.length === 0) return null;
  const has = missing.map((m) => `${m.count} ${m.what}${m.count === 1 ? '' : 's'}`).join(' and ');
  const asked = missing.map((m) => `${m.what} ${m.asked + 1}`).join(' or ');
  const shown = missing.map((m) => `${m.what} ${m.count}`).join(', ');
  return `This model has ${has}, so there is no ${asked}: ${shown} ${missing.length > 1 ? 'are' : 'is'} shown instead.`;
}

export function Controls() {
  const settings = useViewSettings();
  const set = useAppStore((s) => s.set);
  const trace = useAppStore((s) => s.trace);
  const nLayer = trace?.shape.nLayer ?? 1;
  const nHead = trace?.shape.nHead ?? 1;
  const book = settings.preset === 'book';
  const naive = settings.mode === 'naive';
  const linkNotice = useAppStore((s) => s.linkNotice);
  const rangeNotice = [linkNotice, trace && missingLayerHeadNotice(settings, trace.shape)]
    .filter(Boolean)
    .join(' ');
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
      {!naive && !book && rangeNotice && (
        <p className="notice warn" role="status" data-testid="layer-head-notice">
          {rangeNotice}
        </p>
      )}
    </section>
  );
}
