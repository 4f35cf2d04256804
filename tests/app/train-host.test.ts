// The training worker's host on its own: the stories corpus, the messages of a run in order (ready, a
// snapshot and the held-out loss at step 0, then steps), pause, a new sentence answered while paused, and save.

import { describe, expect, it } from 'vitest';
import { createTrainHost } from '../../src/app/train/train-host';
import type { FromTrainer, Snapshot } from '../../src/app/train/train-protocol';
import { addSnapshot, MAX_SNAPSHOTS } from '../../src/app/train/train-store';

const until = async (messages: FromTrainer[], found: (m: FromTrainer) => boolean, ms = 60_000) => {
  const started = Date.now();
  while (!messages.some(found)) {
    if (Date.now() - started > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
  return messages.find(found)!;
};

describe('train host', () => {
  it('trains on the stories, pauses, answers a new sentence and saves', async () => {
    const messages: FromTrainer[] = [];
    const host = createTrainHost((m) => messages.push(m));
    host.handle({
      type: 'start',
      preset: 'micro',
      corpus: { kind: 'stories' },
      sentence: 'the cat sat',
      seed: 1,
    });
    const ready = await until(messages, (m) => m.type === 'ready');
    expect(ready.type === 'ready' && ready.info.corpus).toBe('the generated stories');
    expect(ready.type === 'ready' && ready.info.backend).toMatch(/^CPU · /);
    await until(messages, (m) => m.type === 'steps');
    const kinds = messages.map((m) => m.type);
    expect(kinds.slice(kinds.indexOf('ready'), kinds.indexOf('ready') + 4)).toEqual([
      'ready',
      'snapshot',
      'validation',
      'state',
    ]);
    host.handle({ type: 'pause' });
    await until(messages, (m) => m.type === 'state' && m.state === 'paused');
    const count = messages.length;
    host.handle({ type: 'sentence', text: 'the dog ran to the park' });
    const shot = messages.slice(count).find((m) => m.type === 'snapshot');
    expect(shot?.type === 'snapshot' && shot.snapshot.tokens).toEqual([
      'the',
      '␣dog',
      '␣ran',
      '␣to',
      '␣the',
      '␣park',
    ]);
    host.handle({ type: 'save', id: 7 });
    const saved = messages.find((m) => m.type === 'saved');
    expect(saved?.type === 'saved' && saved.id).toBe(7);
    expect(saved?.type === 'saved' && JSON.parse(saved.config).n_layer).toBe(1);
    host.dispose();
  });

  it('measures held-out text read twice with the Induction preset, and says how long the run has taken', async () => {
    const messages: FromTrainer[] = [];
    const host = createTrainHost((m) => messages.push(m));
    host.handle({
      type: 'start',
      preset: 'induction',
      corpus: { kind: 'stories' },
      sentence: 'a b',
      seed: 1,
    });
    await until(messages, (m) => m.type === 'steps');
    host.handle({ type: 'pause' });
    await until(messages, (m) => m.type === 'state' && m.state === 'paused');
    const first = messages.find((m) => m.type === 'repeats');
    expect(first?.type === 'repeats' && first.point).toMatchObject({ step: 0, tokensSeen: 0 });
    if (first?.type !== 'repeats') throw new Error('no repeats message');
    expect(first.point.induction.map((row) => row.length)).toEqual([4, 4]);
    expect(first.point.previousToken.flat().every((s) => s >= 0 && s <= 1)).toBe(true);
    expect(first.point.gain).toBeCloseTo(first.point.earlyLoss - first.point.lateLoss, 10);
    const steps = messages.filter((m) => m.type === 'steps');
    const seconds = steps.map((m) => (m.type === 'steps' ? m.seconds : NaN));
    expect(seconds[0]).toBeGreaterThan(0);
    expect(seconds).toEqual([...seconds].sort((a, b) => a - b));
    host.dispose();

    // Other presets send no such measure.
    const plain: FromTrainer[] = [];
    const other = createTrainHost((m) => plain.push(m));
    other.handle({ type: 'start', preset: 'micro', corpus: { kind: 'stories' }, sentence: 'a b', seed: 1 });
    await until(plain, (m) => m.type === 'steps');
    other.dispose();
    expect(plain.some((m) => m.type === 'repeats')).toBe(false);
  });

  it('says what is wrong with an unknown size, and with text too short', async () => {
    const messages: FromTrainer[] = [];
    const host = createTrainHost((m) => messages.push(m));
    host.handle({ type: 'start', preset: 'huge', corpus: { kind: 'stories' }, sentence: '', seed: 1 });
    const error = await until(messages, (m) => m.type === 'error');
    expect(error.type === 'error' && error.message).toMatch(/no model size "huge"/);
    messages.length = 0;
    host.handle({
      type: 'start',
      preset: 'micro',
      corpus: { kind: 'text', text: 'a b c', name: 'x' },
      sentence: '',
      seed: 1,
    });
    const short = await until(messages, (m) => m.type === 'error');
    expect(short.type === 'error' && short.message).toMatch(
      /^The text is too short for one batch: it has 3 tokens/,
    );
    host.dispose();
  });

  it('keeps at most 200 snapshots (and 64 MB of them), thinned evenly, the first and newest kept', () => {
    const shot = (step: number, floats: number): Snapshot =>
      ({ step, tokens: [], ids: [], layers: [new Float32Array(floats)], scores: {} }) as unknown as Snapshot;
    let list: Snapshot[] = [];
    for (let step = 0; step <= 2000; step += 5) list = addSnapshot(list, shot(step, 16));
    expect(list.length).toBeLessThanOrEqual(MAX_SNAPSHOTS);
    expect(list.length).toBeGreaterThan(MAX_SNAPSHOTS / 2);
    expect([list[0].step, list[list.length - 1].step]).toEqual([0, 2000]);
    expect(addSnapshot(list, shot(2000, 16))).toHaveLength(list.length); // same step: replaced
    let big: Snapshot[] = [];
    for (let step = 0; step < 100; step++) big = addSnapshot(big, shot(step, 1024 * 1024)); // 4 MB each
    expect(big.length).toBeLessThanOrEqual(16);
    expect(big[big.length - 1].step).toBe(99);
  });
});
