// Step 2: token embeddings (book §2.7): each id picks a row of wte; drawn on a canvas because C can be 768.

import { embeddingView } from '../data/select';
import { MatrixPanel } from '../views/MatrixPanel';
import type { StepDef } from './types';

export const step2: StepDef = {
  number: 2,
  title: 'Token embeddings',
  section: () => '§2.7 Creating token embeddings',
  sentences: ({ trace }) =>
    trace.source === 'book'
      ? [
          'Each token becomes a vector. The book uses tiny 3-dimensional vectors so every number fits on the page.',
          'Similar words would get similar vectors after training; these six are made up for the example.',
        ]
      : [
          `Each id picks one row of the token-embedding table wte: one learned vector of ${trace.shape.nEmbd} numbers per vocabulary entry.`,
          'Every token becomes one coloured row below: red is positive, blue negative, white near zero.',
          'The same token always gets the same row, wherever it stands in the sentence.',
        ],
  formula: ({ trace }) => (trace.source === 'book' ? 'x⁽ⁱ⁾ ∈ ℝ³' : 'tok_emb[i] = wte[tᵢ]    (T × C)'),
  Body: ({ trace }) => {
    const view = embeddingView(trace, trace.source === 'book' ? 'input_emb' : 'tok_emb');
    return view && <MatrixPanel view={view} traceId={trace.requestId} primary />;
  },
};
