// The generated corpus: the same seed gives the same text, pronouns and verbs agree with their subject, and
// the validation split is held out from the training text.

import { describe, expect, it } from 'vitest';
import { generateCorpus, writeStory } from '../../src/train/corpus';
import { seededRandom } from '../../src/model/random';
import { encode } from '../../src/tokenizer/gpt2';

describe('the generated corpus', () => {
  it('is reproducible from its seed', () => {
    expect(generateCorpus(7, 200)).toEqual(generateCorpus(7, 200));
    expect(generateCorpus(7, 200).train).not.toEqual(generateCorpus(8, 200).train);
  });

  it('holds out the last tenth as validation', () => {
    const { train, validation } = generateCorpus(3, 1000);
    expect(train.trim().split('\n')).toHaveLength(900);
    expect(validation.trim().split('\n')).toHaveLength(100);
  });

  it('writes simple agreeing sentences from a small vocabulary', () => {
    const random = seededRandom(11);
    const stories = Array.from({ length: 2000 }, () => writeStory(random));
    for (const story of stories) {
      expect(story).toMatch(/^the [a-z ]+\.( [a-z ]+\.)*$/);
      expect(story).not.toMatch(/\b(he|she|it) were\b|\bthey was\b|\b(cats|dogs|boys|girls|men|women) was\b/);
    }
    const vocabulary = new Set(encode(stories.join('\n')));
    expect(vocabulary.size).toBeLessThan(200);
  });
});
