// One query row's attention as horizontal bars: how much the chosen token looks at every other token.

import { scaleLinear } from 'd3';
import { fmt4 } from '../data/format';
import type { ColorScale } from './scales';

interface BarChartProps {
  /** The weights of one row (they sum to 1). */
  values: ArrayLike<number>;
  /** The key tokens, one per bar. */
  labels: string[];
  /** The query token, for the title. */
  query: string;
  /** The heatmap's colour scale, so bars and cells agree. */
  scale: ColorScale;
}

/** Rows with more bars than this scroll in a box. */
const LONG_ROW = 32;

export function BarChart({ values, labels, query, scale }: BarChartProps) {
  const width = 300;
  const rowH = 20;
  const gutter = 90;
  const x = scaleLinear()
    .domain([0, Math.max(...Array.from(values), 1e-6)])
    .range([0, width - gutter - 60]);
  return (
    <figure className="bar-chart">
      <figcaption>Where “{query}” looks: its row of attention weights</figcaption>
      {/* A long text's row (128 or 1024 bars) scrolls in its own box instead of making the page a wall of bars. */}
      <div
        className="bar-chart-scroll"
        // A box that scrolls takes the keyboard focus, so it can be scrolled without a mouse.
        {...(labels.length > LONG_ROW && {
          style: { maxHeight: '60vh', overflowY: 'auto' },
          tabIndex: 0,
          role: 'group',
          'aria-label': `${labels.length} bars, scrollable`,
        })}
      >
        <svg
          width={width}
          height={labels.length * rowH + 4}
          role="img"
          aria-label={`Attention of ${query}: ${labels.map((l, i) => `${l} ${fmt4(values[i])}`).join(', ')}`}
        >
          {labels.map((label, i) => (
            <g key={i} transform={`translate(0,${i * rowH + 2})`}>
              <text
                x={gutter - 6}
                y={rowH / 2}
                dy="0.35em"
                textAnchor="end"
                fontSize={12}
                fill="currentColor"
              >
                {label.slice(0, 12)}
              </text>
              <rect
                x={gutter}
                y={2}
                height={rowH - 4}
                width={Math.max(0.5, x(values[i]))}
                fill={scale(values[i])}
                stroke="#888"
                strokeWidth={0.5}
              />
              <text x={gutter + x(values[i]) + 4} y={rowH / 2} dy="0.35em" fontSize={11} fill="currentColor">
                {fmt4(values[i])}
              </text>
            </g>
          ))}
        </svg>
      </div>
    </figure>
  );
}
