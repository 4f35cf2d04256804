// The sentences under the input box's “Try:”. Each repeats a token, so step 4 has identical token-embedding
// rows to compare (tests/app/examples.test.ts tokenizes them and checks).

/**
 * Sentences that show something: each repeats a token (a unit test checks it), so step 4 has identical token rows
 * to compare, and the last says a sentence twice, for the induction head.
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
    text: 'The old man walked down the street. The old man walked down the street.',
    why: 'a sentence said twice: the default model’s induction head looks from each word of the copy to the word that followed it the first time (step 6, layer 4, heads 1 and 4; or score every head for Induction)',
  },
];
