// The engine side of the worker: owns the weights and the engine, loads models, and answers trace requests.
// Only the newest pending request runs, so a burst of keystrokes costs one forward pass, not one per key.
// A trace runs the blocks up to the layer on screen only. The next-token logits need a full pass and a
// vocabulary-wide product, so they wait until the page asks for them, which it does once typing pauses.
// The head-detector scores need every layer's attention: asked for only while their panel is open, last.

import { createEngine } from '../../model/backend';
import { DEFAULT_MODEL_DIR, UNTRAINED_CONFIG, UNTRAINED_SEED } from '../../model/default-model';
import { traceText, type Engine } from '../../model/engine';
import { randomGPT2Weights } from '../../model/random';
import type { BackendPreference } from '../../model/trace';
import { traceToJson } from '../../model/trace-json';
import { parameterCount, type GPT2Weights } from '../../model/weights';
import type { BackendState, FromWorker, ModelInfo, ModelSource, ToWorker } from './protocol';
import { presetForUrl } from '../data/model-presets';
import { fetchBlob, loadFromFiles, loadFromUrl, weightsFromBlobs } from './model-loader';
import { scoreInduction, scoreText } from './head-scores';
import { attributionTensorNames, createAttributionJobs, type AttributionAsk } from './attribution-job';
import { nextTokens, runTrace, usableAblation, userMessage, type ExtraTensors } from './run-trace';
import { compareAblation, ComparisonInterrupted } from './ablation-compare';
import type { Ablation } from '../../model/ablation';

export type Post = (message: FromWorker, transfer?: Transferable[]) => void;

interface Loaded {
  weights: GPT2Weights;
  info: ModelInfo;
}

function describe(weights: GPT2Weights, label: string, source: string, untrained: boolean): Loaded {
  const { vocabSize, nPositions, nEmbd, nLayer, nHead } = weights.config;
  return {
    weights,
    info: {
      label,
      source,
      untrained,
      parameters: parameterCount(weights.config),
      config: { vocabSize, nPositions, nEmbd, nLayer, nHead },
    },
  };
}

/** The built-in model: models/default/ next to the page, else the seeded random one, labelled untrained. */
async function loadDefault(
  baseUrl: string,
  signal: AbortSignal,
  progress: (f: number | null, w: string) => void,
) {
  const folder = new URL(`${DEFAULT_MODEL_DIR}/`, baseUrl).href;
  const configBlob = await fetchBlob(`${folder}config.json`, signal, progress, {
    useCache: false,
    optional: true,
  }).catch(() => null);
  const weightsBlob = configBlob
    ? await fetchBlob(`${folder}model.safetensors`, signal, progress, { useCache: false, optional: true })
    : null;
  if (configBlob && weightsBlob) {
    const weights = await weightsFromBlobs(
      weightsBlob,
      await configBlob.text(),
      'the default model',
      signal,
      progress,
    );
    return {
      loaded: describe(weights, 'Default model (trained on English)', 'built in', false),
      notice: null,
    };
  }
  const weights = randomGPT2Weights(UNTRAINED_CONFIG, UNTRAINED_SEED);
  return {
    loaded: describe(weights, 'Untrained GPT-2 (random weights)', 'built in, seed 1234', true),
    notice:
      'No trained default model is shipped with this page yet, so a GPT-2 with random weights runs instead. ' +
      'Its numbers are real, but its attention patterns mean nothing.',
  };
}

