// The engine host's waiting jobs: a newer request replaces the waiting one of its kind, and they are taken in
// the stated order (traces, next tokens, the "why" split, head scores, the induction probe, the comparison).

import { describe, expect, it } from 'vitest';
import { EngineJobs, type EngineJob } from '../../src/app/worker/engine-jobs';

const trace = (id: number): EngineJob => ({
  kind: 'trace',
  request: { type: 'trace', id, text: 'the cat', layer: 0, allowSpecial: false },
});

describe('engine jobs', () => {
  it('keeps only the newest job of each kind', () => {
    const jobs = new EngineJobs();
    jobs.want(trace(1));
    jobs.want(trace(2));
    jobs.want({ kind: 'next', id: 1 });
    jobs.want({ kind: 'next', id: 2 });
    expect(jobs.take()).toEqual(trace(2));
    expect(jobs.take()).toEqual({ kind: 'next', id: 2 });
    expect(jobs.take()).toBeNull();
  });

  it('takes them in order of priority, whatever order they came in', () => {
    const jobs = new EngineJobs();
    const asked: EngineJob[] = [
      { kind: 'ablation-compare', id: 1 },
      { kind: 'induction', id: 1, seed: 1 },
      { kind: 'head-scores', id: 1 },
      { kind: 'attribution', ask: { type: 'attribution', id: 1, layer: 0, head: 0, cell: null } },
      { kind: 'next', id: 1 },
      trace(1),
    ];
    for (const job of asked) jobs.want(job);
    expect(jobs.has('trace')).toBe(true);
    const taken: string[] = [];
    for (let job = jobs.take(); job; job = jobs.take()) taken.push(job.kind);
    expect(taken).toEqual(asked.map((job) => job.kind).reverse());
    expect(jobs.has('trace')).toBe(false);
  });
});
