// The engine host's waiting work: at most one job of each kind (a newer request replaces an older one, so a
// burst of keystrokes costs one pass), taken in a fixed order of priority.

import type { AttributionAsk } from './attribution-job';
import type { ToWorker } from './protocol';

export type TraceMessage = Extract<ToWorker, { type: 'trace' }>;

export type EngineJob =
  | { kind: 'trace'; request: TraceMessage }
  /** The next-token logits of trace `id`. */
  | { kind: 'next'; id: number }
  /** "Why does this head look there?" about a trace on screen. */
  | { kind: 'attribution'; ask: AttributionAsk }
  /** The head-detector scores of trace `id`. */
  | { kind: 'head-scores'; id: number }
  | { kind: 'induction'; id: number; seed: number }
  /** The before/after comparison of ablated trace `id`. */
  | { kind: 'ablation-compare'; id: number };

type JobKind = EngineJob['kind'];

/**
 * Traces first: a newer keystroke matters more than anything about an older one. Then the next tokens, asked
 * once typing pauses; the "why" split; the detectors, which cost a pass over every layer; and last the
 * comparison, which runs the text twice and gives way to a keystroke between its passes.
 */
const PRIORITY: readonly JobKind[] = [
  'trace',
  'next',
  'attribution',
  'head-scores',
  'induction',
  'ablation-compare',
];

export class EngineJobs {
  private readonly waiting = new Map<JobKind, EngineJob>();

  /** Queues `job`, replacing a waiting job of its kind. */
  want(job: EngineJob): void {
    this.waiting.set(job.kind, job);
  }

  /** Whether a job of `kind` waits (the comparison checks for a trace between its passes). */
  has(kind: JobKind): boolean {
    return this.waiting.has(kind);
  }

  /** Takes the most urgent waiting job, or null when none waits. */
  take(): EngineJob | null {
    for (const kind of PRIORITY) {
      const job = this.waiting.get(kind);
      if (job) {
        this.waiting.delete(kind);
        return job;
      }
    }
    return null;
  }
}
