// The Train view's chart axes: grid lines with their value ticks, the ticks under the plot and the two axis
// labels, shared by the loss chart and the Induction preset's charts (d3 scales in, React SVG out).

import type { ScaleLinear } from 'd3';

interface ChartAxesProps {
  x: ScaleLinear<number, number>;
  y: ScaleLinear<number, number>;
  innerWidth: number;
  innerHeight: number;
  /** About how many ticks the x axis gets (d3 picks round values). */
  xTicks: number;
  xFormat?: (value: number) => string;
  xLabel: string;
  /** Written at the top left, above the value ticks; none when absent. */
  yLabel?: string;
}

/** Goes inside the plot's translated group; the x label sits 28 px under the plot, so the margin below is 30. */
export function ChartAxes({
  x,
  y,
  innerWidth,
  innerHeight,
  xTicks,
  xFormat,
  xLabel,
  yLabel,
}: ChartAxesProps) {
  return (
    <>
      {y.ticks(4).map((t) => (
        <g key={t} transform={`translate(0,${y(t)})`}>
          <line x2={innerWidth} className="grid" />
          <text x={-6} dy="0.32em" textAnchor="end">
            {t}
          </text>
        </g>
      ))}
      {x.ticks(xTicks).map((t) => (
        <text key={t} x={x(t)} y={innerHeight + 16} textAnchor="middle">
          {xFormat ? xFormat(t) : t}
        </text>
      ))}
      <text x={innerWidth} y={innerHeight + 28} textAnchor="end" className="axis-label">
        {xLabel}
      </text>
      {yLabel && (
        <text x={4} y={10} className="axis-label">
          {yLabel}
        </text>
      )}
    </>
  );
}
