// The sentences under the input box's “Try:”. Each repeats a token, so step 4 has identical token-embedding
// rows to compare (tests/app/examples.test.ts tokenizes them and checks).

/**
 * Sentences that show something: each repeats a token (a unit test checks it), so step 4 has identical token rows
 * to compare, and the last has a longer context.
 */
export const EXAMPLES: { text: string; why: string }[] = [
  {
    text: 'the cat saw the dog and the bird',
    why: '“␣the” twice (the first “the” is another token): compare their rows at step 4',
  },
  {
    text: 'Your journey starts with one step, then one more step',
    why: 'the book’s sentence, run through the model, with “␣one” and “␣step” twice',
  },
  {
    text: 'the dog chased the ball and the cat chased the dog',
    why: 'repeated words and longer-range attention',
  },
];
