// Step 5: attention scores. Naive: ω = X·Xᵀ on the input (or token) embeddings (book §3.3.1). Trainable: Q and
// K of the chosen head, the raw scores Q·Kᵀ and the scaled, masked ones (book §3.4.1, §3.5.1). Naive scores on
// input embeddings are also split into their token and position terms.

import { useMemo } from 'react';
import { dimLabels, headParts, naiveScoresView, trainableScoresViews, type MatrixView } from '../data/select';
import { fmt4 } from '../data/format';
import { MatrixPanel } from '../views/MatrixPanel';
import { RepeatCallout } from '../views/RepeatCallout';
import { ScoreSplit } from '../views/ScoreSplit';
import { scoreSplit, splitApplies } from '../data/score-split';
import { AttributionPanel } from '../views/attribution/AttributionPanel';
import { useAttributionUi } from '../views/attribution/use-attribution';
import type { StepContext, StepDef } from './types';

function qkViews({ trace, settings }: StepContext): MatrixView[] {
  const { q, k, h } = headParts(trace, settings);
  const labels = dimLabels(q.cols);
  return [
    {
      id: 'q',
      title: `Queries Q (head ${h + 1})`,
      matrix: q,
      rowLabels: trace.tokens,
      colLabels: labels,
      kind: 'signed',
      explain: (i, c) =>
        `q⁽${i + 1}⁾[${c + 1}] = (x⁽${i + 1}⁾·W_q)[${c + 1}] = ${fmt4(q.data[i * q.cols + c])}`,
    },
    {
      id: 'k',
      title: `Keys K (head ${h + 1})`,
      matrix: k,
      rowLabels: trace.tokens,
      colLabels: labels,
      kind: 'signed',
      explain: (i, c) =>
        `k⁽${i + 1}⁾[${c + 1}] = (x⁽${i + 1}⁾·W_k)[${c + 1}] = ${fmt4(k.data[i * k.cols + c])}`,
    },
  ];
}

/** Longest text whose scores are split: four T×T heatmaps and 4·T²·C products stay quick up to here. */
export const SPLIT_MAX_TOKENS = 128;

function ScoresBody(ctx: StepContext) {
  const { trace, settings } = ctx;
  const naive = settings.mode === 'naive';
  const views = useMemo(
    () =>
      naive
        ? [naiveScoresView(trace, settings)]
        : [...qkViews(ctx), ...trainableScoresViews(trace, settings)],
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [trace, settings.mode, settings.positions, settings.causal, settings.head],
  );
  const splits = splitApplies(trace, settings);
  const fits = trace.tokens.length <= SPLIT_MAX_TOKENS;
  const split = useMemo(() => (splits && fits ? scoreSplit(trace) : null), [trace, splits, fits]);
  if (naive) {
    return (
      <>
        <RepeatCallout trace={trace} settings={settings} />
        <MatrixPanel view={views[0]} traceId={trace.requestId} primary />
        {split && <ScoreSplit trace={trace} split={split} />}
        {splits && !fits && (
          <p className="hint">
            The split of the scores into token and position terms is drawn for texts of up to{' '}
            {SPLIT_MAX_TOKENS} tokens.
          </p>
        )}
      </>
    );
  }
  const [q, k, raw, scaled] = views;
  return (
    <TrainableScores
      trace={trace}
      head={Math.min(settings.head, trace.shape.nHead - 1)}
      views={[q, k, raw, scaled]}
    />
  );
}

/** Trainable mode: Q and K, the raw and scaled scores; a click on a scaled score splits it in the "why" panel. */
function TrainableScores({
  trace,
  head,
  views,
}: {
  trace: StepContext['trace'];
  head: number;
  views: MatrixView[];
}) {
  const [q, k, raw, scaled] = views;
  const { setCell, cell, open } = useAttributionUi();
  const model = trace.source === 'model';
  return (
    <>
      <div className="pair">
        <MatrixPanel view={q} traceId={trace.requestId} />
        <MatrixPanel view={k} traceId={trace.requestId} />
      </div>
      <MatrixPanel view={raw} traceId={trace.requestId} />
      <MatrixPanel
        view={scaled}
        traceId={trace.requestId}
        onSelectCell={model ? setCell : undefined}
        selectedCell={model && open ? cell : null}
        primary
      />
      {model && <AttributionPanel trace={trace} head={head} />}
    </>
  );
}

export const step5: StepDef = {
  number: 5,
  title: 'Attention scores',
  section: ({ settings }) =>
    settings.mode === 'naive'
      ? '§3.3.1 Self-attention without trainable weights'
      : '§3.4.1 Trainable weights, §3.5.1 Causal mask',
  sentences: ({ trace, settings }) =>
    settings.mode === 'naive'
      ? [
          'Attention starts by asking how related each pair of tokens is. The simplest measure is the dot product: multiply two vectors element by element and add up.',
          'Row i holds token i’s scores against every token. A large score means the two vectors point the same way.',
          settings.positions || trace.source === 'book'
            ? trace.source === 'book'
              ? 'Here the vectors are the input embeddings, so position is part of the comparison.'
              : 'Here the vectors are the input embeddings x = t + p, so position is part of the comparison; below, each score is split into its token and position parts.'
            : 'Position embeddings are off: only the token embeddings are compared, so the same token at two places gets the same row.',
          settings.causal
            ? 'The causal mask is on: the greyed cells above the diagonal are the future. Their scores are still computed here; the mask is applied at step 6, which sets them to −∞ before the softmax.'
            : 'Nothing is masked here: the causal mask (under Attention), when on, is applied at step 6, before the softmax.',
        ]
      : [
          `A trained head first projects each input three ways: a query q (what this token looks for), a key k (what it offers) and a value v (what it passes on). Here dₖ = ${trace.shape.headSize}.`,
          'The scores are queries dotted with keys, divided by √dₖ so they stay in a range where softmax still learns.',
          trace.source === 'book'
            ? 'Turn on the causal mask to hide later tokens, as a GPT must (§3.5).'
            : `GPT-2 then masks the future: a token may only look at itself and earlier tokens. (In layer ${trace.layer + 1}, the input is the layer-normed stream, not the raw embeddings.)`,
        ],
  formula: ({ trace, settings }) =>
    settings.mode !== 'naive'
      ? 'Q = X·W_q,  K = X·W_k     ω = Q·Kᵀ / √dₖ'
      : splitApplies(trace, settings)
        ? 'ωᵢⱼ = x⁽ⁱ⁾ · x⁽ʲ⁾ = tᵢ·tⱼ + tᵢ·pⱼ + pᵢ·tⱼ + pᵢ·pⱼ     Ω = X·Xᵀ'
        : 'ωᵢⱼ = x⁽ⁱ⁾ · x⁽ʲ⁾     Ω = X·Xᵀ',
  Body: ScoresBody,
};
