// The engine side of the worker: owns the weights and the engine, loads models, and answers the page's requests.
// Only the newest request of each kind waits (engine-jobs.ts), so a burst of keystrokes costs one forward pass.
// A trace runs the blocks up to the layer on screen only. The next-token logits need a full pass and a
// vocabulary-wide product, so they wait until the page asks for them, which it does once typing pauses.
// The head-detector scores need every layer's attention: asked for only while their panel is open, last.

import type { Ablation } from '../../model/ablation';
import { createEngine } from '../../model/backend';
import { traceText, type Engine } from '../../model/engine';
import type { BackendPreference } from '../../model/trace';
import { traceToJson } from '../../model/trace-json';
import type { GPT2Weights } from '../../model/weights';
import { compareAblation, ComparisonInterrupted } from './ablation-compare';
import { attributionTensorNames, createAttributionJobs, type AttributionAsk } from './attribution-job';
import { EngineJobs, type EngineJob, type TraceMessage } from './engine-jobs';
import { scoreInduction, scoreText } from './head-scores';
import { loadSource, type LoadedModel } from './load-source';
import type { BackendState, FromWorker, ToWorker } from './protocol';
import { nextTokens, runTrace, usableAblation, userMessage, type ExtraTensors } from './run-trace';

export type Post = (message: FromWorker, transfer?: Transferable[]) => void;

/** The model the host runs: none until a load succeeds; a later load replaces it only once it has succeeded. */
type ModelState = { name: 'none' } | { name: 'ready'; model: LoadedModel; engine: Engine };

/** A model load under way: a newer one aborts it, and a failed one leaves the model as it was. */
type LoadState = { name: 'idle' } | { name: 'loading'; controller: AbortController };

type Ready = Extract<ModelState, { name: 'ready' }>;

/** The newest trace posted, which the jobs about it (next tokens, scores, the "why" split) read. */
interface LatestTrace {
  id: number;
  ids: number[];
  /** Its next-token logits, when its pass already computed them (the layer on screen was the last). */
  logits?: Float32Array;
  ablate?: Ablation;
  layer?: number;
}

export class EngineHost {
  private model: ModelState = { name: 'none' };
  private load: LoadState = { name: 'idle' };
  /** The jobs run one at a time, in their order of priority, while this is 'draining'. */
  private drain: 'idle' | 'draining' = 'idle';
  private backend: BackendState = { description: '…', name: null, fallbackReason: null };
  private preference: BackendPreference = 'auto';
  private readonly jobs = new EngineJobs();
  /** The last trace asked for, run again when the model or the backend changes. */
  private lastTrace: TraceMessage | null = null;
  private latest: LatestTrace | null = null;
  private readonly attributions = createAttributionJobs();
  /** Whether the "why" panel is open: then each trace's pass also keeps the tensors its split reads. */
  private attributionOpen = false;

  constructor(private readonly post: Post) {}

  handle(message: ToWorker): void {
    switch (message.type) {
      case 'load':
        return void this.loadModel(message);
      case 'cancel-load':
        if (this.load.name === 'loading') this.load.controller.abort();
        return;
      case 'backend':
        return this.changeBackend(message.backend);
      case 'trace':
        this.lastTrace = message;
        return this.want({ kind: 'trace', request: message });
      case 'next':
        return this.want({ kind: 'next', id: message.id });
      case 'head-scores':
        return this.want({ kind: 'head-scores', id: message.id });
      case 'induction':
        return this.want({ kind: 'induction', id: message.id, seed: message.seed });
      case 'attribution-open':
        this.attributionOpen = message.open;
        return;
      case 'attribution':
        return this.want({ kind: 'attribution', ask: message });
      case 'ablation-compare':
        return this.want({ kind: 'ablation-compare', id: message.id });
      case 'export-trace':
        return void this.exportTrace(message);
    }
  }

