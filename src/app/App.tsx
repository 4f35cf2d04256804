// The explorer's page: the header with the model and backend, the sentence, the steps, and the side panels.

import type { MouseEvent } from 'react';
import { AblationPanel } from './ablation/AblationPanel';
import { BridgeContext, DetectorsContext } from './bridge-context';
import { StepView } from './StepView';
import { useAppStore } from './store/store';
import { BackendPanel } from './views/BackendPanel';
import { Controls } from './views/Controls';
import { ExportPanel } from './views/ExportPanel';
import { HeadDetectorPanel } from './views/HeadDetectorPanel';
import { InputPanel } from './views/InputPanel';
import { ModelPanel } from './views/ModelPanel';
import { NextTokenPanel } from './views/NextTokenPanel';
import { StepNav } from './views/StepNav';
import { StepMap } from './views/StepMap';
import { TrainView } from './train/TrainView';
import { createTrainWorkerClient, type TrainClientFactory } from './train/train-client';
import type { Bridge } from './worker/bridge';
import type { DetectorsBridge } from './worker/detectors-bridge';

interface AppProps {
  /** The connection to the engine worker (or its in-process twin in tests). */
  bridge: Bridge;
  /** The head detectors' connection to the same worker; without it the page has no head-detector panel. */
  detectors?: DetectorsBridge;
  /** Makes the Train view's worker (an in-process host in component tests). */
  createTrainClient?: TrainClientFactory;
}

/** The map of the steps, wired to the store: it follows the step and the toggles, and a box opens its step. */
function ConnectedStepMap() {
  const step = useAppStore((s) => s.settings.step);
  const mode = useAppStore((s) => s.settings.mode);
  const positions = useAppStore((s) => s.settings.positions);
  const causal = useAppStore((s) => s.settings.causal);
  const preset = useAppStore((s) => s.settings.preset);
  const set = useAppStore((s) => s.set);
  return (
    <StepMap
      step={step}
      settings={{ mode, positions, causal, preset }}
      onOpen={(opened) => set({ step: opened })}
    />
  );
}

/** The two views: explore a model step by step, or train one. A button each, the current one pressed. */
function ViewSwitch() {
  const view = useAppStore((s) => s.settings.view);
  const set = useAppStore((s) => s.set);
  return (
    <nav className="view-switch" aria-label="Views">
      <button type="button" aria-pressed={view === 'explore'} onClick={() => set({ view: 'explore' })}>
        Explore
      </button>
      <button
        type="button"
        aria-pressed={view === 'train'}
        onClick={() => set({ view: 'train' })}
        data-testid="open-train"
      >
        Train a model
      </button>
    </nav>
  );
}

function Badges() {
  const model = useAppStore((s) => s.model);
  const backend = useAppStore((s) => s.backend);
  const book = useAppStore((s) => s.settings.preset === 'book');
  return (
    <p className="badges">
      <span className="badge">{book ? 'Book example, chapter 3' : (model?.label ?? 'loading model…')}</span>
      {!book && model?.untrained && <span className="badge warn">untrained</span>}
      <span className="badge" title={backend.fallbackReason ?? backend.cpuNote ?? undefined}>
        {backend.name === 'webgpu'
          ? `WebGPU · ${backend.description}`
          : backend.name === 'cpu'
            ? backend.description
            : '…'}
      </span>
    </p>
  );
}

/**
 * Following a link to a heading scrolls to it but leaves the focus on body, so the next Tab started over from
 * the top. The focus goes to the step's heading (tabindex -1), or to the main area where there is none (the
 * Train view, or before the first view).
 */
function skipToStep(event: MouseEvent<HTMLAnchorElement>) {
  const target = document.getElementById('step-title') ?? document.querySelector<HTMLElement>('main');
  if (!target) return;
  event.preventDefault();
  target.focus();
  target.scrollIntoView?.({ block: 'start' });
}

export function App({ bridge, detectors, createTrainClient = createTrainWorkerClient }: AppProps) {
  const view = useAppStore((s) => s.settings.view);
  return (
    <BridgeContext.Provider value={bridge}>
      <a className="skip" href="#step-title" onClick={skipToStep}>
        Skip to the current step
      </a>
      <header className="site-header">
        <div>
          <h1>Attention explorer</h1>
          <p className="tagline">
            Type a sentence and watch a small GPT-2 turn it into embeddings and attention, one step at a time.
            After chapters 2–3 of <cite>Build a Large Language Model (from Scratch)</cite>.
          </p>
        </div>
        <Badges />
        <ViewSwitch />
      </header>
      <main tabIndex={-1}>
        <InputPanel />
        {view === 'train' ? (
          <TrainView createClient={createTrainClient} />
        ) : (
          <>
            <StepNav />
            <ConnectedStepMap />
            <div className="layout">
              <StepView />
              <aside className="side">
                <Controls />
                <NextTokenPanel />
                <AblationPanel />
                {detectors && (
                  <DetectorsContext.Provider value={detectors}>
                    <HeadDetectorPanel />
                  </DetectorsContext.Provider>
                )}
                <ExportPanel />
                <ModelPanel />
                <BackendPanel />
              </aside>
            </div>
          </>
        )}
      </main>
      <footer className="site-footer">
        <p>
          All numbers are computed in your browser, in float32, and match PyTorch. Use ← and → to move between
          steps. Share this view by copying the address.
        </p>
      </footer>
    </BridgeContext.Provider>
  );
}
