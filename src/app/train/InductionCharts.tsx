// The Induction preset's two charts against training tokens seen: every head's induction and previous-token
// scores on held-out text read twice, and the in-context gain with the phase change marked. d3 computes the
// scales and paths; React owns the SVG.

import { line, scaleLinear } from 'd3';
import { useMemo } from 'react';
import { ChartAxes } from './ChartAxes';
import type { RepeatPoint } from './train-protocol';
import { phaseChangeStep } from './training-signals';
import './induction-charts.css';

interface InductionChartsProps {
  /** The measures so far, oldest first. */
  points: RepeatPoint[];
  /** The step of the snapshot shown, marked by a vertical line; null for none. */
  marker: number | null;
  /** Width in CSS pixels. */
  width: number;
}

const HEIGHT = 170;
const MARGIN = { top: 10, right: 12, bottom: 30, left: 40 };

const tokensText = (n: number) =>
  n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${Math.round(n / 1e3)}k` : String(n);

/** The head with the highest score at the last point, as "layer l, head h". */
function strongest(points: RepeatPoint[], key: 'induction' | 'previousToken') {
  const last = points[points.length - 1];
  let best = { layer: 0, head: 0, score: -Infinity };
  last[key].forEach((row, l) =>
    row.forEach((score, h) => {
      if (score > best.score) best = { layer: l, head: h, score };
    }),
  );
  return best;
}

/** The highest score of any head, for tests and screen readers. */
const peak = (grid: number[][]) => Math.max(...grid.flat()).toFixed(3);

/** A chart frame: axes over tokens seen and a value range. */
function useFrame(points: RepeatPoint[], width: number, low: number, high: number) {
  const innerWidth = Math.max(100, width - MARGIN.left - MARGIN.right);
  const innerHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  return useMemo(() => {
    const maxTokens = Math.max(1, ...points.map((p) => p.tokensSeen));
    const x = scaleLinear().domain([0, maxTokens]).range([0, innerWidth]);
    const y = scaleLinear().domain([low, high]).range([innerHeight, 0]).nice();
    return { x, y, innerWidth, innerHeight };
  }, [points, innerWidth, innerHeight, low, high]);
}

type Frame = ReturnType<typeof useFrame>;

/** Both charts' axes: tokens seen along x. */
const tokenAxes = (frame: Frame, yLabel: string) => (
  <ChartAxes {...frame} xTicks={4} xFormat={tokensText} xLabel="training tokens seen" yLabel={yLabel} />
);

export function InductionCharts({ points, marker, width }: InductionChartsProps) {
  const stepToTokens = points.length > 1 ? points[1].tokensSeen / Math.max(1, points[1].step) : 0;
  const gains = useMemo(() => points.map((p) => ({ step: p.step, value: p.gain })), [points]);
  const phase = phaseChangeStep(gains);
  const scores = useFrame(points, width, 0, 1);
  const gainHigh = Math.max(1, ...points.map((p) => p.gain));
  const gainLow = Math.min(0, ...points.map((p) => p.gain));
  const gain = useFrame(points, width, gainLow, gainHigh);
  if (points.length === 0) return null;
  const nLayer = points[0].induction.length;
  const nHead = points[0].induction[0].length;
  const heads = Array.from({ length: nLayer * nHead }, (_, i) => ({
    l: Math.floor(i / nHead),
    h: i % nHead,
  }));
  const scorePath = (key: 'induction' | 'previousToken', l: number, h: number) =>
    line<RepeatPoint>()
      .x((p) => scores.x(p.tokensSeen))
      .y((p) => scores.y(p[key][l][h]))(points) ?? '';
  const gainPath =
    line<RepeatPoint>()
      .x((p) => gain.x(p.tokensSeen))
      .y((p) => gain.y(p.gain))(points) ?? '';
  const bestInduction = strongest(points, 'induction');
  const bestPrevious = strongest(points, 'previousToken');
  const last = points[points.length - 1];
  const markerLine = (frame: Frame) =>
    marker !== null && stepToTokens > 0 ? (
      <line
        x1={frame.x(marker * stepToTokens)}
        x2={frame.x(marker * stepToTokens)}
        y2={frame.innerHeight}
        className="marker"
      />
    ) : null;
  return (
    <div className="induction-charts" data-testid="induction-charts">
      <h3>Heads forming</h3>
      <svg
        className="induction-chart"
        width={width}
        height={HEIGHT}
        role="img"
        aria-label={`Every head's scores: the highest induction score is ${bestInduction.score.toFixed(2)} (layer ${bestInduction.layer + 1}, head ${bestInduction.head + 1}), the highest previous-token score ${bestPrevious.score.toFixed(2)} (layer ${bestPrevious.layer + 1}, head ${bestPrevious.head + 1}), at step ${last.step}.`}
        data-testid="head-score-chart"
        data-induction={bestInduction.score.toFixed(4)}
        data-series={points.map((p) => `${p.step}:${peak(p.previousToken)}:${peak(p.induction)}`).join(',')}
        data-previous={bestPrevious.score.toFixed(4)}
      >
        <g transform={`translate(${MARGIN.left},${MARGIN.top})`}>
          {tokenAxes(scores, 'score')}
          {heads.map(({ l, h }) => (
            <path
              key={`p${l}.${h}`}
              d={scorePath('previousToken', l, h)}
              className={`previous layer${l % 4}`}
            />
          ))}
          {heads.map(({ l, h }) => (
            <path key={`i${l}.${h}`} d={scorePath('induction', l, h)} className={`induction layer${l % 4}`} />
          ))}
          {markerLine(scores)}
        </g>
      </svg>
      <p className="hint">
        One line per head, measured at every held-out check on held-out text read twice. Dashed: the
        previous-token score (attention to the token just before). Solid: the induction score (attention, in
        the second reading, to the token that came after the current one the first time). Now: the strongest
        previous-token head is layer {bestPrevious.layer + 1}, head {bestPrevious.head + 1} (
        {bestPrevious.score.toFixed(2)}); the strongest induction head is layer {bestInduction.layer + 1},
        head {bestInduction.head + 1} ({bestInduction.score.toFixed(2)}).
      </p>
      <h3>In-context gain</h3>
      <svg
        className="induction-chart"
        width={width}
        height={HEIGHT}
        role="img"
        aria-label={`In-context gain ${last.gain.toFixed(2)} nats per token at step ${last.step}${phase === null ? '; no jump yet' : `; it jumped at step ${phase}`}.`}
        data-testid="gain-chart"
        data-gain={last.gain.toFixed(4)}
        data-phase-step={phase ?? ''}
      >
        <g transform={`translate(${MARGIN.left},${MARGIN.top})`}>
          {tokenAxes(gain, 'nats per token')}
          <path d={gainPath} className="gain" />
          {phase !== null && stepToTokens > 0 && (
            <g className="phase" transform={`translate(${gain.x(phase * stepToTokens)},0)`}>
              <line y2={gain.innerHeight} />
              <text x={4} y={gain.innerHeight - 6}>
                phase change
              </text>
            </g>
          )}
          {markerLine(gain)}
        </g>
      </svg>
      <p className="hint" data-testid="gain-text">
        The loss on the first reading of a held-out span minus the loss on its second reading: what reading it
        once is worth. Now {last.gain.toFixed(2)} nats per token (first reading {last.earlyLoss.toFixed(2)},
        second {last.lateLoss.toFixed(2)}).{' '}
        {phase === null
          ? 'No jump yet: it is marked once the gain passes half a nat.'
          : `It jumped at step ${phase}, about ${tokensText(phase * stepToTokens)} tokens in: the phase change, when an induction head starts to copy.`}
      </p>
    </div>
  );
}
