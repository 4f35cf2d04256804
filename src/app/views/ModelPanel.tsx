// What model is loaded, and the ways to load another: GPT-2 presets, files (safetensors + config.json) or a
// URL. Loading shows progress and can be cancelled; a failure shows its message and the previous model stays.

import { useState, type FormEvent } from 'react';
import { useBridge } from '../bridge-context';
import { useAppStore } from '../store/store';
import { ModelPresets } from './ModelPresets';

export function ModelPanel() {
  const bridge = useBridge();
  const model = useAppStore((s) => s.model);
  const load = useAppStore((s) => s.load);
  const loadError = useAppStore((s) => s.loadError);
  const notice = useAppStore((s) => s.modelNotice);
  const [url, setUrl] = useState('');
  const [fileError, setFileError] = useState<string | null>(null);

  const onFiles = (files: FileList | null) => {
    const list = Array.from(files ?? []);
    const weights = list.find((f) => f.name.endsWith('.safetensors'));
    const config = list.find((f) => f.name.endsWith('.json'));
    if (!weights || !config) {
      setFileError('Choose two files together: the model’s .safetensors file and its config.json.');
      return;
    }
    setFileError(null);
    bridge.loadModel({ kind: 'files', weights, config });
  };
  const onUrl = (event: FormEvent) => {
    event.preventDefault();
    if (url.trim()) bridge.loadModel({ kind: 'url', url: url.trim() });
  };

  return (
    <section className="model-panel" aria-label="Model">
      <h2>Model</h2>
      {model ? (
        <dl className="model-info" data-testid="model-info">
          <dt>Loaded</dt>
          <dd>
            {model.label} {model.untrained && <span className="badge warn">untrained</span>}
          </dd>
          <dt>Shape</dt>
          <dd>
            {model.config.nLayer} layers × {model.config.nHead} heads, C = {model.config.nEmbd}, context{' '}
            {model.config.nPositions}
          </dd>
          <dt>Parameters</dt>
          <dd>{(model.parameters / 1e6).toFixed(2)} M</dd>
        </dl>
      ) : (
        <p>Loading the built-in model…</p>
      )}
      {notice && <p className="notice info">{notice}</p>}
      {load.active && (
        <div className="progress" data-testid="load-progress">
          <progress max={1} value={load.fraction ?? undefined} aria-label="Model loading progress" />
          <span>{load.what}</span>
          <button type="button" onClick={() => bridge.cancelLoad()}>
            Cancel
          </button>
        </div>
      )}
      {(loadError || fileError) && (
        <p className="notice error" role="alert" data-testid="model-error">
          {fileError ?? loadError}
        </p>
      )}
      <ModelPresets />
      <details className="load-model">
        <summary>Load another GPT-2 model</summary>
        <label className="file">
          From files (model.safetensors and config.json, pick both)
          <input
            type="file"
            multiple
            accept=".safetensors,.json"
            data-testid="model-files"
            onChange={(e) => onFiles(e.target.files)}
          />
        </label>
        <form onSubmit={onUrl}>
          <label htmlFor="model-url">From a URL (a folder with both files)</label>
          <div className="input-row">
            <input
              id="model-url"
              type="url"
              placeholder="https://huggingface.co/openai-community/gpt2/resolve/main/"
              value={url}
              onChange={(e) => setUrl(e.target.value)}
            />
            <button type="submit">Load</button>
          </div>
        </form>
        <p className="hint">Loaded models are kept in this browser’s cache for the next visit.</p>
      </details>
    </section>
  );
}
