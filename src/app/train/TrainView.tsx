// The Train view: pick a text and a model size, train in a worker, and watch the loss fall and the attention of
// the sentence above take shape; scrub back through snapshots, then save the model or explore it at once.

import { useEffect, useMemo, useState } from 'react';
import { useStore } from 'zustand';
import { TRAIN_PRESETS } from '../../train/train-presets';
import { useBridge } from '../bridge-context';
import { download } from '../export/download';
import { useAppStore } from '../store/store';
import { useWidth } from '../views/useWidth';
import type { TrainClientFactory } from './train-client';
import { TrainController } from './train-store';
import { TrainAttention } from './TrainAttention';
import { TrainSetup, type SetupChoice } from './TrainSetup';
import { LossChart } from './LossChart';
import { InductionCharts } from './InductionCharts';
import { OverfittingNotice } from './OverfittingNotice';

interface TrainViewProps {
  /** Makes the training worker (an in-process host in tests). */
  createClient: TrainClientFactory;
}

/** How long typing must pause before the sentence's attention is recomputed by the trainer. */
const SENTENCE_DELAY_MS = 200;

/** How the status line says where the training windows start. */
const WINDOW_STARTS_TEXT = {
  sentences: 'Each window starts at a sentence, as the text you type does.',
  any: 'Windows start anywhere: windows from its sentence starts would leave much of this text unread.',
} as const;

/** Seconds as people read a duration: "42 s" or "3 min 5 s". */
export const minutesText = (seconds: number) =>
  seconds < 60 ? `${Math.round(seconds)} s` : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;

const fmt = (n: number | undefined, digits = 3) => (n === undefined ? '–' : n.toFixed(digits));

