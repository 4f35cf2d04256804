// The live loss curve: the training loss of every step (thin) and the held-out loss (dots joined), on one step
// axis and one loss axis. d3 computes the scales and paths; React owns the SVG.

import { extent, line, scaleLinear } from 'd3';
import { useMemo } from 'react';
import { ChartAxes } from './ChartAxes';

interface Point {
  step: number;
  loss: number;
}

interface LossChartProps {
  /** Training loss after each step. */
  train: Point[];
  /** Held-out loss at the steps it was measured (step 0 is before any training). */
  validation: Point[];
  /** The step the scrubbed snapshot shows, marked by a vertical line; null for none. */
  marker: number | null;
  /** Width in CSS pixels. */
  width: number;
}

const HEIGHT = 180;
const MARGIN = { top: 10, right: 12, bottom: 30, left: 40 };

/** The mean over a window of `size` steps, so the noisy per-batch loss reads as a trend. */
function smooth(points: Point[], size: number): Point[] {
  if (points.length <= size) return points;
  const out: Point[] = [];
  let sum = 0;
  points.forEach((p, i) => {
    sum += p.loss;
    if (i >= size) sum -= points[i - size].loss;
    if (i >= size - 1) out.push({ step: p.step, loss: sum / size });
  });
  return out;
}

export function LossChart({ train, validation, marker, width }: LossChartProps) {
  const innerWidth = Math.max(100, width - MARGIN.left - MARGIN.right);
  const innerHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const { x, y, trainPath, smoothPath, valPath } = useMemo(() => {
    const all = [...train, ...validation];
    const [maxStep = 1] = [Math.max(1, ...all.map((p) => p.step))];
    const [low = 0, high = 1] = extent(all, (p) => p.loss);
    const x = scaleLinear().domain([0, maxStep]).range([0, innerWidth]);
    const y = scaleLinear()
      .domain([Math.max(0, low - 0.1), high + 0.1])
      .range([innerHeight, 0])
      .nice();
    const path = line<Point>()
      .x((p) => x(p.step))
      .y((p) => y(p.loss));
    return {
      x,
      y,
      trainPath: path(train) ?? '',
      smoothPath: path(smooth(train, 20)) ?? '',
      valPath: path(validation) ?? '',
    };
  }, [train, validation, innerWidth, innerHeight]);
  const last = train[train.length - 1];
  const lastVal = validation[validation.length - 1];
  return (
    <svg
      className="loss-chart"
      width={width}
      height={HEIGHT}
      role="img"
      aria-label={
        last
          ? `Loss curve: training loss ${last.loss.toFixed(3)} at step ${last.step}${lastVal ? `, held-out loss ${lastVal.loss.toFixed(3)} at step ${lastVal.step}` : ''}.`
          : 'Loss curve: no step yet.'
      }
      data-testid="loss-chart"
      data-train={train.map((p) => p.loss.toFixed(4)).join(',')}
      data-validation={validation.map((p) => `${p.step}:${p.loss.toFixed(4)}`).join(',')}
    >
      <g transform={`translate(${MARGIN.left},${MARGIN.top})`}>
        <ChartAxes x={x} y={y} innerWidth={innerWidth} innerHeight={innerHeight} xTicks={5} xLabel="step" />
        <path d={trainPath} className="train-raw" />
        <path d={smoothPath} className="train-smooth" />
        <path d={valPath} className="validation" />
        {validation.map((p) => (
          <circle key={p.step} cx={x(p.step)} cy={y(p.loss)} r={2.5} className="validation-dot" />
        ))}
        {marker !== null && <line x1={x(marker)} x2={x(marker)} y2={innerHeight} className="marker" />}
      </g>
    </svg>
  );
}
