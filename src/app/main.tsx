// Entry point: make the page cross-origin isolated (worker threads for the CPU engine), read the settings from
// the URL, start the engine worker, connect it to the store, render.

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { connectAblation } from './ablation/ablation-bridge';
import { App } from './App';
import { ensureCrossOriginIsolation } from './cross-origin-isolation';
import { syncSettingsWithUrl } from './store/url-sync';
import { connectBridge } from './worker/bridge';
import { createWorkerClient } from './worker/client';
import { connectDetectors } from './worker/detectors-bridge';
import './styles.css';

if ((await ensureCrossOriginIsolation()) !== 'reloading') {
  syncSettingsWithUrl();
  const client = createWorkerClient();
  const bridge = connectBridge(client, document.baseURI);
  const detectors = connectDetectors(client);
  connectAblation(client);
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App bridge={bridge} detectors={detectors} />
    </StrictMode>,
  );
}