export function createEngineHost(post: Post) {
  let loaded: Loaded | null = null;
  let engine: Engine | null = null;
  let backend: BackendState = { description: '…', name: null, fallbackReason: null };
  let preference: BackendPreference = 'auto';
  let loadController: AbortController | null = null;
  let pending: Extract<ToWorker, { type: 'trace' }> | null = null;
  let lastTrace: Extract<ToWorker, { type: 'trace' }> | null = null;
  /** The token ids of the newest trace posted, kept for its next-token request, with its next-token logits
   * when its pass already computed them (the layer on screen was the last). */
  let lastIds: {
    id: number;
    ids: number[];
    logits?: Float32Array;
    ablate?: Ablation;
    layer?: number;
  } | null = null;
  /** The ablated trace whose before/after comparison the page asked for, if not answered yet. */
  let compareWanted: number | null = null;
  /** The trace whose next tokens the page asked for, if not answered yet. */
  let nextWanted: number | null = null;
  /** The trace whose head-detector scores the page asked for, if not answered yet. */
  let scoresWanted: number | null = null;
  /** The induction probe the page asked for, if not run yet. */
  let probeWanted: { id: number; seed: number } | null = null;
  /** The newest "why does this head look there?" request, if not answered yet. */
  let attributionWanted: AttributionAsk | null = null;
  const attributions = createAttributionJobs();
  /** Whether the "why" panel is open: then each trace's pass also keeps the tensors its split reads. */
  let attributionOpen = false;
  let running = false;

  async function startEngine(weights: GPT2Weights) {
    // A lost GPU device is handled in one place, GpuEngineWithCpuFallback: it moves to the CPU and answers the
    // pass that was running there, so no job here fails or needs retrying; onFallback tells the page at once.
    const choice = await createEngine(weights, {
      preference,
      onFallback: (reason) => reportFallback(reason),
    });
    engine?.dispose();
    engine = choice.engine;
    backend = {
      description: engine.description,
      name: engine.backend,
      fallbackReason: choice.fallbackReason,
      cpuNote: choice.cpuNote ?? null,
    };
  }

  function reportFallback(reason: string) {
    backend = {
      description: engine?.description ?? 'CPU',
      name: 'cpu',
      fallbackReason: `${reason} Your text and settings are kept.`,
    };
    post({ type: 'backend', backend });
  }

  async function load(message: Extract<ToWorker, { type: 'load' }>) {
    loadController?.abort();
    const controller = new AbortController();
    loadController = controller;
    preference = message.backend;
    const progress = (fraction: number | null, what: string) =>
      post({ type: 'progress', id: message.id, fraction, what });
    try {
      const {
        loaded: next,
        notice,
        cacheKey,
      } = await loadSource(message.source, controller.signal, progress);
      if (controller.signal.aborted) throw new DOMException('Loading was cancelled.', 'AbortError');
      loaded = next;
      attributions.forget();
      await startEngine(next.weights);
      post({ type: 'model', id: message.id, info: next.info, backend, notice, cacheKey });
      if (lastTrace) schedule(lastTrace);
    } catch (error) {
      const cancelled = error instanceof DOMException && error.name === 'AbortError';
      post({
        type: 'load-error',
        id: message.id,
        message: cancelled ? 'Loading was cancelled; the previous model stays.' : userMessage(error),
      });
    } finally {
      if (loadController === controller) loadController = null;
    }
  }

  async function loadSource(
    source: ModelSource,
    signal: AbortSignal,
    progress: (f: number | null, w: string) => void,
  ) {
    if (source.kind === 'default')
      return { ...(await loadDefault(source.baseUrl, signal, progress)), cacheKey: '' };
    if (source.kind === 'url') {
      const weights = await loadFromUrl(source.url, signal, progress);
      return {
        loaded: describe(
          weights,
          presetForUrl(source.url)?.name ?? source.url.replace(/^local:/, ''),
          source.url,
          false,
        ),
        notice: null,
        cacheKey: source.url,
      };
    }
    const weights = await loadFromFiles(source.weights, source.config, signal, progress);
    const label = source.weights.name;
    return {
      loaded: describe(weights, label, `${label} + ${source.config.name}`, false),
      notice: null,
      cacheKey: `local:${label}`,
    };
  }

  function schedule(message: Extract<ToWorker, { type: 'trace' }>) {
    pending = message;
    lastTrace = message;
    if (!running) void drain();
  }

  function requestNext(id: number) {
    nextWanted = id;
    if (!running) void drain();
  }

  function requestComparison(id: number) {
    compareWanted = id;
    if (!running) void drain();
  }

  /** The before/after comparison, last of all: it runs the text twice over every layer, and gives way to a
   * new keystroke between its passes (the page asks again for the trace that then lands). */
  async function runComparison(current: Engine, weights: GPT2Weights) {
    const id = compareWanted!;
    compareWanted = null;
    if (lastIds?.id !== id || !lastIds.ablate) return; // replaced, or not ablated: nothing to compare
    const { ids, ablate, layer = 0 } = lastIds;
    try {
      const result = await compareAblation(
        current,
        weights,
        { id, ids, ablate, layer },
        () => pending !== null,
      );
      const { before, after, layerBefore } = result;
      post(result, [before.losses.buffer, after.losses.buffer, layerBefore.weights.buffer] as Transferable[]);
    } catch (error) {
      if (!(error instanceof ComparisonInterrupted))
        post({ type: 'ablation-compare-error', id, message: userMessage(error) });
    }
  }

  function requestDetectors(message: Extract<ToWorker, { type: 'head-scores' | 'induction' }>) {
    if (message.type === 'head-scores') scoresWanted = message.id;
    else probeWanted = { id: message.id, seed: message.seed };
    if (!running) void drain();
  }

  /** Runs a job after the traces; a failure goes to `fail` as one sentence for the page. */
  async function attempt(job: () => Promise<void>, fail: (message: string) => void) {
    try {
      await job();
    } catch (error) {
      fail(userMessage(error));
    }
  }

  /** The head-detector jobs, after traces and next tokens: they cost a pass over every layer. */
  async function runDetectorJob(current: Engine, weights: GPT2Weights) {
    if (scoresWanted !== null) {
      const id = scoresWanted;
      scoresWanted = null;
      const ids = lastIds?.id === id ? lastIds.ids : null;
      if (!ids) return; // replaced by a newer trace, which the page will ask about
      const ablate = lastIds?.ablate;
      await attempt(
        async () => post({ type: 'head-scores', id, scores: await scoreText(current, ids, ablate) }),
        (message) => post({ type: 'detector-error', id, job: 'head-scores', message }),
      );
      return;
    }
    const probe = probeWanted!;
    probeWanted = null;
    // The probe runs on the model as the page shows it: with the trace's knocked-out heads, if any.
    const ablate = lastIds?.ablate;
    await attempt(
      async () =>
        post({
          type: 'induction',
          id: probe.id,
          ...(await scoreInduction(current, weights, probe.seed, ablate)),
        }),
      (message) => post({ type: 'detector-error', id: probe.id, job: 'induction', message }),
    );
  }

  /** The attribution of a head of the trace on screen; a request about an older trace is dropped. */
  async function runAttributionJob(current: Engine, weights: GPT2Weights) {
    const ask = attributionWanted!;
    attributionWanted = null;
    if (lastIds?.id !== ask.id) return;
    const { ids, ablate } = lastIds;
    await attempt(
      async () => {
        const result = await attributions.run(current, weights, ids, ask, ablate);
        post(result, [result.mean.buffer, ...(result.terms ? [result.terms.buffer] : [])]);
      },
      (message) => post({ type: 'attribution-error', id: ask.id, message }),
    );
  }

  /** While the "why" panel is open, a trace's pass also keeps what its split reads, so it needs no pass of its own. */
  function attributionExtra(id: number, nHead: number): ExtraTensors | undefined {
    if (!attributionOpen) return undefined;
    return {
      include: attributionTensorNames,
      take: (layer, tensors) => attributions.stashFromTrace(id, layer, nHead, tensors),
    };
  }

  async function drain() {
    running = true;
    // Yield once so messages that arrived in the same burst replace `pending` before any work starts.
    await new Promise((resolve) => setTimeout(resolve, 0));
    const waiting = () =>
      pending ||
      nextWanted !== null ||
      scoresWanted !== null ||
      probeWanted ||
      attributionWanted !== null ||
      compareWanted !== null;
    while (waiting() && engine && loaded) {
      // Traces first: a newer keystroke matters more than the next-token panel of an older one.
      if (pending) {
        const request = pending;
        pending = null;
        try {
          let logits: Float32Array | undefined;
          const extra = attributionExtra(request.id, loaded.weights.config.nHead);
          const result = await runTrace(engine, loaded.weights, request, (l) => (logits = l), extra);
          lastIds = { id: request.id, ids: result.ids, logits, ablate: result.ablation, layer: result.layer };
          post(result, Object.values(result.tensors).map((t) => t.data.buffer) as Transferable[]);
        } catch (error) {
          post({ type: 'trace-error', id: request.id, message: userMessage(error) });
        }
        continue;
      }
      if (nextWanted === null && attributionWanted) {
        await runAttributionJob(engine, loaded.weights);
        continue;
      }
      if (nextWanted === null) {
        if (scoresWanted !== null || probeWanted) await runDetectorJob(engine, loaded.weights);
        else await runComparison(engine, loaded.weights);
        continue;
      }
      const id = nextWanted;
      nextWanted = null;
      // A request for a trace that has been replaced since is dropped: the newer trace will ask for its own.
      if (lastIds?.id !== id) continue;
      try {
        const next = await nextTokens(engine, id, lastIds.ids, lastIds.logits, lastIds.ablate);
        lastIds.logits = undefined; // transferred to the page with the message
        post(next, [next.logits.buffer]);
      } catch (error) {
        post({ type: 'next-error', id, message: userMessage(error) });
      }
    }
    running = false;
  }

  async function exportTrace(message: Extract<ToWorker, { type: 'export-trace' }>) {
    try {
      if (!engine || !loaded) throw new Error('No model is loaded yet.');
      const ablate = usableAblation(message.ablate, loaded.weights);
      const trace = await traceText(
        engine,
        message.text,
        { logits: 'all', ablate },
        { allowSpecial: message.allowSpecial },
      );
      post({
        type: 'export-trace',
        id: message.id,
        json: JSON.stringify(traceToJson(trace, engine.description)),
      });
    } catch (error) {
      post({ type: 'export-error', id: message.id, message: userMessage(error) });
    }
  }

  return {
    handle(message: ToWorker): void {
      if (message.type === 'load') void load(message);
      else if (message.type === 'cancel-load') loadController?.abort();
      else if (message.type === 'trace') schedule(message);
      else if (message.type === 'next') requestNext(message.id);
      else if (message.type === 'head-scores' || message.type === 'induction') requestDetectors(message);
      else if (message.type === 'export-trace') void exportTrace(message);
      else if (message.type === 'attribution-open') attributionOpen = message.open;
      else if (message.type === 'attribution') {
        attributionWanted = message;
        if (!running) void drain();
      } else if (message.type === 'ablation-compare') requestComparison(message.id);
      else if (message.type === 'backend') {
        preference = message.backend;
        if (!loaded) return;
        void startEngine(loaded.weights).then(() => {
          post({ type: 'backend', backend });
          if (lastTrace) schedule(lastTrace);
        });
      }
    },
  };
}
