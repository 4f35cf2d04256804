// One-click GPT-2: buttons that load GPT-2 small or distilgpt2 from the Hugging Face Hub through the model
// loader (progress, cancel, cache), saying first how much each downloads and, on the CPU, what typing costs.

import { useEffect, useState } from 'react';
import { useBridge } from '../bridge-context';
import {
  formatSize,
  HUGGING_FACE,
  hubFromSearch,
  keystrokeCostText,
  MODEL_PRESETS,
  presetFolderUrl,
} from '../data/model-presets';
import { useAppStore } from '../store/store';
import { isModelCached, modelFileUrls } from '../worker/model-loader';

export function ModelPresets() {
  const bridge = useBridge();
  const source = useAppStore((s) => s.model?.source);
  const backend = useAppStore((s) => s.backend);
  const loading = useAppStore((s) => s.load.active);
  /** The preset clicked last: its button says it is loading while the progress bar runs. */
  const [clicked, setClicked] = useState<string | null>(null);
  // Read once when the page opens: the address bar is rewritten from the settings as soon as they change.
  const [hub] = useState(() => hubFromSearch(window.location.search));
  const [cached, setCached] = useState<Record<string, boolean>>({});

  // When that load ends, forget the click: a later load from files or a URL is not this button's.
  const [wasLoading, setWasLoading] = useState(loading);
  if (wasLoading !== loading) {
    setWasLoading(loading);
    if (!loading) setClicked(null);
  }

  // A preset kept in Cache Storage loads without the network: say so instead of its download size.
  useEffect(() => {
    let current = true;
    void Promise.all(
      MODEL_PRESETS.map(
        async (preset) =>
          [preset.id, await isModelCached(modelFileUrls(presetFolderUrl(preset, hub)).weights)] as const,
      ),
    ).then((entries) => current && setCached(Object.fromEntries(entries)));
    return () => void (current = false);
  }, [hub, source]);

  return (
    <div className="model-presets" data-testid="model-presets">
      <h3>Real GPT-2, one click</h3>
      <div className="button-row">
        {MODEL_PRESETS.map((preset) => {
          const url = presetFolderUrl(preset, hub);
          const loaded = source === url;
          const busy = loading && clicked === preset.id;
          return (
            <button
              key={preset.id}
              type="button"
              data-testid={`preset-${preset.id}`}
              disabled={loaded}
              aria-busy={busy}
              onClick={() => {
                setClicked(preset.id);
                bridge.loadModel({ kind: 'url', url });
              }}
            >
              {preset.name},{' '}
              {busy
                ? 'loading…'
                : loaded
                  ? 'loaded'
                  : cached[preset.id]
                    ? 'cached'
                    : formatSize(preset.weightsBytes)}
            </button>
          );
        })}
      </div>
      <p className="hint">
        {MODEL_PRESETS.map(
          (p) => `${p.name}: ${Math.round(p.parameters / 1e6)} M parameters, ${p.nLayer} layers`,
        ).join('; ')}
        . Downloaded from {hub === HUGGING_FACE ? 'huggingface.co' : `${hub} (the link’s hub=)`} once: a model
        that loaded stays in this browser’s cache, for the next visit and offline.
      </p>
      {backend.name === 'cpu' && (
        <p className="hint" data-testid="preset-cost">
          {keystrokeCostText(backend.description)}
        </p>
      )}
    </div>
  );
}