  private async loadModel(message: Extract<ToWorker, { type: 'load' }>) {
    if (this.load.name === 'loading') this.load.controller.abort();
    const load: LoadState = { name: 'loading', controller: new AbortController() };
    const { signal } = load.controller;
    this.load = load;
    this.preference = message.backend;
    const progress = (fraction: number | null, what: string) =>
      this.post({ type: 'progress', id: message.id, fraction, what });
    try {
      const { loaded, notice, cacheKey } = await loadSource(message.source, signal, progress);
      if (signal.aborted) throw new DOMException('Loading was cancelled.', 'AbortError');
      this.attributions.forget();
      this.useEngine(loaded, await this.startEngine(loaded.weights));
      this.post({
        type: 'model',
        id: message.id,
        info: loaded.info,
        backend: this.backend,
        notice,
        cacheKey,
      });
      if (this.lastTrace) this.want({ kind: 'trace', request: this.lastTrace });
    } catch (error) {
      const cancelled = error instanceof DOMException && error.name === 'AbortError';
      this.post({
        type: 'load-error',
        id: message.id,
        message: cancelled ? 'Loading was cancelled; the previous model stays.' : userMessage(error),
      });
    } finally {
      if (this.load === load) this.load = { name: 'idle' };
    }
  }

  /**
   * An engine for `weights` on the preferred backend. A lost GPU device is handled in one place,
   * GpuEngineWithCpuFallback: it moves to the CPU and answers the pass that was running there, so no job here
   * fails or needs retrying; onFallback tells the page at once.
   */
  private async startEngine(weights: GPT2Weights): Promise<Engine> {
    const choice = await createEngine(weights, {
      preference: this.preference,
      onFallback: (reason) => this.reportFallback(reason),
    });
    this.backend = {
      description: choice.engine.description,
      name: choice.engine.backend,
      fallbackReason: choice.fallbackReason,
      cpuNote: choice.cpuNote ?? null,
    };
    return choice.engine;
  }

  /** Makes `engine` (running `model`) the one the jobs use, freeing the one before. */
  private useEngine(model: LoadedModel, engine: Engine) {
    if (this.model.name === 'ready' && this.model.engine !== engine) this.model.engine.dispose();
    this.model = { name: 'ready', model, engine };
  }

  private reportFallback(reason: string) {
    this.backend = {
      description: this.model.name === 'ready' ? this.model.engine.description : 'CPU',
      name: 'cpu',
      fallbackReason: `${reason} Your text and settings are kept.`,
    };
    this.post({ type: 'backend', backend: this.backend });
  }

  private changeBackend(preference: BackendPreference) {
    this.preference = preference;
    if (this.model.name !== 'ready') return;
    const { model } = this.model;
    void this.startEngine(model.weights).then((engine) => {
      this.useEngine(model, engine);
      this.post({ type: 'backend', backend: this.backend });
      if (this.lastTrace) this.want({ kind: 'trace', request: this.lastTrace });
    });
  }

  private want(job: EngineJob) {
    this.jobs.want(job);
    if (this.drain === 'idle') void this.runJobs();
  }

  /** Runs the waiting jobs, most urgent first, while a model is ready; jobs that come meanwhile join in. */
  private async runJobs() {
    this.drain = 'draining';
    // Yield once so messages that arrived in the same burst replace waiting jobs before any work starts.
    await new Promise((resolve) => setTimeout(resolve, 0));
    for (;;) {
      if (this.model.name !== 'ready') break;
      const ready: Ready = this.model;
      const job = this.jobs.take();
      if (!job) break;
      await this.run(job, ready);
    }
    this.drain = 'idle';
  }

  private run(job: EngineJob, ready: Ready): Promise<void> {
    switch (job.kind) {
      case 'trace':
        return this.runTraceJob(job.request, ready);
      case 'next':
        return this.runNextJob(job.id, ready);
      case 'attribution':
        return this.runAttributionJob(job.ask, ready);
      case 'head-scores':
        return this.runHeadScoresJob(job.id, ready);
      case 'induction':
        return this.runInductionJob(job.id, job.seed, ready);
      case 'ablation-compare':
        return this.runComparisonJob(job.id, ready);
    }
  }

  private async runTraceJob(request: TraceMessage, { engine, model }: Ready) {
    try {
      let logits: Float32Array | undefined;
      const extra = this.attributionExtra(request.id, model.weights.config.nHead);
      const result = await runTrace(engine, model.weights, request, (l) => (logits = l), extra);
      this.latest = { id: request.id, ids: result.ids, logits, ablate: result.ablation, layer: result.layer };
      this.post(result, Object.values(result.tensors).map((t) => t.data.buffer) as Transferable[]);
    } catch (error) {
      this.post({ type: 'trace-error', id: request.id, message: userMessage(error) });
    }
  }

