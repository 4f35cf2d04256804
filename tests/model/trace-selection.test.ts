// What a TraceRequest asks the engines for: whole tensors, prefixes, single heads, and how deep into the
// model a pass must go to produce them (the engines skip every block after that).

import { describe, expect, it } from 'vitest';
import { TraceSelection } from '../../src/model/trace';

const config = { nLayer: 12, nHead: 12 };
const deepest = (request: ConstructorParameters<typeof TraceSelection>[0]) =>
  new TraceSelection(request).lastLayerNeeded(config);

describe('TraceSelection', () => {
  it('needs every block for ln_f, the logits or the whole trace', () => {
    expect(deepest({})).toBe(11);
    expect(deepest({ include: [] })).toBe(11); // logits default to the last position
    expect(deepest({ include: ['ln_f'], logits: 'none' })).toBe(11);
    expect(deepest({ include: ['*'], logits: 'none' })).toBe(11);
  });

  it('stops at the deepest block a tensor, a prefix or a single head is asked of', () => {
    expect(deepest({ include: ['tok_emb', 'naive.*'], logits: 'none' })).toBe(-1);
    expect(deepest({ include: ['h0.q', 'input_emb'], logits: 'none' })).toBe(0);
    expect(deepest({ include: ['h3.*', 'h1.ln_1'], logits: 'none' })).toBe(3);
    expect(deepest({ include: ['h7.attn_weights.head4'], logits: 'none' })).toBe(7);
    expect(deepest({ include: ['h1*'], logits: 'none' })).toBe(11); // h1*, h10.*, h11.*
  });

  it('answers for whole tensors, prefixes and single heads', () => {
    const selection = new TraceSelection({ include: ['naive.*', 'h2.q.head3'], logits: 'none' });
    expect(selection.wants('naive.scores')).toBe(true);
    expect(selection.wants('h2.q')).toBe(false);
    expect(selection.headsWanted('h2.q', 12)).toEqual([3]);
    expect(selection.needs('h2.q', 12)).toBe(true);
  });
});
