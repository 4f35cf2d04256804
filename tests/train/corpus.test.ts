// The generated corpus: the same seed gives the same text, pronouns and verbs agree with their subject, and
// the validation split is held out from the training text.

import { describe, expect, it } from 'vitest';
import { generateCorpus, writeStory } from '../../src/train/corpus';
import { CHARACTERS, pronounsFor } from '../../src/train/corpus-world';
import { seededRandom } from '../../src/model/random';
import { encode } from '../../src/tokenizer/gpt2';

const plurals = CHARACTERS.map((c) => c.plural).join('|');
const singulars = CHARACTERS.map((c) => c.singular).join('|');

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
      expect(story).not.toMatch(/\b(he|she|it) were\b|\bthey was\b/);
      expect(story).not.toMatch(new RegExp(`\\bthe (${plurals})( on the \\w+)? was\\b`));
      expect(story).not.toMatch(new RegExp(`\\bthe (${singulars})( on the \\w+)? were\\b`));
    }
    const vocabulary = new Set(encode(stories.join('\n')));
    expect(vocabulary.size).toBeLessThan(200);
  });

  // The focus is the last character named, except the giver in "the queen gave it a cake": "it" is the
  // character in focus, and it stays in focus.
  it('uses pronouns that refer to the character in focus', () => {
    const nouns = new Map(
      CHARACTERS.flatMap((c) => [
        [c.singular, pronounsFor(c.gender, false)],
        [c.plural, pronounsFor(c.gender, true)],
      ]),
    );
    const random = seededRandom(12);
    let pronounsChecked = 0;
    for (let i = 0; i < 500; i++) {
      let focus = null as ReturnType<typeof pronounsFor> | null;
      const words = writeStory(random).replace(/\./g, '').split(' ');
      words.forEach((word, w) => {
        if (nouns.has(word) && words[w + 1] !== 'gave') focus = nouns.get(word)!;
        else if (words[w - 1] === 'gave') expect(word).toBe(focus!.object);
        else if (['he', 'she', 'it', 'they'].includes(word)) {
          expect(word).toBe(focus!.subject);
          pronounsChecked++;
        } else if (['his', 'its', 'their'].includes(word)) expect(word).toBe(focus!.possessive);
      });
    }
    expect(pronounsChecked).toBeGreaterThan(300);
  });
});
