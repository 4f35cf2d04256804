// Step 1: text to tokens and ids (book §2.5). Shows each token as a chip with its position and id.

import type { StepDef } from './types';

export const step1: StepDef = {
  number: 1,
  title: 'Tokens and ids',
  section: () => '§2.5 Byte pair encoding',
  sentences: ({ trace }) =>
    trace.source === 'book'
      ? [
          "The book's chapter 3 example starts from six words: “Your journey starts with one step”.",
          'A tokenizer would cut real text into tokens; here each word is one token, numbered 1 to 6.',
        ]
      : [
          'A language model cannot read letters. GPT-2’s tokenizer cuts the text into pieces it knows, called tokens: common words are one token, rare words several.',
          `Each token is a row number, its id, in GPT-2’s vocabulary of 50,257 entries. This sentence has ${trace.tokens.length} tokens.`,
          'A ␣ marks a leading space: “the” and “␣the” are different tokens with different ids.',
        ],
  formula: () => 'text → [t₁, t₂, …, t_T],  tᵢ ∈ {0, …, 50256}',
  Body: ({ trace }) => (
    <ol className="token-chips big" aria-label="Tokens with their ids">
      {trace.tokens.map((token, i) => (
        <li key={i}>
          <span className="pos">{i + 1}</span>
          <span className="piece">{token}</span>
          {trace.source === 'model' && <span className="id">id {trace.ids[i]}</span>}
        </li>
      ))}
    </ol>
  ),
};
