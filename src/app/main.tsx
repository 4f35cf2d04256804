// Entry point: read the settings from the URL, start the engine worker, connect it to the store, render.

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { syncSettingsWithUrl } from './store/url-sync';
import { connectBridge } from './worker/bridge';
import { createWorkerClient } from './worker/client';
import './styles.css';

syncSettingsWithUrl();
const bridge = connectBridge(createWorkerClient(), document.baseURI);
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App bridge={bridge} />
  </StrictMode>,
);
