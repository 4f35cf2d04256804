// Step 7: context vectors, the weighted sums of the inputs (naive, book §3.3.2) or of the values, then the
// output projection that merges the heads (trainable, book §3.4.1 and §3.6).

import { useMemo } from 'react';
import { contextViews, valuesView } from '../data/select';
import { MatrixPanel } from '../views/MatrixPanel';
import type { StepContext, StepDef } from './types';

function ContextBody({ trace, settings }: StepContext) {
  const views = useMemo(() => contextViews(trace, settings), [trace, settings]);
  const values = useMemo(
    () => (settings.mode === 'trainable' ? valuesView(trace, settings) : null),
    [trace, settings],
  );
  return (
    <>
      {values && <MatrixPanel view={values} traceId={trace.requestId} />}
      {views.map((view, i) => (
        <MatrixPanel key={view.id} view={view} traceId={trace.requestId} primary={i === 0} />
      ))}
    </>
  );
}

export const step7: StepDef = {
  number: 7,
  title: 'Context vectors',
  section: ({ trace, settings }) =>
    settings.mode === 'naive'
      ? '§3.3.2 Computing context vectors'
      : trace.source === 'book'
        ? '§3.4.1 Computing the context vectors'
        : '§3.4.1 Context vectors, §3.6 Multi-head attention',
  sentences: ({ trace, settings }) =>
    settings.mode === 'naive'
      ? [
          'Each token’s context vector is the average of all the input vectors, weighted by its row of attention weights.',
          'It is a new version of the token that has mixed in what it paid attention to. The shape stays T × C.',
        ]
      : [
          'Each head mixes the value vectors v with its weights: z⁽ⁱ⁾ = Σⱼ αᵢⱼ v⁽ʲ⁾.',
          trace.source === 'book'
            ? 'The book’s single head has dₖ = 2, so each context vector has two numbers.'
            : `All ${trace.shape.nHead} heads’ contexts are put side by side (${trace.shape.nHead} × ${trace.shape.headSize} = ${trace.shape.nEmbd}) and mixed by the output projection W_O.`,
          'The rest of the block (an MLP) and the later layers build on this; the next-token panel shows where it all ends up.',
        ],
  // The book's example is one head with no output projection (§3.4); a GPT-2 layer merges its heads (§3.6).
  formula: ({ trace, settings }) =>
    settings.mode === 'naive'
      ? 'z⁽ⁱ⁾ = Σⱼ αᵢⱼ x⁽ʲ⁾     Z = A·X'
      : trace.source === 'book'
        ? 'z⁽ⁱ⁾ = Σⱼ αᵢⱼ v⁽ʲ⁾     Z = A·V'
        : 'z⁽ⁱ⁾ = Σⱼ αᵢⱼ v⁽ʲ⁾     out = [Z₁ … Z_H]·W_O + b',
  Body: ContextBody,
};