export function TrainView({ createClient }: TrainViewProps) {
  const [controller] = useState(() => new TrainController(createClient));
  const state = useStore(controller.store);
  const bridge = useBridge();
  const sentence = useAppStore((s) => s.settings.text);
  const loadActive = useAppStore((s) => s.load.active);
  const set = useAppStore((s) => s.set);
  const [choice, setChoice] = useState<SetupChoice>({
    corpus: 'english',
    preset: 'micro',
    text: '',
    name: '',
  });
  const [setupError, setSetupError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [chartRef, chartWidth] = useWidth<HTMLDivElement>(480);

  // Closing the view ends the worker, and with it the run.
  useEffect(() => () => controller.dispose(), [controller]);
  // Another model loading: training stops (it can be resumed).
  useEffect(() => {
    if (loadActive) controller.pause('Training paused: another model is loading in the explorer.');
  }, [loadActive, controller]);
  useEffect(() => {
    const timer = setTimeout(() => controller.setSentence(sentence), SENTENCE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [sentence, controller]);

  const { status, info, losses, validation, snapshots, shown, repeats } = state;
  const busy = status === 'running' || status === 'preparing';
  const lastLoss = losses[losses.length - 1];
  const lastVal = validation[validation.length - 1];
  const index = shown ?? snapshots.length - 1;
  const snapshot = snapshots[index] ?? null;

  const start = () => {
    if (choice.corpus === 'text' && !choice.text.trim()) {
      setSetupError('The text is empty: paste some text or drop a file to train on it.');
      return;
    }
    setSetupError(null);
    const corpus =
      choice.corpus === 'english'
        ? { kind: 'english' as const, url: new URL('train/english-sample.txt', document.baseURI).href }
        : choice.corpus === 'stories'
          ? { kind: 'stories' as const }
          : { kind: 'text' as const, text: choice.text, name: choice.name || 'your text' };
    controller.start({
      preset: choice.preset,
      corpus,
      sentence: useAppStore.getState().settings.text,
      seed: 1337,
      backend: useAppStore.getState().settings.backend,
    });
  };

  const save = async (explore: boolean) => {
    setSaving(true);
    try {
      const model = await controller.save();
      const name = `trained-${state.preset ?? 'model'}-step${model.step}.safetensors`;
      const weights = new File([model.weights as BlobPart], name, { type: 'application/octet-stream' });
      const config = new File([model.config], 'config.json', { type: 'application/json' });
      if (explore) {
        const view = snapshot ? { layer: 0, head: 0 } : {};
        bridge.loadModel({ kind: 'files', weights, config });
        set({ view: 'explore', step: 6, mode: 'trainable', allHeads: false, preset: 'none', ...view });
      } else {
        download(weights, name);
        download(config, 'config.json');
      }
    } catch {
      // The reason is in state.saveError, shown below.
    } finally {
      setSaving(false);
    }
  };

  const marker = snapshot?.step ?? null;
  const stepsText = info ? `${lastLoss?.step ?? 0} of ${info.steps}` : '–';
  const chartData = useMemo(() => ({ losses, validation }), [losses, validation]);

  return (
    <section className="train-view" aria-labelledby="train-title">
      <h2 id="train-title">Train a model</h2>
      <p className="hint">
        A worker trains a small GPT-2 from random weights on the text you choose, while the page stays
        responsive. The sentence above is the one whose attention is drawn; change it at any time.
      </p>
      <TrainSetup choice={choice} onChange={setChoice} disabled={busy || status === 'paused'} />
      <div className="train-buttons">
        {status === 'idle' || status === 'error' || status === 'done' ? (
          <button type="button" onClick={start} data-testid="train-start">
            {status === 'idle' ? 'Start training' : 'Train again from scratch'}
          </button>
        ) : status === 'paused' ? (
          <button type="button" onClick={() => controller.resume()} data-testid="train-resume">
            Resume
          </button>
        ) : (
          <button
            type="button"
            onClick={() => controller.pause()}
            disabled={status === 'preparing'}
            data-testid="train-pause"
          >
            Pause
          </button>
        )}
        <button
          type="button"
          className="quiet"
          onClick={() => controller.reset()}
          disabled={status === 'idle'}
          data-testid="train-reset"
        >
          Reset
        </button>
        {info && (
          <span className="badge" data-testid="train-backend" title={info.backendNote ?? undefined}>
            Training on {info.backend}
          </span>
        )}
      </div>
      <p className="hint" role="status" data-testid="train-status" data-status={status}>
        {status === 'idle' && 'Not started.'}
        {status === 'preparing' && state.preparing}
        {status === 'running' && 'Training…'}
        {status === 'paused' && 'Paused.'}
        {status === 'done' &&
          `Finished: the learning rate has come down to its end, after ${minutesText(state.trainingSeconds)} of training here.`}
        {(status === 'running' || status === 'paused') &&
          info &&
          lastLoss &&
          state.trainingSeconds > 0 &&
          ` At the speed measured so far, the whole run of ${info.steps.toLocaleString('en')} steps takes about ${minutesText((state.trainingSeconds / lastLoss.step) * info.steps)} here.`}
        {info &&
          ` ${info.corpus[0].toUpperCase()}${info.corpus.slice(1)}: ${info.trainTokens.toLocaleString('en')} tokens to train on, ${info.heldOutTokens.toLocaleString('en')} held out; ${info.vocabRows.toLocaleString('en')} embedding rows trained, ${(info.parameters / 1e6).toFixed(2)} M parameters saved. ${WINDOW_STARTS_TEXT[info.windowStarts]}`}
      </p>
      {info?.fallback && (
        <p className="notice info" data-testid="train-fallback">
          {info.fallback}
        </p>
      )}
      {state.note && <p className="notice info">{state.note}</p>}
      {(setupError || state.error) && (
        <p className="notice error" role="alert" data-testid="train-error">
          {setupError ?? state.error}
        </p>
      )}
      <div className="train-grid">
        <div className="train-loss" ref={chartRef}>
          <h3>Loss</h3>
          <dl className="train-stats" data-testid="train-stats">
            <dt>Step</dt>
            <dd data-testid="train-step">{stepsText}</dd>
            <dt>Training loss</dt>
            <dd>{fmt(lastLoss?.loss)}</dd>
            <dt>Held-out loss</dt>
            <dd data-testid="train-val">{fmt(lastVal?.loss)}</dd>
            <dt>Time</dt>
            <dd data-testid="train-time">
              {state.trainingSeconds ? minutesText(state.trainingSeconds) : '–'}
            </dd>
            <dt>Tokens/s</dt>
            <dd data-testid="train-speed">
              {state.tokensPerSecond ? Math.round(state.tokensPerSecond).toLocaleString('en') : '–'}
            </dd>
          </dl>
          <LossChart
            train={chartData.losses}
            validation={chartData.validation}
            marker={marker}
            width={Math.min(chartWidth, 560)}
          />
          <OverfittingNotice train={losses} heldOut={validation} />
          <p className="hint">
            Thin line: each batch’s loss; thick: its mean over 20 steps; dots: the loss on the held-out tail
            of the text, never trained on. A model that guesses uniformly over GPT-2’s vocabulary scores 10.8.
          </p>
          {repeats.length > 0 && (
            <InductionCharts points={repeats} marker={marker} width={Math.min(chartWidth, 560)} />
          )}
        </div>
        <TrainAttention
          snapshots={snapshots}
          index={index}
          onShow={(i) => controller.show(i === snapshots.length - 1 ? null : i)}
          nHead={TRAIN_PRESETS.find((p) => p.id === state.preset)?.nHead ?? 1}
        />
      </div>
      <div className="train-save">
        <h3>Keep the model</h3>
        <div className="input-row">
          <button type="button" disabled={saving} onClick={() => void save(false)} data-testid="train-save">
            Save (safetensors + config.json)
          </button>
          <button type="button" disabled={saving} onClick={() => void save(true)} data-testid="train-explore">
            Explore it now
          </button>
        </div>
        {state.saveError && (
          <p className="notice error" role="alert" data-testid="train-save-error">
            {state.saveError}
          </p>
        )}
        <p className="hint">
          Float32 weights in GPT-2’s own layout, which this page (and PyTorch or Hugging Face) can load.
          Exploring it stops training; the address then says it is a local model.
        </p>
      </div>
    </section>
  );
}
