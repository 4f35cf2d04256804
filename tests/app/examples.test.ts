// The page's sentences must show its lesson: the default and every "Try" sentence repeat a token (the same
// GPT-2 id twice, so step 4 has identical token-embedding rows), and the default model knows every word of the default.

import { describe, expect, it } from 'vitest';
import { EXAMPLES } from '../../src/app/data/examples';
import { DEFAULT_TEXT } from '../../src/app/data/types';
import { encode } from '../../src/tokenizer/gpt2';
import { modelTrace } from '../helpers/model-trace';

/** Ids that occur more than once in `ids`. */
const repeatedIds = (ids: number[]) => [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];

describe('the sentences the page offers', () => {
  it('the default repeats “␣the” (id 262), and not through a copy at the very start', () => {
    const ids = encode(DEFAULT_TEXT);
    expect(repeatedIds(ids)).toContain(262);
    expect(ids[0]).not.toBe(262);
    expect(ids.filter((id) => id === 262)).toHaveLength(2);
  });

  it('the default has no word the default model never learned (no notice under the input)', async () => {
    expect((await modelTrace(DEFAULT_TEXT)).notices).toEqual([]);
  });

  for (const { text } of EXAMPLES) {
    it(`“${text}” repeats a token id`, () => {
      expect(repeatedIds(encode(text)).length).toBeGreaterThan(0);
    });
    it(`“${text}” has no word the default model never learned`, async () => {
      expect((await modelTrace(text)).notices).toEqual([]);
    });
  }
});
