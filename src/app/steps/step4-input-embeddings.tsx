// Step 4: input embeddings as the element-wise sum (book §2.8): the three matrices side by side, sharing
// one hovered cell so the readout shows a + b = c; then, for a repeated token, how alike its copies' rows are,
// and a picker that sets any two rows side by side.

import { useMemo } from 'react';
import { embeddingView, inputEmbeddingView, positionsOff } from '../data/select';
import { HeatmapTerms } from '../views/HeatmapTerms';
import { withSubscripts } from '../views/MathText';
import { MatrixPanel } from '../views/MatrixPanel';
import { MatrixTable } from '../views/MatrixTable';
import { RepeatCallout } from '../views/RepeatCallout';
import { RepeatSimilarity } from '../views/RepeatSimilarity';
import { RowCompare, type CompareSpace } from '../views/RowCompare';
import { repeatSimilarities } from '../data/repeat-stats';
import type { StepContext, StepDef } from './types';

function SumBody({ trace, settings }: StepContext) {
  const off = positionsOff(trace, settings);
  const views = useMemo(
    () => (['tok_emb', 'pos_emb', 'input_emb'] as const).map((name) => embeddingView(trace, name)),
    [trace],
  );
  const similarities = useMemo(() => repeatSimilarities(trace), [trace]);
  // The memoised array itself, so the three heatmaps' shared colour scale is computed once per trace.
  const terms = views.every((v) => v !== null) ? views : null;
  const [tok, pos, input] = views;
  // With positions off nothing is added: the token embeddings go to attention as they are.
  const alone = off || !tok || !pos || !input ? inputEmbeddingView(trace, settings) : null;
  if (alone || !terms || !input) {
    return (
      alone && (
        <>
          <RepeatCallout trace={trace} settings={settings} />
          <MatrixPanel view={alone} traceId={trace.requestId} primary />
          {tok && <RowCompare trace={trace} spaces={TOKEN_ONLY} />}
        </>
      )
    );
  }
  return (
    <>
      <section className="matrix-panel primary" data-primary={1}>
        <HeatmapTerms
          views={terms}
          signs={['', '+ ', '= ']}
          traceId={trace.requestId}
          readout={([row, col]) => withSubscripts(input.explain(row, col))}
          hint="Hover over any of the three to see token + position = input for that cell."
          legend="value (blue < 0 < red), one scale for all three"
          heading="h3"
          gridClassName="sum-row"
          termClassName="sum-term"
        />
        <MatrixTable view={input} />
      </section>
      <RepeatSimilarity similarities={similarities} />
      <RowCompare trace={trace} spaces={ALL_TABLES} />
    </>
  );
}

/** The row comparison's tables: the sum first, since it is what attention sees. */
const ALL_TABLES: CompareSpace[] = [
  { space: 'input_emb', label: 'Input x = t + p', name: 'Input embeddings' },
  { space: 'tok_emb', label: 'Token t', name: 'Token embeddings' },
  { space: 'pos_emb', label: 'Position p', name: 'Position embeddings' },
];
/** With positions off the input is the token embedding, so there is one table to compare. */
const TOKEN_ONLY: CompareSpace[] = [
  { space: 'tok_emb', label: 'Token t', name: 'Token embeddings (the input, positions off)' },
];

export const step4: StepDef = {
  number: 4,
  title: 'Input embeddings',
  section: () => '§2.8 Encoding word positions',
  sentences: ({ trace, settings }) =>
    trace.source === 'book'
      ? [
          'In the book these six vectors are the inputs x⁽¹⁾ … x⁽⁶⁾ that attention works on.',
          'From here on, every step is computed from them.',
        ]
      : positionsOff(trace, settings)
        ? [
            'Position embeddings are switched off (under Attention), so nothing is added: each input vector is just its token’s embedding.',
            'The same token therefore gets the same row wherever it stands, and the naive attention below cannot tell the order of the words.',
            'A real GPT-2 always adds the positions; tick the box again to see the sum.',
          ]
        : [
            'The model adds the two tables element by element: each input vector is its token’s embedding plus its position’s embedding.',
            'Hover over a cell to see a + b = c. The same colour scale is used for all three.',
            'These input embeddings x⁽¹⁾ … x⁽ᵀ⁾ are what attention works on.',
          ],
  formula: ({ trace, settings }) =>
    positionsOff(trace, settings) ? 'x⁽ⁱ⁾ = wte[tᵢ]    (no position added)' : 'x⁽ⁱ⁾ = wte[tᵢ] + wpe[i]',
  Body: SumBody,
};