  /** While the "why" panel is open, a trace's pass also keeps what its split reads, so it needs no pass of its own. */
  private attributionExtra(id: number, nHead: number): ExtraTensors | undefined {
    if (!this.attributionOpen) return undefined;
    return {
      include: attributionTensorNames,
      take: (layer, tensors) => this.attributions.stashFromTrace(id, layer, nHead, tensors),
    };
  }

  /** The trace `id` if it is still the newest: a job about a replaced trace is dropped (the newer one asks). */
  private latestIf(id: number): LatestTrace | null {
    return this.latest?.id === id ? this.latest : null;
  }

  private async runNextJob(id: number, { engine }: Ready) {
    const latest = this.latestIf(id);
    if (!latest) return;
    try {
      const next = await nextTokens(engine, id, latest.ids, latest.logits, latest.ablate);
      latest.logits = undefined; // transferred to the page with the message
      this.post(next, [next.logits.buffer]);
    } catch (error) {
      this.post({ type: 'next-error', id, message: userMessage(error) });
    }
  }

  /** The attribution of a head of the trace on screen; a request about an older trace is dropped. */
  private async runAttributionJob(ask: AttributionAsk, { engine, model }: Ready) {
    const latest = this.latestIf(ask.id);
    if (!latest) return;
    await this.attempt(
      async () => {
        const result = await this.attributions.run(engine, model.weights, latest.ids, ask, latest.ablate);
        this.post(result, [result.mean.buffer, ...(result.terms ? [result.terms.buffer] : [])]);
      },
      (message) => this.post({ type: 'attribution-error', id: ask.id, message }),
    );
  }

  private async runHeadScoresJob(id: number, { engine }: Ready) {
    const latest = this.latestIf(id);
    if (!latest) return;
    await this.attempt(
      async () =>
        this.post({ type: 'head-scores', id, scores: await scoreText(engine, latest.ids, latest.ablate) }),
      (message) => this.post({ type: 'detector-error', id, job: 'head-scores', message }),
    );
  }

  /** The probe runs on the model as the page shows it: with the trace's knocked-out heads, if any. */
  private async runInductionJob(id: number, seed: number, { engine, model }: Ready) {
    const ablate = this.latest?.ablate;
    await this.attempt(
      async () =>
        this.post({ type: 'induction', id, ...(await scoreInduction(engine, model.weights, seed, ablate)) }),
      (message) => this.post({ type: 'detector-error', id, job: 'induction', message }),
    );
  }

  /** The before/after comparison: it runs the text twice over every layer, and gives way to a new keystroke
   * between its passes (the page asks again for the trace that then lands). */
  private async runComparisonJob(id: number, { engine, model }: Ready) {
    const latest = this.latestIf(id);
    if (!latest?.ablate) return; // replaced, or not ablated: nothing to compare
    const { ids, ablate, layer = 0 } = latest;
    try {
      const result = await compareAblation(engine, model.weights, { id, ids, ablate, layer }, () =>
        this.jobs.has('trace'),
      );
      const { before, after, layerBefore } = result;
      this.post(result, [
        before.losses.buffer,
        after.losses.buffer,
        layerBefore.weights.buffer,
      ] as Transferable[]);
    } catch (error) {
      if (!(error instanceof ComparisonInterrupted))
        this.post({ type: 'ablation-compare-error', id, message: userMessage(error) });
    }
  }

  /** Runs a job; a failure goes to `fail` as one sentence for the page. */
  private async attempt(job: () => Promise<void>, fail: (message: string) => void) {
    try {
      await job();
    } catch (error) {
      fail(userMessage(error));
    }
  }

  /** Exports a trace of any text at once, beside the jobs (the page waits for it). */
  private async exportTrace(message: Extract<ToWorker, { type: 'export-trace' }>) {
    try {
      if (this.model.name !== 'ready') throw new Error('No model is loaded yet.');
      const { engine, model } = this.model;
      const ablate = usableAblation(message.ablate, model.weights);
      const trace = await traceText(
        engine,
        message.text,
        { logits: 'all', ablate },
        { allowSpecial: message.allowSpecial },
      );
      this.post({
        type: 'export-trace',
        id: message.id,
        json: JSON.stringify(traceToJson(trace, engine.description)),
      });
    } catch (error) {
      this.post({ type: 'export-error', id: message.id, message: userMessage(error) });
    }
  }
}

/** The host as the worker entry and the in-process client use it. */
export function createEngineHost(post: Post): Pick<EngineHost, 'handle'> {
  return new EngineHost(post);
}
