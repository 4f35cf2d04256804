// Property tests for the tokenizer with fast-check: on texts built from runs of awkward characters, the ids
// are js-tiktoken's, a token limit gives a prefix, and decoding gives the text back. Bounded in runs and size.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Tiktoken } from 'js-tiktoken/lite';
import gpt2Ranks from 'js-tiktoken/ranks/gpt2';
import { decode, encode, END_OF_TEXT } from '../../src/tokenizer/gpt2';

const reference = new Tiktoken(gpt2Ranks);

const units = [
  'a', 'b', 'ab', ' ', '  ', '\n', '\t', '\r\n', '7', '12', 'é', 'ß', '東', '🐱', '👩‍💻', "'s", "'", '!', '?!',
  '.', '-', '_', '\u00a0', '\u200b', '\u2028', '́', 'ﬁ', END_OF_TEXT, '<|', '\ud800',
]; // prettier-ignore

/** A unit repeated up to 90 times, so many pieces are long enough for the long-piece merge. */
const run = fc
  .tuple(fc.constantFrom(...units), fc.integer({ min: 1, max: 90 }))
  .map(([unit, count]) => unit.repeat(count));
const text = fc.oneof(
  fc.array(run, { maxLength: 8 }).map((runs) => runs.join('')),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
);

const options = { numRuns: 200, seed: 13, interruptAfterTimeLimit: 8_000 };

describe('tokenizer properties', () => {
  it('gives js-tiktoken’s ids, with and without special tokens', () => {
    fc.assert(
      fc.property(text, (t) => {
        expect(encode(t)).toEqual(reference.encode(t, [], []));
        expect(encode(t, { allowSpecial: true })).toEqual(reference.encode(t, [END_OF_TEXT], []));
      }),
      options,
    );
  });

  it('gives a prefix of the whole encoding under a token limit', () => {
    fc.assert(
      fc.property(text, fc.nat(200), fc.boolean(), (t, maxTokens, allowSpecial) => {
        const all = encode(t, { allowSpecial });
        expect(encode(t, { allowSpecial, maxTokens })).toEqual(all.slice(0, maxTokens));
      }),
      options,
    );
  });

  it('decodes back to the text (lone surrogates become U+FFFD, as UTF-8 requires)', () => {
    fc.assert(
      fc.property(text, (t) => {
        expect(decode(encode(t))).toBe(t.replace(/[\ud800-\udfff]/gu, '\ufffd'));
      }),
      options,
    );
  });
});
