// Step 3: position embeddings (book §2.8): row i is wpe[i], whatever the token is.

import { embeddingView, positionsOff } from '../data/select';
import { MatrixPanel } from '../views/MatrixPanel';
import type { StepDef } from './types';

export const step3: StepDef = {
  number: 3,
  title: 'Position embeddings',
  section: () => '§2.8 Encoding word positions',
  sentences: ({ trace, settings }) =>
    trace.source === 'book'
      ? [
          "The book's example starts from finished input vectors, so there is no separate position embedding to show.",
          'With a real model, this step adds where each token stands. Switch the preset off to see it.',
        ]
      : [
          'Token embeddings say nothing about order: “cat” gets the same row first or last.',
          'GPT-2 learns a second table, wpe, with one vector per position 0, 1, 2, …. Row i below is wpe[i], whatever the token is.',
          positionsOff(trace, settings)
            ? 'Position embeddings are switched off (under Attention), so this table is not added at step 4: the naive attention gets the token embeddings alone and cannot tell “dog bites man” from “man bites dog”.'
            : 'Without it, attention could not tell “dog bites man” from “man bites dog”.',
        ],
  formula: (ctx) =>
    positionsOff(ctx.trace, ctx.settings)
      ? 'pos_emb[i] = wpe[i]    (T × C, not added: positions off)'
      : 'pos_emb[i] = wpe[i]    (T × C)',
  Body: ({ trace }) => {
    const view = embeddingView(trace, 'pos_emb');
    return view ? (
      <MatrixPanel view={view} traceId={trace.requestId} primary />
    ) : (
      <p className="callout">No position embeddings in the book's example.</p>
    );
  },
};
