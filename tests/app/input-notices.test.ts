// The remarks about how a text was read; here, different tokens that the model cannot tell apart because
// their token embeddings are identical (the default model never saw most of GPT-2's vocabulary).

import { describe, expect, it } from 'vitest';
import { CpuEngine } from '../../src/model/cpu/forward';
import { identicalEmbeddingNotices } from '../../src/app/worker/input-notices';
import { runTrace } from '../../src/app/worker/run-trace';
import { loadDefaultModel } from '../../src/node/default-model';
import { createSyncKernels } from '../../src/model/wasm/select';

describe('identical token embeddings', () => {
  it('names the different tokens that share a row, once per group, and ignores a repeated token', () => {
    const C = 4;
    const rows = [
      [1, 2, 3, 4], // id 10
      [5, 6, 7, 8], // id 11
      [1, 2, 3, 4], // id 12: same row as id 10
      [5, 6, 7, 8], // id 11 again: a repeat, not a clash
      [1, 2, 3, 4.5], // id 13: same sampled values as id 10 but a different row
    ];
    const notices = identicalEmbeddingNotices(
      [10, 11, 12, 11, 13],
      ['a', 'b', 'c', 'b', 'd'],
      Float32Array.from(rows.flat()),
      C,
    );
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/^“a” and “c” have identical token embeddings/);
  });

  it('tells the reader when the default model cannot tell two words apart', async () => {
    const { weights } = await loadDefaultModel();
    const engine = new CpuEngine(weights, createSyncKernels());
    const trace = (text: string) =>
      runTrace(engine, weights, { type: 'trace', id: 1, text, layer: 0, allowSpecial: false });
    // The English corpus has none of these words often enough to give them their own rows.
    const unseen = await trace('the blockchain smartphone emoji');
    expect(unseen.notices).toEqual([
      expect.stringMatching(
        /^“␣blockchain”, “␣smartphone” and “␣emoji” have identical token embeddings: this model met them too rarely/,
      ),
    ]);
    const known = await trace('The president spoke to the nation.');
    expect(known.notices).toEqual([]);
    // One unknown token has no partner in the text, but thousands in the vocabulary share its row.
    const alone = await trace('I bought Bitcoin');
    expect(alone.notices).toEqual([
      expect.stringMatching(
        /^“␣Bitcoin” has the same token embedding as [\d,]+ other tokens: this model met it too rarely/,
      ),
    ]);
  });
});
